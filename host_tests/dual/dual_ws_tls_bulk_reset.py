"""Messages and a Close, then a reset, all in before the application reads (tools/servers.py
/bulk-then-reset: more than a receive buffer holds, over TLS and plain TCP; /sizes-then-reset: one
message larger than the buffer): every message and the Close, through the three I/O layers.  (A
module of its own: dual_hostile_ws_reset's MicroPython processes have no heap for it.)"""

from check import raises, server, tls_ca
from pumps_ws import connect_ws, per_layer

MICROPYTHON_HEAP = "192K"  # poll's test client holds all 120 messages at once (the engine hands them over in one poll)


def _more_than_a_buffer_before_a_reset_over_tls(layer, tls=True):
    """CPython's asyncio TLS layer reads the socket ahead of a paused connection (up to 256 KiB), and
    the reset dropped what it held: aio got 21 to 32 of 40 such messages (3,000 bytes each), then 1006.
    Over plain TCP, MicroPython's blocking layer read on after a read that had filled its buffer
    without waiting, and that read met the reset: the last messages and the Close were lost."""
    from microhttpc.errors import ConnectionClosed

    h, p = server("tlswsraw" if tls else "wsraw")
    ckw = {"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"} if tls else None
    ws = connect_ws(layer, h, p, "/bulk-then-reset", conn_kw=ckw)
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
per_layer(globals(), "more_than_a_buffer_before_a_reset", lambda layer: _more_than_a_buffer_before_a_reset_over_tls(layer, False))


def _a_large_message_then_a_reset(layer):
    """Three messages, the second larger than the receive buffer, and a Close, then a reset, all in before
    the application reads, over plain TCP: all of them.  MicroPython's blocking layer read on without a
    wait after the read that filled the large message, that read met the reset, and the last message
    and the Close were lost (1006)."""
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/sizes-then-reset")
    sleep(0.6)
    for i, k in enumerate((102, 2302, 1166)):
        m = ws.recv(5)
        assert len(m) == k and m[:2] == b"m%d" % i, (i, len(m), m[:2])
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == 4000 and e.reason == "bye", (e.code, e.reason, e.cause)


per_layer(globals(), "a_large_message_then_a_reset", _a_large_message_then_a_reset)
