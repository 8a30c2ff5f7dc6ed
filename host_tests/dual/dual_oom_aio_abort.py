"""MicroPython: an aio connection that meets the heap's end in the WebSocket upgrade, or in a
WebSocket's send or receive, ends (README, "Out of memory"): where the layer ended it with ``await
self._abort()``, the coroutine that call makes needed heap the full heap did not have, and the
connection stayed open.  Each call is set up first (a coroutine: before the package's code runs), then
the heap is filled, then it runs.  A module of its own: it fills the heap."""

import gc
import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"


def test_aio_upgrade_out_of_memory_ends_the_connection():
    import asyncio

    from microhttpc import aio

    h, p = server("http")

    async def main():
        conn = aio.Connection(h, p, timeout=5)
        hits = 0
        for free in range(64, 4000, 16) if MP else ():
            await conn.connect()
            coro = conn.upgrade("/ws")
            keep = _fill(free)
            try:
                ws = await coro
            except MemoryError:
                hits += 1
                keep = None  # noqa: F841
                assert not conn.is_open, "a MemoryError left the connection open (%d bytes free)" % free
            else:
                keep = None  # noqa: F841
                await ws.close()
            keep = coro = ws = None  # noqa: F841
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"
        await conn.connect()
        ws = await conn.upgrade("/ws")
        await ws.send("after")
        assert await ws.recv() == "after"
        await ws.close()
        await conn.close()

    asyncio.run(main())


def test_aio_websocket_out_of_memory_ends_the_connection():
    import asyncio

    from microhttpc import aio

    h, p = server("http")
    msg = "m" * 300

    async def main():
        hits = 0
        for free in range(64, 3000, 16) if MP else ():
            ws = await aio.ws_connect("ws://%s:%d/ws" % (h, p), timeout=5)
            conn = ws.conn
            coro = ws.send(msg)
            keep = _fill(free)
            try:
                await coro
                coro = ws.recv()
                await coro
            except MemoryError:
                hits += 1
                keep = None  # noqa: F841
                assert not conn.is_open, "a MemoryError left the connection open (%d bytes free)" % free
            keep = coro = None  # noqa: F841
            gc.collect()
            await ws.close()
            ws = conn = None
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"

    asyncio.run(main())


def test_aio_websocket_close_out_of_memory_ends_the_connection():
    import asyncio

    from microhttpc import aio

    h, p = server("http")

    async def main():
        hits = 0
        for free in range(64, 3000, 16) if MP else ():
            ws = await aio.ws_connect("ws://%s:%d/ws" % (h, p), timeout=5)
            conn = ws.conn
            coro = ws.close()
            keep = _fill(free)
            try:
                await coro
            except MemoryError:
                hits += 1
            keep = coro = None  # noqa: F841
            gc.collect()
            assert not conn.is_open, "close() left the connection open (%d bytes free)" % free
            ws = conn = None
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"

    asyncio.run(main())


def test_aio_read_out_of_memory_in_the_copy_closes_the_connection():
    """A whole-body read() whose body came into its buffer but whose copy to bytes met the heap's end:
    LimitExceeded, and the connection closed, as on the blocking layer (aio read the END event first,
    the response was no longer the connection's, and the connection stayed open)."""
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import LimitExceeded

    h, p = server("http")

    async def main():
        conn = aio.Connection(h, p, timeout=5)
        hits = 0
        for free in range(4200, 9400, 64) if MP else ():
            r = await conn.request("GET", "/bytes/4096")
            coro = r.read()
            keep = _fill(free)
            try:
                await coro
            except LimitExceeded:
                hits += 1
                keep = None  # noqa: F841
                assert not conn.is_open, "a LimitExceeded for want of heap left it open (%d bytes free)" % free
            keep = coro = r = None  # noqa: F841
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"
        r = await conn.request("GET", "/bytes/4096")
        assert len(await r.read()) == 4096
        await conn.close()

    asyncio.run(main())
