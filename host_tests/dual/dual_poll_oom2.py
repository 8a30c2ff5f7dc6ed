"""Out of memory while a poll request starts: every request and the connection are reported once
(the request's on_err, the connection's on_err and on_close), and poll() itself never raises.

On MicroPython the heap is filled (leaving a hole of a few sizes) as the connection comes up, so the
request's first steps find no heap: the parser, the request head, and the attributes its
end sets (a Transaction that grew its attribute table only when it failed ended without a callback,
and the engine's poll() raised the MemoryError instead).  CPython cannot be filled that way: there
the first step raises MemoryError on purpose."""

import gc
import sys

from check import server
from microhttpc import session
from microhttpc.poll import Engine

MICROPYTHON = sys.implementation.name == "micropython"
_hold = []


def _fill(leave):
    """Fill the heap (MicroPython), leaving one hole of about ``leave`` bytes."""
    gc.collect()
    hole = bytearray(leave) if leave else None
    size = 1 << 14
    while size:
        try:
            while True:
                _hold.append(bytearray(size))
        except MemoryError:
            size >>= 1
    hole = None  # noqa: F841 - the hole is what is left free
    gc.collect()


def _release():
    del _hold[:]
    gc.collect()


def _one(leave, pressure=True):
    e = Engine(timeout=5)
    host, port = server("http")
    cnt = {"ok": 0, "err": 0, "conn err": 0, "close": 0}

    def on_connect(c):  # the request starts right after this: under pressure
        if MICROPYTHON and pressure:
            _fill(leave)

    conn = e.connect(host, port, on_connect=on_connect,
                     on_err=lambda c, x: cnt.__setitem__("conn err", cnt["conn err"] + 1),
                     on_close=lambda c, x: cnt.__setitem__("close", cnt["close"] + 1))
    t = e.request(conn, "GET", "/hello", on_complete=lambda r, ok: cnt.__setitem__("ok", cnt["ok"] + ok),
                  on_err=lambda x: cnt.__setitem__("err", cnt["err"] + 1))
    saved = session.Session.opened
    if pressure and not MICROPYTHON:
        def opened(self, tls=False):
            raise MemoryError

        session.Session.opened = opened
    escaped = None
    try:
        for _ in range(200):
            try:
                e.poll(10)
            except BaseException as exc:  # noqa: BLE001 - what escapes poll() is the failure
                escaped = exc
                break
            if MICROPYTHON and _hold:
                _release()  # one round under pressure, then the heap back
            if conn.closed and t.done:
                break
    finally:
        _release()
        session.Session.opened = saved
    assert escaped is None, "poll() raised %r (leave %d)" % (escaped, leave)
    assert t.done, "the request never ended (leave %d): %r" % (leave, cnt)
    if cnt["ok"]:
        assert cnt["err"] == 0, cnt
    else:
        assert cnt["err"] == 1 and cnt["conn err"] == 1 and cnt["close"] == 1, (leave, cnt)
    e.close_all()
    e.run(timeout=2)
    return cnt


def test_out_of_memory_as_a_request_starts_is_reported_once():
    for leave in ((0, 64, 128, 176, 256, 512, 1024, 2048) if MICROPYTHON else (0,)):
        _one(leave)
    gc.collect()
    assert _one(0, pressure=False)["ok"] == 1  # and with the heap back, the next request completes


def test_no_heap_to_describe_a_websocket_end_still_reports_it():
    # The server ends a WebSocket (TCP closed without a Close frame) when no heap is left for the
    # ConnectionClosed that describes the end (emulated: closed_error raises MemoryError): the
    # WebSocket's on_close, the connection's on_err and on_close come once each, and poll() does not
    # raise (the MemoryError came out of poll() and no on_close was called).
    from microhttpc import rfc6455

    e = Engine(timeout=5)
    host, port = server("wsraw")
    log = []
    conn = e.connect(host, port, on_err=lambda c, x: log.append("conn err"),
                     on_close=lambda c, x: log.append("conn close"))
    ws = e.upgrade(conn, "/eof", on_msg=lambda m: log.append(m), on_close=lambda c, r: log.append(("ws close", c)))
    saved = rfc6455.Protocol.closed_error

    def closed_error(self):
        raise MemoryError

    escaped = None
    try:
        e.run(until=lambda: log, timeout=5)  # "bye"
        rfc6455.Protocol.closed_error = closed_error
        for _ in range(200):
            try:
                e.poll(10)
            except BaseException as exc:  # noqa: BLE001 - what escapes poll() is the failure
                escaped = exc
                break
            if conn.closed:
                break
    finally:
        rfc6455.Protocol.closed_error = saved
    assert escaped is None, "poll() raised %r" % (escaped,)
    assert log == ["bye", ("ws close", 1006), "conn err", "conn close"], log
    assert ws.state == rfc6455.CLOSED
    e.close_all()
