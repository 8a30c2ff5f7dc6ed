"""MicroPython: a request that meets the heap's end while the package resolves its target and headers
(``Request.user_headers``: the headers' pairs, each name checked) ends its connection, as a
``MemoryError`` anywhere else in a request does (README, "Out of memory"): the connection stayed open
(blocking ``send()``, aio ``request()``).  The call is set up first (an aio coroutine: before the
package's code runs, and the connection stays as it was), then the heap is filled, then it runs.  A
module of its own: it fills the heap."""

import gc
import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"
HEADERS = [("X-H%d" % i, "v%d" % i) for i in range(8)]


def _sweep(run, is_open):
    hits = 0
    for free in range(64, 3000, 8) if MP else ():
        keep = _fill(free)
        try:
            run()
        except MemoryError:
            hits += 1
            keep = None  # noqa: F841 - (the heap back)
            assert not is_open(), "a MemoryError left the connection open (%d bytes free)" % free
        keep = None  # noqa: F841
        gc.collect()
    return hits


def test_blocking_send_out_of_memory_ends_the_connection():
    from microhttpc import Connection
    from microhttpc.request import Request

    h, p = server("http")
    conn = Connection(h, p, timeout=5)
    req = Request("GET", "/hello", headers=HEADERS)

    def run():
        conn.open()
        conn.send(req).read()

    run()
    assert _sweep(run, lambda: conn.stream is not None) or not MP, "no level met a MemoryError"
    run()
    conn.close()


def test_aio_request_out_of_memory_ends_the_connection():
    import asyncio

    from microhttpc import aio
    from microhttpc.request import Request

    h, p = server("http")
    req = Request("GET", "/hello", headers=HEADERS)

    async def main():
        conn = aio.Connection(h, p, timeout=5)
        await conn.connect()
        r = await conn.request(req)
        await r.read()
        hits = 0
        for free in range(64, 3000, 8) if MP else ():
            await conn.connect()
            coro = conn.request(req)  # (set up before the heap is filled)
            keep = _fill(free)
            try:
                r = await coro
                await r.read()
            except MemoryError:
                hits += 1
                keep = None  # noqa: F841
                assert not conn.is_open, "a MemoryError left the connection open (%d bytes free)" % free
            keep = coro = None  # noqa: F841
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"
        await conn.connect()
        r = await conn.request(req)
        assert await r.read() == b"hello world"
        await conn.close()

    asyncio.run(main())
