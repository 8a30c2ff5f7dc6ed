"""Out of memory while a request is being built is a fault like any other, on every layer: the
MemoryError comes out of the call in progress (blocking, asyncio) or goes to the request's and the
connection's on_err (poll) once, the connection is closed with its buffers, and the next request
opens a new one.  The MemoryError is raised on purpose in
``Request.prepare`` (the request head: where a fragmented heap fails before any I/O)."""

import asyncio

from check import server, url
from pumps_http import MICROPYTHON
from microhttpc import Connection, Request, aio, ws_connect
from microhttpc.poll import Engine


def _oom(*args, **kw):
    raise MemoryError


def test_blocking_request_that_cannot_be_built_closes_the_connection():
    host, port = server("http")
    c = Connection(host, port, timeout=10)
    assert c.request("GET", "/hello").read() == b"hello world"
    prepare = Request.prepare
    Request.prepare = _oom
    try:
        c.request("GET", "/hello")
        got = "returned"
    except MemoryError:
        got = "MemoryError"
    finally:
        Request.prepare = prepare
    assert got == "MemoryError" and not c.is_open
    assert c.request("GET", "/hello").read() == b"hello world"
    c.close()


def test_aio_request_that_cannot_be_built_closes_the_connection():
    async def main():
        host, port = server("http")
        c = await aio.Connection.open(host, port, timeout=10)
        assert await (await c.request("GET", "/hello")).read() == b"hello world"
        prepare = Request.prepare
        Request.prepare = _oom
        try:
            await c.request("GET", "/hello")
            got = "returned"
        except MemoryError:
            got = "MemoryError"
        finally:
            Request.prepare = prepare
        was_open = c.is_open
        again = await (await c.request("GET", "/hello")).read()
        await c.close()
        return got, was_open, again

    assert asyncio.run(main()) == ("MemoryError", False, b"hello world")


def test_poll_request_that_cannot_be_built_closes_the_connection():
    host, port = server("http")
    e = Engine(timeout=10)
    log = []
    conn = e.connect(host, port, on_err=lambda c, x: log.append(("conn err", type(x).__name__)),
                     on_close=lambda c, x: log.append(("conn close", type(x).__name__)))
    prepare = Request.prepare
    Request.prepare = _oom
    try:
        # The request is built by the call (it was at its turn: on_err, then the connection's on_err):
        # the MemoryError comes out of it, once, and the connection ends (on_close(conn, it), no on_err).
        try:
            e.request(conn, "GET", "/hello", on_err=lambda x: log.append(("req err", type(x).__name__)),
                      on_response=lambda r: log.append("response"))
        except MemoryError:
            log.append("raised")
        assert e.run(until=lambda: conn.closed, timeout=10), "the connection did not end"
    finally:
        Request.prepare = prepare
    assert log == ["raised", ("conn close", "MemoryError")], log
    conn = e.connect(host, port)
    done = []
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: done.append(ok))
    assert e.run(until=lambda: done, timeout=10) and done == [True]
    e.close(conn)
    e.run(timeout=2)


def _fds():
    import os

    return len(os.listdir("/proc/self/fd"))


def test_a_connection_that_cannot_be_set_up_leaves_no_socket_open():
    """A MemoryError while a new connection's state is made (its response parser) comes out of
    ``open()`` / ``ws_connect()`` once and leaves no socket open, on the blocking and asyncio layers.
    (Both made it after the socket: ``ws_connect`` left the socket open with nothing holding the
    connection any more, on MicroPython for good: its sockets have no finaliser.)"""
    import gc

    host, port = server("http")
    opened = Connection.opened
    aio_opened = aio.Connection.opened
    Connection.opened = aio.Connection.opened = _oom
    try:
        gc.collect()
        before = _fds()
        for attempt in ("ws_connect", "open"):
            c = Connection(host, port, timeout=5)
            try:
                ws_connect(url("ws", "ws", "/"), timeout=5) if attempt == "ws_connect" else c.open()
                got = "returned"
            except MemoryError:
                got = "MemoryError"
            assert got == "MemoryError" and not c.is_open, (attempt, got)

        async def main():
            for attempt in ("ws_connect", "open"):
                try:
                    if attempt == "ws_connect":
                        await aio.ws_connect(url("ws", "ws", "/"), timeout=5)
                    else:
                        await aio.Connection.open(host, port, timeout=5)
                    got = "returned"
                except MemoryError:
                    got = "MemoryError"
                assert got == "MemoryError", (attempt, got)

        asyncio.run(main())
        gc.collect()
        if MICROPYTHON:  # (CPython: the test servers' ends of the connections are in this process too)
            assert _fds() == before, (before, _fds())
    finally:
        Connection.opened = opened
        aio.Connection.opened = aio_opened
    c = Connection(host, port, timeout=5)
    assert c.request("GET", "/hello").read() == b"hello world"
    c.close()
