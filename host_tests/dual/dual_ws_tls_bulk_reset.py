"""More messages than a receive buffer holds, and a Close, then a reset, over TLS, all in before the
application reads (tools/servers.py /bulk-then-reset): every message and the Close, through the three
I/O layers.  (A module of its own: dual_hostile_ws_reset's MicroPython processes have no heap for it.)"""

from check import raises, server, tls_ca
from pumps_ws import connect_ws, per_layer

MICROPYTHON_HEAP = "192K"  # poll's test client holds all 120 messages at once (the engine hands them over in one poll)


def _more_than_a_buffer_before_a_reset_over_tls(layer):
    """CPython's asyncio TLS layer reads the socket ahead of a paused connection (up to 256 KiB), and
    the reset dropped what it held: aio got 21 to 32 of 40 such messages (3,000 bytes each), then 1006."""
    from microhttpc.errors import ConnectionClosed

    h, p = server("tlswsraw")
    ws = connect_ws(layer, h, p, "/bulk-then-reset", conn_kw={"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"})
    if layer == "aio":  # the event loop runs meanwhile: its TLS layer reads on while the connection waits
        import asyncio

        async def pause():
            await asyncio.sleep(0.6)

        ws._run(pause())
    else:
        from pumps_http import sleep

        sleep(0.6)
    for k in range(120):
        m = ws.recv(5)
        assert len(m) == 1000 and m[0] == m[-1] == k, (k, len(m), m[:1])
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == 1001 and e.reason == "bye", (e.code, e.reason, e.cause)


per_layer(globals(), "more_than_a_buffer_before_a_reset_over_tls", _more_than_a_buffer_before_a_reset_over_tls)
