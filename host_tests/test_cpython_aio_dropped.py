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


def test_a_reconnecting_connection_keeps_no_old_transport(live_servers):
    # The finaliser of each connect kept its transport (and over TLS its protocol's 256 KiB buffer) for as
    # long as the connection lived: a connection the server closed after each response grew ~330 KB per
    # request over TLS (an outside review).  A closed transport's finaliser lets it go.
    host, port = os.environ["MHC_RAW"].rsplit(":", 1)

    async def main():
        conn = aio.Connection(host, int(port), timeout=5)
        try:
            for _ in range(30):
                r = await conn.request("GET", "/raw/close-50")  # (answered, then closed: a new one each time)
                await r.read()
            gc.collect()
            return sum(1 for o in gc.get_objects() if isinstance(o, asyncio.BaseTransport))
        finally:
            await conn.close()

    assert asyncio.run(main()) <= 2


def test_a_connection_dropped_after_its_loop_closed_says_nothing(live_servers):
    # Kept past asyncio.run() and dropped after: its finaliser's transport.close() met the closed loop,
    # printed as an exception ignored (RuntimeError: Event loop is closed).
    import sys

    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)

    async def main():
        c = aio.Connection(host, int(port), timeout=5)
        r = await c.request("GET", "/hello")
        await r.read()
        return c

    c = asyncio.run(main())
    seen = []
    hook, sys.unraisablehook = sys.unraisablehook, seen.append
    try:
        del c
        gc.collect()
    finally:
        sys.unraisablehook = hook
    assert not seen, [(u.exc_type, u.exc_value) for u in seen]
