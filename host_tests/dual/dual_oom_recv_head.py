"""MicroPython: a response head that recv() took from the kernel and then found no heap for is lost
(the port allocates the bytes it returns after the read), so that MemoryError is the fault it is: the
request ends with it, once.  rtio.recv_into fell back to readinto(), which found nothing left, and the
request waited for its timeout ("no response within 2 s"), or with timeout=None for good, on all three
layers (the blocking and asyncio ones here).  (A MemoryError of recv()'s own buffer, before it read a byte, still falls back: the message
names that size.)  Each request is set up on a warm connection, the heap filled, then it runs.  A
module of its own: it fills the heap."""

import gc
import sys

from check import server

MP = sys.implementation.name == "micropython"
LEVELS = range(1600, 3200, 32) if MP else ()
_HELD = [None] * 1200


def _free():
    h = _HELD
    for i in range(len(h)):
        h[i] = None
    gc.collect()


def _fill(free):
    """Take the heap but one hole of about ``free`` bytes (and what slivers stay): blocks of 8 KiB
    down to a byte, held in a list made before."""
    _free()
    h = _HELD
    try:
        hole = bytearray(free)
    except MemoryError:
        hole = None
    n = 0
    for size in (8192, 2048, 512, 128, 32, 8, 1):
        try:
            while n < len(h):
                h[n] = bytearray(size)
                n += 1
        except MemoryError:
            pass
    hole = None  # noqa: F841 - (given back: the room left)
    gc.collect()
    return h


def _tally(outs):
    from microhttpc.errors import TimeoutError

    assert not [o for o in outs if isinstance(o, TimeoutError)], outs
    assert not MP or [o for o in outs if isinstance(o, MemoryError)], outs  # (the sweep met the heap's end)


def test_blocking():
    from microhttpc import Connection

    c = Connection(*server("http"), timeout=2)
    outs = []
    for free in LEVELS:
        c.request("GET", "/hello").read()
        _fill(free)
        try:
            c.request("GET", "/hello")
            res = "ok"
        except Exception as exc:  # noqa: BLE001 - (MemoryError, TimeoutError: tallied)
            res = exc
        _free()  # (the heap back before the list grows)
        outs.append(res)
    c.close()
    _tally(outs)


def test_aio():
    import asyncio

    from microhttpc import aio

    async def main():
        c = await aio.Connection.open(*server("http"), timeout=2)
        outs = []
        for free in LEVELS:
            if not c.is_open:
                await c.connect()
            r = await c.request("GET", "/hello")
            await r.read()
            _fill(free)
            try:
                await c.request("GET", "/hello")
                res = "ok"
            except Exception as exc:  # noqa: BLE001
                res = exc
            _free()
            outs.append(res)
        await c.close()
        return outs

    _tally(asyncio.run(main()))
