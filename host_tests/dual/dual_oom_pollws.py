"""The poll Engine's WebSocket when the heap runs out (found by an outside out-of-memory sweep of poll;
failing before: the first on MicroPython, the second on both runtimes):

- a WebSocket that ended with frames still queued made a tuple to say so, before any report: on a
  full heap that raised first, and the connection was CLOSED with no on_err or on_close (its own or the
  WebSocket's), its socket open and itself still in the engine (run() never returned);
- a frame the protocol built whose place in the write queue found no heap was lost, the MemoryError
  raised to the caller and the connection left open: the message went on without it (the server got
  b"AAAACCCC" for AAAA, BBBB, CCCC).  The connection ends now (1006), as for any MemoryError of a call.

MicroPython: ``micropython.heap_lock()`` is a heap that is exactly full (on CPython the same session
runs with the heap free); the second test makes the queue's append fail, on both.  A module of its
own: it locks the heap."""

import gc
import os
import sys

from check import server
from microhttpc.errors import ConnectionClosed

MP = sys.implementation.name == "micropython"


def _bump(counts, i):
    counts[i] += 1


def test_a_websocket_that_ends_with_frames_queued_and_no_heap_reports_its_end():
    from microhttpc.poll import Engine

    h, p = server("http")
    n = [0, 0, 0, 0, 0]  # connection on_close, on_err; WebSocket on_open, on_close, on_err (no heap for a list)
    gc.collect()
    fds = len(os.listdir("/proc/self/fd"))
    e = Engine()
    c = e.connect(h, p, timeout=5, on_close=lambda c, x: _bump(n, 0), on_err=lambda c, x: _bump(n, 1))
    w = e.upgrade(c, "/ws", on_open=lambda w: _bump(n, 2), on_close=lambda code, r: _bump(n, 3),
                  on_err=lambda x: _bump(n, 4))
    assert e.run(until=lambda: n[2], timeout=5)
    w.send("hello")
    if MP:
        import micropython

        micropython.heap_lock()
    try:
        e.poll(20)
    except MemoryError:
        pass  # (the round's own poll set may find no heap too: another fault, after the connection's)
    if MP:
        micropython.heap_unlock()
        assert e.run(timeout=3) and not e.connections, e.connections  # (it stayed, CLOSED, for good)
        assert n == [1, 1, 1, 1, 1], n  # ([0, 0, 1, 0, 0] before)
        gc.collect()
        assert len(os.listdir("/proc/self/fd")) == fds, "the socket stayed open"
    else:
        e.close(c)
        e.run(timeout=3)
        assert n[0] == 1 and n[2] == 1 and n[3] == 1, n


class _FullOnce(list):
    """A write queue whose next append finds no heap."""

    armed = False

    def append(self, item):
        if _FullOnce.armed:
            _FullOnce.armed = False
            raise MemoryError("no heap for the queue's entry")
        list.append(self, item)


def test_a_frame_that_finds_no_place_in_the_write_queue_ends_the_connection():
    from microhttpc.poll import Engine

    h, p = server("http")
    got, st = [], []
    e = Engine()
    c = e.connect(h, p, timeout=5, on_close=lambda c, x: st.append(("conn", x)))
    w = e.upgrade(c, "/ws", on_open=lambda w: st.append("open"), on_msg=got.append,
                  on_close=lambda code, r: st.append(code))
    assert e.run(until=lambda: "open" in st, timeout=5)
    w.send_start(False)
    w.send_fragment(b"AAAA")
    e.poll(10)
    c._out = _FullOnce(c._out)
    _FullOnce.armed = True
    try:
        w.send_fragment(b"BBBB")
        raise AssertionError("no MemoryError")
    except MemoryError:
        pass
    e.run(until=lambda: c.closed, timeout=3)
    assert c.closed and 1006 in st, (c.state_name, st)  # (WEBSOCKET before)
    try:
        w.send_end(b"CCCC")
        raise AssertionError("send_end() on an ended WebSocket")
    except ConnectionClosed:
        pass
    e.run(timeout=0.5)
    assert got == [], got  # ([b"AAAACCCC"] before)


def test_a_message_over_the_limit_whose_close_cannot_be_built_is_one_fault():
    """The 1009 of a message over max_message, when no heap is left for its Close frame (a MemoryError
    in ``Protocol._build``, as dual_ws_send_oom does for the other layers): the WebSocket's on_err and
    the connection's on_err and on_close all get the LimitExceeded, on_close 1006 (no Close went out).
    The connection's callbacks got the MemoryError: two errors for one fault (found by an outside review
    of the out-of-memory contract; the blocking layer raises ConnectionClosed with that LimitExceeded)."""
    from microhttpc.poll import Engine
    from microhttpc.rfc6455 import Protocol

    def kind(x):
        return x if x is None or isinstance(x, int) else type(x).__name__

    def oom(*args, **kw):
        raise MemoryError

    seen = []
    e = Engine()
    h, p = server("http")
    c = e.connect(h, p, timeout=10, on_err=lambda c, x: seen.append(("conn on_err", kind(x))),
                  on_close=lambda c, x: seen.append(("conn on_close", kind(x))))
    e.upgrade(c, "/ws", max_message=16, on_open=lambda w: w.send("x" * 100),  # echoed: over max_message
              on_err=lambda x: seen.append(("ws on_err", kind(x))),
              on_close=lambda code, r: seen.append(("ws on_close", code)))
    e.run(until=lambda: c.websocket is not None and not c._out, timeout=10)
    build = Protocol._build
    Protocol._build = oom
    try:
        e.run(until=lambda: c.closed, timeout=10)
    finally:
        Protocol._build = build
    assert seen == [("ws on_err", "LimitExceeded"), ("ws on_close", 1006), ("conn on_err", "LimitExceeded"),
                    ("conn on_close", "LimitExceeded")], seen
    gc.collect()
    w = []
    c = e.connect(h, p, timeout=10)
    e.upgrade(c, "/ws", on_open=lambda ws: ws.send("after"), on_msg=w.append)
    assert e.run(until=lambda: w, timeout=10) and w == ["after"], w
    e.close(c)
