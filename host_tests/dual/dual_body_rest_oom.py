"""Reading the rest of a body when the heap runs short (two outside hunts):

- poll: ``read()`` after ``read(n)`` copies the rest; when it did not fit, a bare MemoryError came out
  (the blocking and asyncio layers' LimitExceeded, as README says: never a bare MemoryError).  The rest
  stays held, to read in pieces.  (CPython cannot run its heap out: there the held rest is an object
  whose copy raises MemoryError.)
- blocking and asyncio ``readinto()`` after the connection ended while ``lost()`` found no heap to mark
  the response cut (its MemoryError is swallowed: "a read finds the connection gone"): a bare
  AttributeError (the parser is gone); ConnectionLost now, as ``read(n)`` gives.  (The unmarked
  response is made by hand here: seen once at 128K on MicroPython.)"""

import gc
import sys

from check import raises, server

MICROPYTHON = sys.implementation.name == "micropython"
_hold = []


class _NoHeap:
    """A held rest of 20,000 bytes whose copy finds no heap (CPython)."""

    def __len__(self):
        return 20000

    def __bytes__(self):
        raise MemoryError("no heap (made by the test)")


def _fill(leave):
    """Fill the heap (MicroPython), leaving about ``leave`` bytes in holes smaller than the rest."""
    gc.collect()
    size = 1 << 12
    while size >= 16:
        try:
            while gc.mem_free() > leave:
                _hold.append(bytearray(size))
        except MemoryError:
            pass
        size >>= 1
        if gc.mem_free() <= leave:
            break


def test_poll_read_of_a_rest_that_does_not_fit():
    from microhttpc.errors import LimitExceeded
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    got = []
    e.request(conn, "GET", "/bytes/20000", on_complete=lambda r, ok: got.append(r))
    assert e.run(until=lambda: got, timeout=5)
    r = got[0]
    head = r.read(5)
    if MICROPYTHON:
        _fill(10000)
    else:
        r._pending = _NoHeap()
    try:
        exc = raises(LimitExceeded, r.read)
    finally:
        del _hold[:]
        gc.collect()
    assert exc.limit == "max_body", exc
    if not MICROPYTHON:
        return
    rest = r.read()  # (held still: with the heap back, it comes whole)
    assert head == bytes(range(5)) and len(rest) == 19995 and rest[:3] == bytes((5, 6, 7)), (head, len(rest))
    assert rest[-1] == 19999 & 0xFF and all(rest[i] == (i + 5) & 0xFF for i in range(0, 19995, 997))
    e.close_all()
    e.run(timeout=2)


def _unmarked(r, conn_close):
    conn_close()  # the connection ends ...
    r.complete = r._cut = False  # ... and lost() found no heap to mark the response


def test_blocking_readinto_after_an_unmarked_end():
    from microhttpc import Connection
    from microhttpc.errors import ConnectionLost

    h, p = server("http")
    c = Connection(h, p, timeout=5)
    r = c.request("GET", "/bytes/6000")
    assert r.readinto(bytearray(10)) == 10
    _unmarked(r, c.close)
    raises(ConnectionLost, r.readinto, bytearray(100))


def test_aio_readinto_after_an_unmarked_end():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionLost

    async def main():
        h, p = server("http")
        c = await aio.Connection.open(h, p, timeout=5)
        r = await c.request("GET", "/bytes/6000")
        n = await r.readinto(bytearray(10))
        await c.close()
        r.complete = r._cut = False
        try:
            await r.readinto(bytearray(100))
            return n, "no error"
        except ConnectionLost:
            return n, "ConnectionLost"

    assert asyncio.new_event_loop().run_until_complete(main()) == (10, "ConnectionLost")


def _fill_all():
    gc.collect()
    size = 1 << 12
    while size:
        try:
            while True:
                _hold.append(bytearray(size))
        except MemoryError:
            size >>= 1
    try:  # (the smallest blocks too)
        while True:
            _hold.append(None)
    except MemoryError:
        pass


def test_blocking_end_with_no_heap_marks_the_response_cut():
    # The connection ends (close()) with no heap at all: lost() found none to add the response's
    # "cut" mark and swallowed the MemoryError, and the response's reads then took the next
    # response's bytes (a third outside review).  Its slots are made with its head now.
    from microhttpc import Connection
    from microhttpc.errors import ConnectionLost

    h, p = server("http")
    c = Connection(h, p, timeout=5)
    r = c.request("GET", "/bytes/6000")
    # the invariant: the marks are the response's own from its head (setting them takes no heap)
    assert "_cut" in r.__dict__ and "complete" in r.__dict__, sorted(r.__dict__)
    assert r.readinto(bytearray(10)) == 10
    if MICROPYTHON:
        _fill_all()
    try:
        c.close()
    finally:
        del _hold[:]
        gc.collect()
    assert r._cut and r.complete, (r._cut, r.complete)
    r2 = c.request("GET", "/bytes/6000")
    raises(ConnectionLost, r.read, 5)
    assert len(r2.read()) == 6000
    c.close()
