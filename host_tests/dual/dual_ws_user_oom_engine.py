"""dual_ws_user_oom's two cases on the poll Engine, in a module of their own: the other module's asyncio
import and code stay in the heap while a test runs, and these passed MicroPython's 128 KiB there with
1-3 KB to spare, in some runs not at 127.5K."""

from check import server
from ws_raisers import _no_heap_to_take_the_close, _raiser


def test_engine():
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    e.upgrade(c, "/rsv", on_err=_raiser(seen))
    e.run(until=lambda: c.closed, timeout=5)
    assert seen == ["ProtocolError", ("conn on_err", "Mine"), ("conn on_close", "Mine")], seen


def test_the_engine_with_no_heap_to_take_a_faults_close():
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    undo = []
    e.upgrade(c, "/rsv", on_open=lambda w: undo.append(_no_heap_to_take_the_close()),
              on_err=lambda x: seen.append(type(x).__name__))
    try:
        e.run(until=lambda: c.closed, timeout=5)
    finally:
        undo and undo[0]()
    assert seen == ["ProtocolError", ("conn on_err", "ProtocolError"), ("conn on_close", "ProtocolError")], seen


def test_the_engine_with_both_on_err_own_and_no_heap_to_take_the_close():
    # The fault's Close finds no heap first (the connection ends with the fault), and on_err, told of the
    # fault as the end parses what came, raises its own MemoryError: it comes out of run() after the
    # reports.  It was taken for a heap too full to parse what the connection held, and lost.
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    undo = []
    e.upgrade(c, "/rsv", on_open=lambda w: undo.append(_no_heap_to_take_the_close()), on_err=_raiser(seen))
    got = None
    try:
        e.run(until=lambda: c.closed, timeout=5)
    except MemoryError as exc:
        got = exc
    finally:
        undo and undo[0]()
    assert type(got).__name__ == "Mine", got
    assert seen == ["ProtocolError", ("conn on_err", "ProtocolError"), ("conn on_close", "ProtocolError")], seen


def test_the_engine_close_after_a_fault_with_no_heap_for_the_close():
    # After a fault (told to on_err, the connection ended), close() whose Close found no heap raised a
    # MemoryError, and the WebSocket kept it as the error it reports in the fault's place (poll.reconnect
    # reported it; an outside review, in a full heap).  close() is a no-op once closed, heap or not.
    from microhttpc.poll import Engine
    from microhttpc.rfc6455 import Protocol

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5)
    ws = []
    e.upgrade(c, "/rsv", on_open=ws.append, on_err=seen.append)
    e.run(until=lambda: c.closed, timeout=5)
    made = Protocol.send_close

    def oom(self, code=1000, reason=""):
        raise MemoryError

    Protocol.send_close = oom
    try:
        ws[0].close()
    finally:
        Protocol.send_close = made
    assert len(seen) == 1 and ws[0]._err_reported is seen[0], (seen, ws[0]._err_reported)
