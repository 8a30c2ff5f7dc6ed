"""MicroPython: an asyncio WebSocket call that meets a heap that is exactly full ends the connection
(README, "Out of memory"; found by an outside out-of-memory hunt of aio, failing before): a binary
send() checked its message (a tuple) before its try, send_start/send_fragment/send_end/ping/pong made
the payload, the bound method, the argument tuple and the coroutine of _tx before its try, and close()
made its deadline (a float) before its try; each raised MemoryError and left the WebSocket open (the
next send was echoed).  Each call's coroutine is made first (that one is the caller's, as documented),
then the heap is locked.  On CPython the same calls run with the heap free.  A module of its own: it
locks the heap."""

import sys

from check import server
from microhttpc.errors import ConnectionClosed

MP = sys.implementation.name == "micropython"


def test_aio_websocket_calls_that_meet_a_full_heap_end_the_connection():
    import asyncio

    from microhttpc import aio

    h, p = server("http")
    url = "ws://%s:%d/ws" % (h, p)

    async def one(name):
        ws = await aio.ws_connect(url, timeout=10)
        if name in ("send_fragment", "send_end"):
            await ws.send_start(False)
        if name == "send":
            coro = ws.send(b"bin")
        elif name == "close":
            coro = ws.close()
        elif name == "send_start":
            coro = ws.send_start(False)
        else:
            coro = getattr(ws, name)(b"x")
        err = None
        if MP:
            import micropython

            micropython.heap_lock()
        try:
            await coro
        except MemoryError as e:
            err = e
        if MP:
            micropython.heap_unlock()
        if not MP:
            assert err is None, err
            await ws.close()
            return
        assert err is not None and ws.closed, (name, err, ws.closed)  # (open, and the next send echoed, before)
        try:
            await ws.send("after")
            raise AssertionError("%s: a send after the fault went out" % name)
        except ConnectionClosed as e:
            assert e.code == 1006, (name, e)

    async def main():
        for name in ("send", "ping", "pong", "send_start", "send_fragment", "send_end", "close"):
            await one(name)
        ws = await aio.ws_connect(url, timeout=10)  # and a new connection works
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.close()

    asyncio.run(main())
