"""A WebSocket over TLS whose server ends the connection without a Close frame as asyncio's TLS
transport does (its close_notify right behind the last frame, TCP only once the client's came: the
raw WebSocket server over TLS, MHC_TLSWSRAW), through the three I/O layers.  A module of its own: a
TLS connection takes ~38 KB of a 128K heap on MicroPython."""

from check import raises, server, tls_ca
from microhttpc.rfc6455 import ConnectionClosed
from pumps_ws import connect_ws, per_layer


def _drop_over_tls(layer):
    """/drop/2: two messages, then the end (1006) at once.  On MicroPython every layer missed the end
    (recv() timed out, the connection stayed open until the server gave up waiting for the client's
    close_notify): readinto() read on after the frames, took the close_notify, which mbedTLS reports
    once, and later reads found nothing."""
    h, p = server("tlswsraw")
    tls = {"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"}
    ws = connect_ws(layer, h, p, "/drop/2", timeout=10, conn_kw=tls, close_timeout=1)
    try:
        assert ws.recv(5) == "m0"
        assert ws.recv(5) == "m1"
        e = raises(ConnectionClosed, ws.recv, 3)
        assert e.code == 1006, (e.code, e.reason)
    finally:
        ws.close()


per_layer(globals(), "drop_over_tls", _drop_over_tls)
