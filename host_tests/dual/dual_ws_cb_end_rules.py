"""The end of a WebSocket met inside one of its callbacks (a review of the fix that hands out the rest
of a read whose callback's send() met a reset):

- blocking: a close() in a callback whose Close met a reset read back a PING and a PONG that came
  before the reset, and they went to on_ping and on_pong after on_close (README: none after it);
- blocking: a send in a callback that timed out (a server that reads nothing) drops the connection and
  the rest of that read is not handed out, as on the poll Engine (with the fix it was);
- blocking: the same when the callback lets the TimeoutError out: the next poll() handed the rest out;
- poll: a WebSocket's own timeout whose Close met a reset ended the connection, each callback told
  once, and then the TimeoutError came out of Engine.poll() as well (told twice);
- poll: a close() in a callback that was refused (a reason over 123 bytes: UsageError) stopped the
  rest of the read, which was lost, the WebSocket still open.

Both runtimes, against the scripted WebSocket server."""

import time

from check import server
from microhttpc.errors import ConnectionClosed, TimeoutError


def _connect(path, timeout, log, on_msg, **cb):
    from microhttpc import ws_connect

    h, p = server("wsraw")
    return ws_connect("ws://%s:%d%s" % (h, p, path), timeout=timeout, on_msg=on_msg,
                      on_close=lambda c, r: log.append(("close", c)), **cb)


def _until_closed(ws, log):
    for _ in range(10):
        try:
            ws.poll(1)
        except ConnectionClosed as e:
            return e.code
    raise AssertionError("no end: %r" % (log,))


def test_blocking_close_in_a_callback_that_meets_a_reset_calls_nothing_after_on_close():
    log = []
    ws = []

    def on_msg(m):
        log.append(m)
        if m == "m0":
            time.sleep(0.6)  # the PING, m1, the PONG, m2, m3 and the reset have come by now
            ws[0].close()
            log.append("closed")

    ws.append(_connect("/m0-pings-reset", 5, log, on_msg, on_ping=lambda d: log.append("ping"),
                       on_pong=lambda d: log.append("pong")))
    assert _until_closed(ws[0], log) == 1006
    assert log == ["m0", ("close", 1006), "closed"], log


def test_blocking_send_timeout_in_a_callback_hands_out_nothing_more():
    log = []
    ws = []

    def on_msg(m):
        log.append(m)
        if m == "a":
            try:
                for _ in range(2000):  # (the server reads nothing: the socket's buffers fill)
                    ws[0].send(b"x" * 16384)
                log.append("all sent")
            except TimeoutError:
                log.append("timeout")

    ws.append(_connect("/abc-noread", 0.5, log, on_msg))
    assert _until_closed(ws[0], log) == 1006
    assert log == ["a", "timeout", ("close", 1006)], log


def test_poll_timeout_whose_close_meets_a_reset_is_told_once():
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    e = Engine(timeout=1)
    log = []

    def on_msg(m):
        log.append("msg")
        if len(log) == 2:
            ws[0].send(b"reply")  # (queued: a write outstanding, bounded by timeout)
            time.sleep(1.5)  # past the timeout; the server resets meanwhile (0.1 s after its 40 messages)

    conn = e.connect(h, p, on_close=lambda c, x: log.append(("conn close", type(x).__name__)),
                     on_err=lambda c, x: log.append(("conn err", type(x).__name__)))
    ws = []
    ws.append(e.upgrade(conn, "/m40-then-reset", on_msg=on_msg,
                        on_err=lambda x: log.append(("err", type(x).__name__)),
                      on_close=lambda c, r: log.append(("close", c))))
    assert e.run(until=lambda: conn.closed, timeout=10), log  # (the TimeoutError came out of it too)
    ends = [x for x in log if x != "msg"]
    assert [x for x in ends if x[0] == "close"] == [("close", 1006)], log
    assert len([x for x in ends if x[0] == "conn close"]) == 1, log


def test_blocking_send_timeout_out_of_a_callback_hands_out_nothing_more():
    log = []
    ws = []

    def on_msg(m):
        log.append(m)
        if m == "a":
            for _ in range(2000):
                ws[0].send(b"x" * 16384)

    ws.append(_connect("/abc-noread", 0.5, log, on_msg))
    for _ in range(5):
        try:
            ws[0].poll(1)
        except TimeoutError:
            log.append("timeout")
        except ConnectionClosed as e:
            log.append(e.code)
            break
    assert log == ["a", "timeout", ("close", 1006), 1006], log


def test_poll_close_refused_in_a_callback_hands_out_the_rest():
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    e = Engine(timeout=5)
    log = []
    ws = []

    def on_msg(m):
        log.append(m)
        if m == "a":
            try:
                ws[0].close(1000, "x" * 200)
            except UsageError:
                log.append("refused")

    conn = e.connect(h, p)
    ws.append(e.upgrade(conn, "/abc", on_msg=on_msg, on_close=lambda c, r: log.append(("close", c))))
    assert e.run(until=lambda: len(log) >= 4, timeout=5), log
    assert log == ["a", "refused", "b", "c"], log
    e.close(conn, abort=True)
    assert e.run(until=lambda: conn.closed, timeout=5), log
