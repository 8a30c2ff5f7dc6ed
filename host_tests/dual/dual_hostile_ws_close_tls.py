"""The closing handshake over TLS, through the three I/O layers (pumps_ws).  A module of its own
(from dual_hostile_ws_close): a test module's code stays in the heap while its test runs, and two TLS
connections of the poll Engine are at the edge of a 128K heap."""

from check import server
from pumps_ws import connect_ws, per_layer


def _tls_close_ends_without_close_timeout(layer):
    """Over TLS a closing handshake ends when the Close frames have passed, not after close_timeout:
    the client's close against aiohttp (asyncio's TLS: the server sends its close_notify and waits for
    ours before it closes TCP), and the server's Close (tlswsraw).  MicroPython's TLS socket did not
    report that close_notify (not readable, reads gave nothing): every close there waited
    close_timeout (3 s here) on all three layers."""
    from check import tls_ca as ca  # (not dual_tls's: that module costs ~6 KB of the 128K heap)
    from pumps_ws import elapsed, ticks

    from microhttpc.rt import MICROPYTHON

    tls = {"tls": True, "cadata": ca(), "server_hostname": "localhost"}
    runs = 1 if MICROPYTHON else 3  # (a TLS context per connection: the facades leave room for two in 128K)
    h, p = server("tls")
    for _ in range(runs):
        ws = connect_ws(layer, h, p, "/ws", conn_kw=tls, close_timeout=3)
        ws.send("hi")
        assert ws.recv() == "hi"
        t0 = ticks()
        ws.close()
        assert elapsed(t0) < 1.5, (layer, elapsed(t0))
        assert ws.closed and ws.close_code == 1000, ws.close_code
        ws = None  # (gone before the next TLS context is made)
    from microhttpc.errors import ConnectionClosed

    h, p = server("tlswsraw")
    for n in range(1, runs + 1):
        ws = connect_ws(layer, h, p, "/valid/%d?max=100" % n, conn_kw=tls, close_timeout=3)
        t0 = ticks()
        try:
            while True:
                ws.recv(5)
        except ConnectionClosed as exc:
            assert exc.code == 1000, exc.code
        assert elapsed(t0) < 1.5, (layer, n, elapsed(t0))
        ws.close()
        ws = None


per_layer(globals(), "tls_close_ends_without_close_timeout", _tls_close_ends_without_close_timeout)
