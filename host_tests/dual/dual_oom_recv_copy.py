"""MicroPython: a read whose bytes the kernel gave up before recv() found no heap for the bytes object
it returns.  The unix port's recv(256) takes 256 bytes, reads, then asks for 257 for the object: the
package took that for the first allocation (nothing read) and read on with readinto(), and the first
256 bytes of the response were lost (a head read from its body: ProtocolError; or nothing more to come:
TimeoutError after the timeout; all three layers).  Now a plain socket's MemoryError from recv() is the
fault it is.  Every level of the sweep ends with the body whole, or a MemoryError or LimitExceeded with
the connection closed.  A module of its own: it fills the heap."""

import gc
import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"
LEVELS = range(1000, 5000, 16) if MP else ()
# Targets of several lengths: the levels where recv()'s object finds no heap move with the layout
PADS = range(0, 48, 8) if MP else ()


def _check(free, pad, body, exc, is_open):
    from microhttpc.errors import LimitExceeded

    if exc is None:
        assert len(body) == 300, (free, pad, len(body))
    else:
        assert isinstance(exc, (MemoryError, LimitExceeded)), (free, pad, exc)
        assert not is_open(), (free, pad, exc)


def test_blocking():
    from microhttpc import Connection

    h, p = server("http")
    conn = Connection(h, p, timeout=2)
    for pad in PADS:
        target = "/bytes/300?" + "p" * pad
        for free in LEVELS:
            body = exc = None
            keep = _fill(free)
            try:
                body = conn.request("GET", target).read()
            except Exception as e:
                exc = e
            keep = None  # noqa: F841
            gc.collect()
            _check(free, pad, body, exc, lambda: conn.stream is not None)
    assert len(conn.request("GET", "/bytes/300").read()) == 300
    conn.close()


def test_aio():
    import asyncio

    from microhttpc import aio

    h, p = server("http")

    async def main():
        conn = aio.Connection(h, p, timeout=2)
        for pad in PADS:
            target = "/bytes/300?" + "p" * pad
            for free in LEVELS:
                body = exc = None
                coro = conn.request("GET", target)
                keep = _fill(free)
                try:
                    body = await (await coro).read()
                except Exception as e:
                    exc = e
                keep = coro = None  # noqa: F841
                gc.collect()
                _check(free, pad, body, exc, lambda: conn.is_open)
        assert len(await (await conn.request("GET", "/bytes/300")).read()) == 300
        await conn.close()

    asyncio.run(main())


def test_poll():
    from microhttpc import Engine

    h, p = server("http")
    e = Engine()
    conn = None
    for pad in PADS:
        target = "/bytes/300?" + "p" * pad
        for free in LEVELS:
            if conn is None or conn.closed:
                conn = e.connect(h, p, timeout=2)
            res = []
            e.request(conn, "GET", target, on_complete=lambda r, ok: res.append(r.read() if ok else None),
                      on_err=res.append)
            keep = _fill(free)
            try:
                e.run(until=lambda: res, timeout=6)
            except MemoryError as x:  # (raised by run(): the engine call under the full heap)
                res.append(x)
            keep = None  # noqa: F841
            gc.collect()
            assert res, ("no end", free, pad)
            r = res[0]
            if isinstance(r, Exception):
                _check(free, pad, None, r, lambda: not conn.closed)
            else:
                _check(free, pad, r, None, None)
    if conn is not None:
        e.close(conn)
        e.run(timeout=2)
