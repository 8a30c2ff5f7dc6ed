"""asyncio on MicroPython: a connection or a request that meets a full heap where the socket joins
asyncio's poll set.  select.poll's register then leaves an empty slot in its table, and the loop's next
wait crashed the port (SIGSEGV: extmod/modselect.c dereferences the slot); now the slot is taken out
and the MemoryError is the call's, as at any other allocation.  A module of its own: it fills the
heap."""

import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"


def test_connects_and_requests_on_a_full_heap_never_crash_the_loop():
    import asyncio
    import gc

    from microhttpc import aio

    async def main():
        host, port = server("http")
        hits = 0
        for free in range(0, 3200, 8) if MP else ():  # every level of free heap, 8 bytes apart
            c = aio.Connection(host, port, timeout=5, connect_timeout=1.5)
            keep = _fill(free)
            try:
                await c.connect()
                r = await c.request("GET", "/hello")
                await r.read()
            except MemoryError:
                hits += 1
            keep = None  # noqa: F841 - (the heap back)
            gc.collect()
            await c.close()
        assert hits or not MP, "no level met a MemoryError"
        c = await aio.Connection.open(host, port, timeout=5)
        r = await c.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await c.close()

    asyncio.run(main())
