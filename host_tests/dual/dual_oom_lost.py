"""A MemoryError is reported once and ends its connection, on every layer (README, "Out of memory";
found by an outside out-of-memory hunt, failing before on MicroPython, the first test on both):

- poll's ``request()`` that met it while it made the Request or the Transaction raised it and left the
  connection open, with no ``on_close`` (blocking and aio closed theirs);
- a connection's end (``Session.lost``) took heap of its own (the import of ``rt.load``, and the room
  for ``complete`` in the response), so with the heap full it raised before the session was reset:
  the blocking layer's next request met a parser with no socket (a bare AttributeError), poll's end
  gave no callback at all, and aio's kept the socket's fd for good.

MicroPython: ``micropython.heap_lock()`` is a heap that is exactly full.  On CPython the same sessions
run with the heap free (the first test simulates the failure on both).  A module of its own: it locks
the heap."""

import gc
import os
import sys

from check import server

MP = sys.implementation.name == "micropython"


def _lock():
    if MP:
        import micropython

        micropython.heap_lock()


def _unlock():
    if MP:
        import micropython

        micropython.heap_unlock()


def _bump(counts, i):
    counts[i] += 1


def _fds():
    return len(os.listdir("/proc/self/fd"))


def _failing_request_init():
    """The next Request() raises MemoryError (once), as on a full heap."""
    from microhttpc import request as rq

    orig = rq.Request.__init__

    def boom(self, *a, **kw):
        rq.Request.__init__ = orig
        raise MemoryError("no heap for the Request")

    rq.Request.__init__ = boom


def test_a_request_call_that_meets_memoryerror_ends_its_connection_on_every_layer():
    from microhttpc import Connection
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine()
    log = []
    c = e.connect(h, p, on_err=lambda c, x: log.append(("on_err", x)), on_close=lambda c, x: log.append(("on_close", x)))
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: log.append(("done", ok)))
    assert e.run(until=lambda: log, timeout=5) and log == [("done", True)], log
    del log[:]
    _failing_request_init()
    try:
        e.request(c, "GET", "/hello")
        raise AssertionError("no MemoryError")
    except MemoryError as x:
        err = x
    e.run(until=lambda: c.closed, timeout=2)
    assert c.closed and log == [("on_close", err)], (c.state_name, log)  # (HTTP, [] before)

    b = Connection(h, p, timeout=5)
    assert b.request("GET", "/hello").read() == b"hello world"
    _failing_request_init()
    try:
        b.request("GET", "/hello")
        raise AssertionError("no MemoryError")
    except MemoryError:
        assert b.stream is None
    assert b.request("GET", "/hello").read() == b"hello world"
    b.close()

    import asyncio

    from microhttpc import aio

    async def main():
        a = aio.Connection(h, p, timeout=5)
        assert await (await a.request("GET", "/hello")).read() == b"hello world"
        _failing_request_init()
        try:
            await a.request("GET", "/hello")
            raise AssertionError("no MemoryError")
        except MemoryError:
            assert not a.is_open
        assert await (await a.request("GET", "/hello")).read() == b"hello world"
        await a.close()

    asyncio.run(main())


def test_blocking_the_next_request_works_after_a_read_with_no_heap():
    from microhttpc import Connection

    h, p = server("http")
    c = Connection(h, p, timeout=5)
    for _ in range(3):
        r = c.request("POST", "/echo", body=iter([b"abc", b"def"]))
        _lock()
        try:
            got = r.read()
        except MemoryError:
            got = None
        _unlock()
        assert (got is None) == MP and (MP or b'"body": "abcdef"' in got), got
        if MP:
            assert c.stream is None and c.parser is None and c.active is None, (c.stream, c.parser, c.active)
        assert c.request("GET", "/hello").read() == b"hello world"  # (a bare AttributeError before)
    c.close()


def test_poll_a_connection_ended_with_no_heap_reports_once():
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine()
    n = [0, 0, 0, 0]  # connection on_err, on_close; request on_complete, on_err (counts: no heap for a list)
    c = e.connect(h, p, on_err=lambda c, x: _bump(n, 0),
                  on_close=lambda c, x: _bump(n, 1))
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: _bump(n, 2))
    assert e.run(until=lambda: n[2], timeout=5)
    n[2] = 0
    locked = [0]

    def on_response(r):
        locked[0] = 1
        _lock()  # (from here the body finds no heap)

    e.request(c, "GET", "/chunked?n=3", on_response=on_response, on_complete=lambda r, ok: _bump(n, 2),
              on_err=lambda x: _bump(n, 3))
    raised = []
    for _ in range(200):
        try:
            e.poll(20)
        except MemoryError as x:
            raised.append(x)
        if locked[0]:
            locked[0] = 0
            _unlock()
        if c.closed or n[2]:
            break
    e.run(timeout=0.2)
    if MP:  # the request: on_err, then on_complete(False) (its head had come); the connection: on_err, on_close
        assert c.closed and not raised and n == [1, 1, 1, 1], (c.state_name, raised, n)  # (nothing, raised, before)
    else:
        assert n[2] == 1 and not n[3] and not raised, n
    e.close(c)
    e.run(timeout=1)


def test_aio_a_connection_ended_with_no_heap_closes_its_socket():
    import asyncio

    from microhttpc import aio

    h, p = server("http")

    async def once():
        c = aio.Connection(h, p, timeout=5)
        r = await c.request("GET", "/chunked?n=3")
        coro = r.read()
        _lock()
        try:
            await coro
            x = None
        except MemoryError as e:
            x = e
        _unlock()
        assert (x is not None) == MP and c.is_open == (not MP), (x, c.is_open)
        await c.close()

    async def main():
        gc.collect()
        before = _fds()
        for _ in range(3):
            await once()
            gc.collect()
        assert _fds() == before or not MP, (before, _fds())  # (one more per round before; CPython: the servers
        # share the process, and their sockets close when they will)
        c = aio.Connection(h, p, timeout=5)
        assert await (await c.request("GET", "/hello")).read() == b"hello world"
        await c.close()

    asyncio.run(main())
