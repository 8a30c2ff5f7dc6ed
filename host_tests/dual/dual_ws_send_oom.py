"""Out of memory while a WebSocket frame is built is a fault like any other, on every layer: the
MemoryError comes out of the call in progress (send, ping, close) once, the connection closes with it
(no Close frame: there is no heap to build one), later calls raise ConnectionClosed (1006), and after
gc.collect() a new WebSocket works (the poll engine's case: dual_poll_oom).  The MemoryError is raised on purpose in ``Protocol._build``,
where every outgoing frame gets its buffer: on a fragmented board heap this is the allocation that
fails (a frame as large as the message)."""

import asyncio

from check import raises, server, url
from microhttpc import Connection, ConnectionClosed, aio, ws_connect
from microhttpc.rfc6455 import Protocol
from ws_nobuild import _after_gc_a_websocket_works, _oom, _without_heap


def test_blocking_send_ping_and_close_without_heap_close_the_connection():
    host, port = server("http")
    for call in ("send", "send_binary", "ping", "close"):
        c = Connection(host, port, timeout=10)
        c.open()
        w = c.upgrade("/ws")
        closes = []
        w.on_close = lambda code, reason: closes.append(code)
        w.send("before")
        assert w.recv() == "before"
        arg = () if call == "close" else (b"no heap",)
        assert _without_heap(getattr(w, call), *arg) == "MemoryError", call
        assert w.closed and not c.is_open, call  # the Connection it came from is closed with it
        raises(ConnectionClosed, w.send, "after")
        raises(ConnectionClosed, w.recv)
        w.close()  # safe after the fault
        assert w.close_code == 1006 and closes == [1006], (call, w.close_code, closes)
    _after_gc_a_websocket_works()


def test_aio_send_without_heap_closes_the_connection():
    async def main():
        host, port = server("http")
        c = await aio.Connection.open(host, port, timeout=10)
        w = await c.upgrade("/ws")
        await w.send("before")
        assert await w.recv() == "before"
        build = Protocol._build
        Protocol._build = _oom
        try:
            await w.send("no heap")
            got = "returned"
        except MemoryError:
            got = "MemoryError"
        finally:
            Protocol._build = build
        state = (got, w.closed, c.is_open)
        try:
            await w.recv()
            after = "returned"
        except ConnectionClosed as exc:
            after = exc.code
        await w.close()
        return state, after

    assert asyncio.run(main()) == (("MemoryError", True, False), 1006)
    _after_gc_a_websocket_works()


def test_aio_send_without_heap_for_a_coroutine_still_closes_the_connection():
    # With no heap, not even the coroutine that would close the socket can be made (emulated: the
    # connection's _abort raises MemoryError): the socket closes all the same, with a plain call (it
    # stayed open until close()).
    async def main():
        host, port = server("http")
        c = await aio.Connection.open(host, port, timeout=10)
        w = await c.upgrade("/ws")
        build, abort = Protocol._build, aio.Connection._abort
        Protocol._build = aio.Connection._abort = _oom
        try:
            await w.send("no heap")
            got = "returned"
        except MemoryError:
            got = "MemoryError"
        finally:
            Protocol._build, aio.Connection._abort = build, abort
        state = (got, w.closed, c.is_open)
        await w.close()
        return state

    assert asyncio.run(main()) == ("MemoryError", True, False)
    _after_gc_a_websocket_works()


def test_a_message_over_the_limit_whose_close_cannot_be_built_is_not_a_bare_memoryerror():
    # The 1009 of a message over max_message, when no heap is left for its Close frame: recv() raises
    # ConnectionClosed with the LimitExceeded as its cause, not a bare MemoryError (blocking; aio below).
    from microhttpc.errors import LimitExceeded

    w = ws_connect(url("ws", "http", "/ws"), timeout=10, max_message=16)
    w.send("x" * 100)  # echoed: over max_message
    build = Protocol._build
    Protocol._build = _oom
    try:
        e = raises(ConnectionClosed, w.recv)
    finally:
        Protocol._build = build
    assert isinstance(e.cause, LimitExceeded) and w.closed, (e, e.cause)
    w.close()
    _after_gc_a_websocket_works()


def test_aio_a_message_over_the_limit_whose_close_cannot_be_built_is_not_a_bare_memoryerror():
    # The same on asyncio (a test of its own: both layers' WebSocket modules and a third connection in
    # one 128K heap were at its edge).
    from microhttpc.errors import LimitExceeded

    build = Protocol._build

    async def main():
        w = await aio.ws_connect(url("ws", "http", "/ws"), timeout=10, max_message=16)
        await w.send("x" * 100)
        Protocol._build = _oom
        try:
            await w.recv()
            got = "returned"
        except ConnectionClosed as exc:
            got = exc
        except MemoryError:
            got = "MemoryError"
        finally:
            Protocol._build = build
        await w.close()
        return got

    e = asyncio.run(main())
    assert isinstance(e, ConnectionClosed) and isinstance(e.cause, LimitExceeded), e
    _after_gc_a_websocket_works()



def _without_heap_to_receive(fn):
    """``fn()`` while no input can be parsed (the protocol's receive_data raises MemoryError)."""
    receive = Protocol.receive_data
    Protocol.receive_data = _oom
    try:
        fn()
        return "returned"
    except MemoryError:
        return "MemoryError"
    finally:
        Protocol.receive_data = receive


def test_blocking_close_without_heap_for_the_servers_close():
    """close() whose Close frame went out, and no heap to take the server's: the MemoryError comes out
    of close() once the socket is closed, on_close reports 1006 once, later calls raise
    ConnectionClosed.  It was swallowed: close() returned, close_code 1006, nothing said why."""
    closes = []
    w = ws_connect(url("ws", "http", "/ws"), timeout=10, on_close=lambda code, reason: closes.append(code))
    w.send("before")
    assert w.recv() == "before"
    got = _without_heap_to_receive(w.close)
    assert (got, w.closed, w.close_code, closes) == ("MemoryError", True, 1006, [1006]), (
        got, w.closed, w.close_code, closes)
    raises(ConnectionClosed, w.send, "after")
    w.close()  # safe after the fault, and nothing reported twice
    assert closes == [1006], closes
    _after_gc_a_websocket_works()


def test_aio_close_without_heap_for_the_servers_close():
    """The same on aio."""
    closes = []

    async def main():
        w = await aio.ws_connect(url("ws", "http", "/ws"), timeout=10,
                                 on_close=lambda code, reason: closes.append(code))
        await w.send("before")
        assert await w.recv() == "before"
        receive = Protocol.receive_data
        Protocol.receive_data = _oom
        try:
            await w.close()
            got = "returned"
        except MemoryError:
            got = "MemoryError"
        finally:
            Protocol.receive_data = receive
        state = (got, w.closed, w.close_code, list(closes))
        try:
            await w.send("after")
            after = "returned"
        except ConnectionClosed as exc:
            after = exc.code
        await w.close()
        return state, after, closes

    state, after, closes = asyncio.run(main())
    assert state == ("MemoryError", True, 1006, [1006]) and after == 1006 and closes == [1006], (state, after, closes)
    _after_gc_a_websocket_works()


def test_blocking_calls_store_no_new_attribute():
    # A WebSocket's table of attributes is sized when it is made; a call that stored a new one grew it
    # (272 bytes for one with callbacks), and with the heap full that MemoryError came before the call
    # could end the connection: close() raised and left the WebSocket open (a later send() went out),
    # the first recv() too.  Each call stores only what the WebSocket already has.
    host, port = server("http")
    for last in ("close", "recv"):
        w = ws_connect(url("ws", "http", "/ws"), timeout=10, on_err=lambda e: None, on_ping=lambda d: None,
                       on_pong=lambda d: None, on_close=lambda code, reason: None)
        names = sorted(w.__dict__)
        if last == "recv":
            w.send("x")
            assert w.recv() == "x" and not w.poll(0.01)
            w.ping(b"p")
            assert sorted(w.__dict__) == names, (set(w.__dict__) ^ set(names))
        w.close()
        assert sorted(w.__dict__) == names, (last, set(w.__dict__) ^ set(names))


def test_blocking_close_after_the_fault_raises_no_second_memoryerror():
    # send() reported the fault (MemoryError, once); close() and the Connection's close() after it, with
    # the heap still full (no heap for a ConnectionClosed either), return: they raised MemoryError
    # again, each of them, for the same fault.
    host, port = server("http")
    c = Connection(host, port, timeout=10)
    c.open()
    w = c.upgrade("/ws")
    w.send("before")
    assert w.recv() == "before"
    assert _without_heap(w.send, "no heap") == "MemoryError"
    made = Protocol.closed_error
    Protocol.closed_error = _oom
    try:
        w.close()
        c.close()
        w.close()
    finally:
        Protocol.closed_error = made
    assert w.closed and w.close_code == 1006
    raises(ConnectionClosed, w.send, "after")
    _after_gc_a_websocket_works()
