"""CPython: an asyncio connection, or its WebSocket, dropped without close() frees its socket when it is
collected, as a blocking one does (an outside hunt: the transport's protocol held the connection, so each
kept its descriptor until the event loop ended; 50 dropped, 50 open).  MicroPython's unix port gives a
socket no finaliser at all (a bare socket dropped stays open too): the test is CPython's."""

import asyncio
import gc
import os

from microhttpc import aio


def _fds():
    return len(os.listdir("/proc/self/fd"))


def test_dropped_aio_connections_and_websockets_close_their_sockets(live_servers):
    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)

    async def conn_once():
        c = aio.Connection(host, int(port), timeout=5)
        r = await c.request("GET", "/hello")
        assert await r.read() == b"hello world"

    async def ws_once():
        ws = await aio.ws_connect("ws://%s:%s/ws" % (host, port), timeout=5)
        await ws.send("x")
        assert await ws.recv() == "x"

    async def main(once):
        await once()
        gc.collect()
        await asyncio.sleep(0.1)
        before = _fds()
        for _ in range(20):
            await once()
        gc.collect()
        await asyncio.sleep(0.3)  # (the transports' close runs on the loop)
        return _fds() - before

    for once in (conn_once, ws_once):
        grew = asyncio.run(main(once))
        assert grew < 3, (once.__name__, grew)
