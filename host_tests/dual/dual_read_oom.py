"""A whole read() meeting a full heap (MicroPython), blocking and asyncio: it raises LimitExceeded, never a
bare MemoryError once a byte was read, and what it had read is gone: the next read() raises ConnectionLost,
never gives a shorter body as the whole (it gave b"" for a body read to its end: the blocking one's attributes after
its try, a bare MemoryError; asyncio's copy of a complete body, after LimitExceeded).  A module of its
own: it fills the heap."""

import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"
SIZE = 3000


def _outcomes(read, request, close, size=SIZE, levels=range(0, 9000, 150)):
    """For each level of free heap: GET a body of ``size`` bytes, fill the heap, read() it whole; then,
    heap back, read() again.  The outcomes seen (each a pair of names)."""
    import gc

    from microhttpc.errors import ConnectionLost, LimitExceeded

    seen = set()
    for free in levels if MP else (None,):
        r = request(size)
        keep = _fill(free) if MP else None
        first = None
        try:
            body = read(r)
        except Exception as exc:  # (a tuple of classes here takes heap: checked once the heap is back)
            first = exc
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        if first is not None:  # MemoryError: before a byte was read
            assert isinstance(first, (LimitExceeded, MemoryError)), (free, repr(first))
            first = first.__class__.__name__
        if first is None:
            assert len(body) == size, (free, len(body))
            seen.add(("whole", "-"))
            continue
        try:
            again = read(r)
        except ConnectionLost:
            seen.add((first, "ConnectionLost"))
            close()
            continue
        if len(again) == size:
            seen.add((first, "whole"))  # (nothing was lost: read before a byte was taken)
            continue
        raise AssertionError("after %s at %d free, read() gave %d of %d bytes" % (first, free, len(again), size))
    return seen


def test_blocking_read_out_of_memory_is_never_a_shorter_body():
    from microhttpc import Connection

    host, port = server("http")
    conn = Connection(host, port, timeout=10)
    try:
        request = lambda n: conn.request("GET", "/bytes/%d" % n)  # noqa: E731
        seen = _outcomes(lambda r: r.read(), request, conn.close)
        assert ("whole", "-") in seen and (not MP or ("LimitExceeded", "ConnectionLost") in seen), seen
        # a small body, at every 8 bytes: the object's growth once the body was read (a bare MemoryError,
        # then b"" for a body of 46 bytes)
        seen = _outcomes(lambda r: r.read(), request, conn.close, 46, range(0, 1600, 8))
        assert ("whole", "-") in seen, seen
        assert conn.request("GET", "/hello").read() == b"hello world"
    finally:
        conn.close()


def test_aio_read_out_of_memory_is_never_a_shorter_body():
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        try:
            seen = set()
            import gc

            from microhttpc.errors import ConnectionLost, LimitExceeded

            for free in range(0, 9000, 150) if MP else (None,):
                r = await conn.request("GET", "/bytes/%d" % SIZE)
                keep = _fill(free) if MP else None
                first = None
                try:
                    body = await r.read()
                except Exception as exc:
                    first = exc
                keep = None  # noqa: F841
                gc.collect()
                if first is not None:
                    assert isinstance(first, (LimitExceeded, MemoryError)), (free, repr(first))
                    first = first.__class__.__name__
                if first is None:
                    assert len(body) == SIZE, (free, len(body))
                    seen.add(("whole", "-"))
                    continue
                try:
                    again = await r.read()
                except ConnectionLost:
                    seen.add((first, "ConnectionLost"))
                    await conn.close()
                    continue
                if len(again) == SIZE:
                    seen.add((first, "whole"))
                    continue
                raise AssertionError("after %s at %d free, read() gave %d of %d bytes"
                                     % (first, free, len(again), SIZE))
            assert ("whole", "-") in seen and (not MP or ("LimitExceeded", "ConnectionLost") in seen), seen
            r = await conn.request("GET", "/hello")
            assert await r.read() == b"hello world"
        finally:
            await conn.close()

    asyncio.run(main())
