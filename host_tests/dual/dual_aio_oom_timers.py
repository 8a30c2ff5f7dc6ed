"""asyncio on MicroPython: a MemoryError while a timed wait is being set up (the watchdog task that
cancels waits at their deadlines) leaves every later timeout working.  Before: a watchdog was published
before its task was made, so every later timeout raised AttributeError or never fired; or a wait its
caller never got stayed armed and, at its deadline, cancelled whatever the task did then.  A module of
its own: it fills the heap."""

import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"


def test_timeouts_hold_after_memory_errors_while_arming():
    import asyncio
    import gc
    import time

    from microhttpc import aio
    from microhttpc.errors import TimeoutError

    async def guard(s):
        await asyncio.sleep(s)
        print("HANG: a timeout of 3 s had not fired after %d s" % s)
        sys.exit(3)

    async def main():
        hits = 0
        for free in range(0, 2000, 8) if MP else ():
            # A new deadline sooner than the watchdog's: _arm makes a new watchdog every time
            keep = _fill(free)
            try:
                await aio._within(asyncio.sleep(0), 0.3 - free / 10000, "nap")
            except MemoryError:
                hits += 1
            keep = None  # noqa: F841 - (the heap back)
            gc.collect()
        assert hits or not MP, "no level met a MemoryError"
        await asyncio.sleep(0.5)  # past every deadline the sweep armed: a wait left armed fires now
        host, port = server("http")
        r = await (await aio.Connection.open(host, port, timeout=5)).request("GET", "/hello")
        assert await r.read() == b"hello world"
        g = asyncio.create_task(guard(10))
        c = aio.Connection(*server("silent"), timeout=3, connect_timeout=3)
        t0 = time.time()
        try:
            await c.request("GET", "/")
            raise AssertionError("an answer from the silent server")
        except TimeoutError:
            took = time.time() - t0
        finally:
            g.cancel()
            await c.close()
        assert 2.5 < took < 8, took

    asyncio.run(main())
