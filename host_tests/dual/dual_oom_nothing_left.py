"""A heap with nothing left (an outside out-of-memory sweep; each failing before on MicroPython):

- a WebSocket's send(), ping() (blocking and poll) raised the MemoryError of its payload's check or
  of the call's arguments before the code that ends the connection, which stayed open with no
  on_close (poll: in the engine until its timeout); asyncio's closed it, as README "Out of memory" says;
- the blocking close() and the poll Engine.close() of an open WebSocket raised it and left the
  connection open, on_close never told: on MicroPython an ``except (A, B)`` builds its tuple on the
  heap, and with none left that raised a MemoryError of its own past the handler that ends it;
- the same clause in the blocking request(): a body piece that met no heap left the connection
  mid-request, not aborted.

MicroPython: ``micropython.heap_lock()`` is a heap that is exactly full.  On CPython the same calls
run with the heap free, and do their work.  A module of its own: it locks the heap."""

import gc
import sys

from check import server

MP = sys.implementation.name == "micropython"
_OOM = MemoryError("no heap")  # made before the heap is locked


def _locked(fn, arg):
    """``fn(arg)`` with the heap locked (MicroPython): "MemoryError", or "done".  (No ``*args``: the
    call would make their tuple, a MemoryError before the package's code runs.)"""
    if MP:
        import micropython

        micropython.heap_lock()
    try:
        fn(arg)
        r = "done"
    except MemoryError:
        r = "MemoryError"
    if MP:
        import micropython

        micropython.heap_unlock()
    return r


def test_blocking_send_ping_and_close_with_no_heap_end_the_connection():
    from microhttpc import Connection
    from microhttpc.errors import ConnectionClosed

    h, p = server("http")
    for call, arg in (("send", b"x" * 300), ("send", "hi"), ("send_binary", b"ab"), ("ping", b"x"),
                      ("close", 1000)):
        closes = []
        c = Connection(h, p, timeout=5)
        c.open()
        w = c.upgrade("/ws", on_close=lambda code, r: closes.append(code))
        gc.collect()
        got = _locked(getattr(w, call), arg)
        if MP:
            assert got == "MemoryError", (call, got)
            assert w.closed, (call, "the connection stayed open")
            try:
                w.send("after")
                raise AssertionError("a send after it went out (%s)" % call)
            except ConnectionClosed as e:
                assert e.code == 1006, (call, e.code)
            assert closes == [1006], (call, closes)  # (close(): before it raised; the others: at the send after)
        else:
            assert got == "done", (call, got)
            if call == "close":
                assert w.closed and closes == [1000], closes
            else:
                if call != "ping":
                    assert w.recv(timeout=5) == arg, call  # its echo
                w.send("after")
                assert w.recv(timeout=5) == "after", call
        w.close()
        c.close()


def test_poll_send_ping_and_engine_close_with_no_heap_end_the_connection():
    from microhttpc.poll import Engine

    h, p = server("http")
    for call, arg in (("send", b"x" * 300), ("send", "hi"), ("ping", b"x"), ("close", None)):
        ends, closes, opened = [], [], []
        e = Engine()
        c = e.connect(h, p, timeout=5, on_close=lambda c, x: ends.append(x))
        w = e.upgrade(c, "/ws", on_open=opened.append, on_close=lambda code, r: closes.append(code))
        assert e.run(until=lambda: opened, timeout=5)
        gc.collect()
        got = _locked(e.close, c) if call == "close" else _locked(getattr(w, call), arg)
        if MP:
            assert got == "MemoryError", (call, got)
            assert e.run(until=lambda: c.closed, timeout=3), (call, "the connection stayed open")
            assert closes == [1006], (call, closes)
            assert len(ends) == 1 and isinstance(ends[0], MemoryError), (call, ends)
            assert not e.connections, e.connections
        else:
            assert got == "done", (call, got)
            e.close(c)
            assert e.run(until=lambda: c.closed, timeout=5)
            assert closes == [1000] and ends == [None], (call, closes, ends)
        e.close_all()


def test_blocking_a_body_piece_with_no_heap_aborts_the_request():
    from microhttpc import Connection

    h, p = server("http")
    c = Connection(h, p, timeout=5)

    def pieces():
        yield b"a" * 2000
        if MP:
            import micropython

            micropython.heap_lock()
        raise _OOM

    try:
        c.request("POST", "/echo", body=pieces())
        raise AssertionError("no MemoryError")
    except MemoryError as e:
        if MP:
            import micropython

            micropython.heap_unlock()
        assert e is _OOM, e  # (the piece's own, not one of the handler's tuple)
    assert not c.is_open, "the connection was left mid-request"
    r = c.request("GET", "/hello")
    assert r.read() == b"hello world"
    c.close()
