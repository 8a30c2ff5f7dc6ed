"""A WebSocket send over TLS to a server that reads nothing is bounded by ``timeout``, on every layer
that sends so: a large message too (CPython's aio returned at once with all of it held, 50 MB: asyncio's
TLS flow control counts only what it has not handed to the socket's transport).  Both runtimes (a
MicroPython heap has no room for a large message: small ones there, until the socket takes no more)."""

import os
import sys

from check import server
from microhttpc.errors import TimeoutError
from pumps_ws import connect_ws, elapsed, per_layer, ticks


def _ca():
    with open(os.getenv("MHC_TLS_CA"), "rb") as f:
        return f.read()


def _large_send_bounded(layer):
    tls = {"tls": True, "cadata": _ca(), "server_hostname": "localhost"}
    h, p = server("tlswsraw")
    ws = connect_ws(layer, h, p, "/noread", timeout=1, conn_kw=tls, close_timeout=0.5)
    mp = sys.implementation.name == "micropython"
    data = bytes(2048 if mp else 8 << 20)
    t0 = ticks()
    try:
        for _ in range(1 << 20 if mp else 1):
            ws.send(data)
        raise AssertionError("sent")
    except TimeoutError:
        pass
    assert elapsed(t0) < 5, elapsed(t0)
    ws = data = None


per_layer(globals(), "large_send_bounded", _large_send_bounded, layers=("blocking", "aio"))
