"""Out of memory in the poll engine's WebSocket upgrade is a fault like any other: reported once to
the WebSocket (on_err; on_close too once it was open) and to the connection (on_err, on_close), the
connection closed, the engine running on, and a new connection upgrading afterwards.

The MemoryError is raised on purpose at each step where the upgrade allocates (the protocol object,
made by Engine.upgrade() itself; the 101 checks with the bytes that followed the head; the first
dispatch of frames): on a board
these are where a fragmented heap fails, and which one fails depends on the heap."""

import gc

from check import server
from microhttpc import pollws
from microhttpc.poll import Engine
from microhttpc.rfc6455 import Protocol


def _oom(*args, **kw):
    raise MemoryError


def _session(patch_name, restore):
    e = Engine()
    host, port = server("http")
    log = []
    conn = e.connect(host, port, timeout=10, on_err=lambda c, x: log.append(("conn err", type(x).__name__)),
                     on_close=lambda c, x: log.append(("conn close",)))
    w = e.upgrade(conn, "/ws", on_open=lambda w: (log.append(("ws open",)), w.send("hello")),
                  on_msg=lambda m: log.append(("ws msg", m)),
                  on_err=lambda x: log.append(("ws err", type(x).__name__)),
                  on_close=lambda code, reason: log.append(("ws close", code)))
    try:
        assert e.run(until=lambda: conn.closed, timeout=10), "the connection did not end"
    finally:
        restore()
    return log, w


def _after_gc_an_upgrade_works():
    gc.collect()
    e = Engine()
    host, port = server("http")
    got = []
    conn = e.connect(host, port, timeout=10)
    e.upgrade(conn, "/ws", on_open=lambda w: w.send("again"), on_msg=lambda m: (got.append(m), conn.close()))
    assert e.run(until=lambda: conn.closed, timeout=10) and got == ["again"]


def test_memory_error_in_the_101_checks_reaches_the_websocket_once():
    from microhttpc import handshake

    saved = handshake.finish_upgrade
    handshake.finish_upgrade = _oom

    def restore():
        handshake.finish_upgrade = saved

    log, w = _session("finish_upgrade", restore)
    # Before on_open: the WebSocket's on_err (its on_close belongs to an open WebSocket), then the
    # connection's on_err and on_close, each once.
    assert log == [("ws err", "MemoryError"), ("conn err", "MemoryError"), ("conn close",)], log
    _after_gc_an_upgrade_works()


def test_memory_error_making_the_protocol_is_raised_by_upgrade():
    # The protocol is made by Engine.upgrade() itself (long-lived objects early): the MemoryError is
    # the exception of that call, nothing is queued, and the connection ends (on_close, once, with that
    # MemoryError: not None, a clean close; no on_err, the caller had it).
    saved = pollws.make_protocol
    pollws.make_protocol = _oom
    e = Engine()
    host, port = server("http")
    log = []
    conn = e.connect(host, port, timeout=10, on_err=lambda c, x: log.append(("conn err", type(x).__name__)),
                     on_close=lambda c, x: log.append(("conn close", x)))
    # A GET queued before it ends with on_err(that MemoryError), as the README says: every request ends,
    # and no other exception can be made while the heap may still be full.
    e.request(conn, "GET", "/hello", on_err=lambda x: log.append(("get err", x)),
              on_complete=lambda r, ok: log.append(("get done", ok)))
    raised = None
    try:
        e.upgrade(conn, "/ws", on_err=lambda x: log.append(("ws err", type(x).__name__)))
    except MemoryError as x:
        log.append(("raised",))
        raised = x
    finally:
        pollws.make_protocol = saved
    assert e.run(until=lambda: conn.closed, timeout=10), "the connection did not end"
    assert log == [("raised",), ("get err", raised), ("conn close", raised)] and raised is not None, log
    assert not conn._queue and conn.websocket is None
    _after_gc_an_upgrade_works()


def test_memory_error_dispatching_frames_closes_the_websocket_once():
    saved = pollws.WebSocket._dispatch
    pollws.WebSocket._dispatch = _oom

    def restore():
        pollws.WebSocket._dispatch = saved

    log, w = _session("_dispatch", restore)
    # Open, then the fault: the WebSocket's on_err and on_close, the connection's on_err and on_close.
    assert log[0] == ("ws open",), log
    assert log[1:] == [("ws err", "MemoryError"), ("ws close", 1006), ("conn err", "MemoryError"),
                       ("conn close",)], log
    assert w.close_code == 1006
    _after_gc_an_upgrade_works()


def test_memory_error_again_at_the_end_still_closes_the_websocket():
    # The heap still full when the connection ends: the protocol's end of input fails as well.  The
    # WebSocket got no on_err and no on_close (the second MemoryError was swallowed before them).
    saved, eof = pollws.WebSocket._dispatch, Protocol.receive_eof
    pollws.WebSocket._dispatch = Protocol.receive_eof = _oom

    def restore():
        pollws.WebSocket._dispatch, Protocol.receive_eof = saved, eof

    log, w = _session("_dispatch", restore)
    assert log[0] == ("ws open",), log
    assert log[1:] == [("ws err", "MemoryError"), ("ws close", 1006), ("conn err", "MemoryError"),
                       ("conn close",)], log
    _after_gc_an_upgrade_works()


def test_poll_send_without_heap_ends_the_connection_once():
    e = Engine()
    host, port = server("http")
    log = []
    conn = e.connect(host, port, timeout=10, on_err=lambda c, x: log.append(("conn err", type(x).__name__)),
                     on_close=lambda c, x: log.append(("conn close",)))
    w = e.upgrade(conn, "/ws", on_open=lambda w: log.append(("ws open",)),
                  on_err=lambda x: log.append(("ws err", type(x).__name__)),
                  on_close=lambda code, reason: log.append(("ws close", code)))
    assert e.run(until=lambda: w.protocol is not None, timeout=10), "the upgrade did not finish"
    build = Protocol._build
    Protocol._build = _oom  # no heap for the frame (where a fragmented board heap fails)
    try:
        w.send("no heap")
        log.append(("returned",))
    except MemoryError:
        log.append(("MemoryError",))  # raised to the caller, and not reported again
    finally:
        Protocol._build = build
    assert e.run(until=lambda: conn.closed, timeout=10), "the connection did not end"
    assert log == [("ws open",), ("MemoryError",), ("ws close", 1006), ("conn close",)], log
    _after_gc_an_upgrade_works()
