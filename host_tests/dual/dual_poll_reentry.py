"""The poll Engine called back into from its own callbacks (both runtimes): a timer that polls, a
reconnect stopped while its next attempt is due, a WebSocket callback that polls, a second close()."""

import time

from check import raises, server


def test_poll_a_timer_that_polls_and_the_timers_due_with_it():
    # A call_later callback that runs poll() itself runs the other due timer there: the outer round
    # then skips it (it raised ValueError from list.remove, on both runtimes), each timer ran once.
    from microhttpc.poll import Engine

    e = Engine()
    calls = []

    def first():
        calls.append("first")
        e.poll(0)

    e.call_later(0, first)
    e.call_later(0, lambda: calls.append("second"))
    e.call_later(0, lambda: calls.append("third"))
    assert e.run(timeout=2)
    assert sorted(calls) == ["first", "second", "third"], calls


def test_poll_reconnect_stopped_by_a_timer_due_with_its_next_attempt():
    # rc.stop() from a timer queued before the reconnect's next attempt and due in the same round:
    # stop() takes the attempt off the timers, and the round neither runs it nor fails on it (a bare
    # ValueError came out of poll()).  An application loop that polls, then does its own work, meets it.
    from microhttpc.poll import Engine, reconnect

    h, p = server("closed")
    e = Engine(connect_timeout=2)
    retries = []
    t0 = time.time()
    rc = reconnect(e, "ws://%s:%d/" % (h, p), base_delay=0.9, max_delay=0.9,
                   on_retry=lambda exc, d: retries.append(d))
    e.call_later(1.0, rc.stop)
    assert e.run(until=lambda: retries, timeout=0.8), "the first attempt did not fail at once"
    assert time.time() - t0 < 0.9  # (so the next attempt is due after the stop's timer was queued)
    time.sleep(1.3)  # both due now, the stop first
    e.poll(0)
    assert not rc.running and len(retries) == 1, (rc.running, retries)
    assert e.run(timeout=2) and not e.connections


def _echo_engine(on_open, on_msg):
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    errs, closes = [], []
    ws = e.upgrade(conn, "/ws", on_open=on_open, on_msg=on_msg, on_err=errs.append,
                   on_close=lambda c, r: closes.append(c))
    return e, conn, ws, errs, closes


def test_poll_inside_a_websocket_callback_is_refused():
    # poll() or run() inside on_msg handed out messages read later before those the outer round still
    # held (m00, m14..m39, m01..m13, nothing said): it raises UsageError, as a nested recv() or poll()
    # of a blocking WebSocket does, and every message comes once, in order.  Inside on_open too (the
    # frames that came with the 101 are not handed out yet there).
    from microhttpc.errors import UsageError

    n = 40
    got, refused = [], []

    def nested(what):
        try:
            e.poll(100)
        except UsageError as x:
            refused.append(what)
            assert "a WebSocket callback of this engine" in str(x), x
        try:
            e.run(timeout=0.1)
        except UsageError:
            refused.append(what)

    def on_open(w):
        nested("open")
        for i in range(n):
            w.send("m%02d" % i)

    def on_msg(m):
        got.append(m)
        if len(got) == 1:
            nested("msg")
        if len(got) == n:
            ws.close()

    e, conn, ws, errs, closes = _echo_engine(on_open, on_msg)
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert got == ["m%02d" % i for i in range(n)], got
    assert refused == ["open", "open", "msg", "msg"], refused
    assert closes == [1000] and not errs, (closes, errs)
    # Outside the callbacks the engine polls as before.
    e.poll(0)


def test_poll_close_twice_while_the_websocket_closes():
    # Engine.close(conn) of a WebSocket already closing is a no-op, as ws.close() is: its handshake
    # ends with 1000 (the second call aborted the connection: on_close(1006)).  abort=True still ends it.
    got = []

    def on_open(w):
        e.close(conn)
        e.close(conn)

    e, conn, ws, errs, closes = _echo_engine(on_open, got.append)
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert closes == [1000] and not errs, (closes, errs)

    def on_open2(w):
        e2.close(conn2)
        e2.close(conn2, abort=True)

    e2, conn2, ws2, errs2, closes2 = _echo_engine(on_open2, got.append)
    assert e2.run(until=lambda: conn2.closed, timeout=10)
    assert closes2 == [1006], (closes2, errs2)


def test_reconnect_with_a_function_target():
    # poll: the reconnect's on_open= was never called when a function made the WebSocket (its own
    # on_open replaced it); WebSocket keywords beside a function were dropped unseen, on both forms.
    import microhttpc
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine, reconnect

    h, p = server("http")
    e = Engine(timeout=5)
    raises(UsageError, reconnect, e, lambda eng: None, on_msg=print)
    raises(UsageError, lambda: next(iter(microhttpc.reconnect(lambda: None, on_msg=print))))
    opened = []

    def make(eng):
        return eng.upgrade(eng.connect(h, p), "/ws", on_open=lambda w: opened.append("own"))

    def on_open(w):
        opened.append("kw")
        rc.stop()

    rc = reconnect(e, make, on_open=on_open)
    assert e.run(timeout=5) and opened == ["own", "kw"], opened


def test_websocket_on_close_only_after_on_open_when_a_queued_on_err_raises():
    """A request queued behind the upgrade fails when the 101 comes; its on_err raised, which ended the
    connection before the WebSocket's on_open, and the WebSocket's on_close came without it (README: once,
    after on_open).  on_open runs first now, then the queued requests fail."""
    from microhttpc import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    log = []
    c = e.connect(h, p, on_close=lambda c, cause: log.append(("conn close", type(cause).__name__)))
    e.upgrade(c, "/ws", on_open=lambda w: log.append("open"), on_close=lambda code, reason: log.append("close"),
              on_err=lambda exc: log.append(("ws err", type(exc).__name__)))

    def bad(exc):
        log.append(("req err", type(exc).__name__))
        raise RuntimeError("the application's bug")

    e.request(c, "GET", "/hello", on_err=bad)
    e.run(until=lambda: c.state_name == "CLOSED", timeout=5)
    assert log.index("open") < log.index("close"), log
    assert log.count("open") == log.count("close") == 1, log
    assert ("req err", "UsageError") in log and log[-1] == ("conn close", "RuntimeError"), log


def test_nested_poll_gives_no_stale_event_to_a_socket_that_took_a_closed_ones_fd():
    """CPython keys the poll set by fd.  A nested poll() (in on_complete) closed connection B, whose
    event was still in the outer round's list, and B's on_close opened D, which took B's fd: the outer
    round handed B's event to D, whose connect had not completed, and D's on_connect ran for a socket
    that was not connected (connect_timeout no longer held; a response timeout came instead)."""
    from microhttpc import Engine

    raw, full = server("raw"), server("full")
    e = Engine(connect_timeout=1, timeout=3)
    log = []

    def b_close(c, cause):  # inside the nested poll: a connect that never completes (backlog full)
        d = e.connect(*full, on_connect=lambda c: log.append("D connected"),
                      on_close=lambda c, cause: log.append(("D closed", type(cause).__name__)))
        e.request(d, "GET", "/", on_err=lambda exc: log.append(("D err", type(exc).__name__)))

    a = e.connect(*raw)
    b = e.connect(*raw, persistent=False, on_close=b_close)
    e.request(a, "GET", "/raw/genuine", on_complete=lambda resp, ok: e.poll(0))
    e.request(b, "GET", "/raw/then-close")
    e.run(until=lambda: a._active and b._active and not a._out and not b._out, timeout=5)
    time.sleep(0.3)  # both answers are there before the next round: one round's list holds both
    e.run(timeout=5)
    assert "D connected" not in log, log
    assert ("D err", "TimeoutError") in log and ("D closed", "TimeoutError") in log, log


def test_poll_inside_on_body_is_refused_and_the_body_arrives_whole():
    # poll() from on_body read more of the same body inside it, one level deeper at each piece: on
    # MicroPython the recursion limit struck in the middle of a connection's end and left it closed in the
    # engine, with no callback at all (run() never ended).  Refused as inside on_header; on_response may.
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=10)
    conn = e.connect(h, p)
    got, refused, done, inner = [0], [], [], []

    def on_body(chunk):
        got[0] += len(chunk)
        refused.append(isinstance(raises(UsageError, e.poll, 0), UsageError))

    def on_response(resp):  # a nested run() here reads the body, as before
        inner.append(e.run(until=lambda: done, timeout=10))

    e.request(conn, "GET", "/bytes/200000", on_body=on_body, on_response=on_response,
              on_complete=lambda r, ok: done.append(ok), on_err=done.append)
    assert e.run(until=lambda: done and inner, timeout=20), (done, got)
    assert done == [True] and inner == [True] and got[0] == 200000 and refused and all(refused), (done, got)
    e.close(conn)
    assert e.run(timeout=5) and not e.connections


def test_poll_inside_a_request_bodys_own_code_is_refused_and_the_upload_goes_on():
    # poll() from the code of a body pulled as the socket drains (a generator) pulled that generator again
    # inside itself: a bare ValueError ("generator already executing") ended the connection.  Refused as
    # inside on_body; the upload goes on whole (an outside hunt of callbacks).
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=10)
    conn = e.connect(h, p)
    refused, done = [], []

    def body():
        for i in range(4):
            refused.append(isinstance(raises(UsageError, e.poll, 0), UsageError))
            yield bytes([48 + i]) * 1000

    e.request(conn, "POST", "/echo", body=body(), on_complete=lambda r, ok: done.append((ok, r.body)),
              on_err=done.append)
    assert e.run(until=lambda: done, timeout=20), done
    whole = b'"body": "%s"' % (b"0" * 1000 + b"1" * 1000 + b"2" * 1000 + b"3" * 1000)  # (/echo: what it got, as JSON)
    assert len(done) == 1 and done[0][0] is True and whole in done[0][1] and refused == [True] * 4, (done, refused)
    e.close(conn)
    assert e.run(timeout=5) and not e.connections


def test_poll_an_on_err_that_raises_still_gets_on_complete():
    # Every request ends: on_err raised and on_complete(resp, False) never came (the head had come).
    from microhttpc.poll import Engine

    h, p = server("raw")
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    log = []

    def on_err(exc):
        log.append(type(exc).__name__)
        raise KeyError("the application's")

    e.request(conn, "GET", "/raw/short-body", on_err=on_err, on_complete=lambda r, ok: log.append(ok))
    try:
        e.run(timeout=5)
    except KeyError:
        log.append("raised")
    assert log == ["ConnectionLost", False, "raised"], log


def test_poll_on_complete_that_raises_on_a_redirect_chains_connection_ends_the_first():
    # A redirect to another origin runs on a connection of its own, which has no callbacks: an exception
    # of on_complete there vanished (the first connection's on_close said None).  As on the first
    # connection itself: its on_err and on_close get it.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    log = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: log.append(("err", repr(x))),
                     on_close=lambda c, x: log.append(("close", repr(x))))

    def done(r, ok):
        log.append(("done", r.status, ok))
        raise RuntimeError("in on_complete")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/hello" % (h2, p2)}, on_complete=done)
    assert e.run(until=lambda: conn.closed, timeout=10), log
    x = repr(RuntimeError("in on_complete"))
    assert log == [("done", 200, True), ("err", x), ("close", x)], log


def test_poll_on_complete_that_raises_after_the_first_connection_ended_leaves_poll():
    # The 302 said Connection: close, so the first Conn ended (on_close None) before the chain's own
    # connection had the answer: on_complete's exception was kept for a Conn that never ticks again, and
    # vanished.  It leaves poll(), as the exception of a report's callback does.
    from microhttpc.poll import Engine

    h, p = server("raw")
    e = Engine(timeout=5)
    log = []
    conn = e.connect(h, p, follow_redirects=3, on_close=lambda c, x: log.append(("close", x)))

    def done(r, ok):
        log.append(("done", r.status, ok))
        raise RuntimeError("in on_complete")

    e.request(conn, "GET", "/raw/redirect-close", on_complete=done)
    try:
        e.run(timeout=10)
    except RuntimeError as x:
        log.append(("raised", str(x)))
    assert log == [("close", None), ("done", 200, True), ("raised", "in on_complete")], log
    assert e.run(timeout=5) and not e.connections  # the chain's connection ended too


def test_poll_on_err_that_raises_on_a_redirect_chains_connection_ends_the_first():
    # The second hop of a chain on its own connection fails (one redirect too many): the request's
    # on_err runs there, and its exception vanished with that connection (the application's Conn stayed
    # open, no on_err, no on_close, nothing out of poll()).  As on the first Conn itself.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    log = []
    conn = e.connect(h, p, follow_redirects=1, on_err=lambda c, x: log.append(("err", repr(x))),
                     on_close=lambda c, x: log.append(("close", repr(x))))

    def on_err(x):
        log.append(("req err", type(x).__name__))
        raise RuntimeError("in on_err")

    to = "http://%s:%d/redirect/302?to=/hello" % (h2, p2)
    e.request(conn, "GET", "/redirect/302", query={"to": to}, on_err=on_err,
              on_complete=lambda r, ok: log.append(("done", r.status, ok)))
    assert e.run(until=lambda: conn.closed, timeout=10), log
    x = repr(RuntimeError("in on_err"))
    assert log == [("req err", "TooManyRedirects"), ("done", 302, False), ("err", x), ("close", x)], log
    assert e.run(timeout=5) and not e.connections


def test_poll_on_err_that_raises_when_a_hops_connect_fails_ends_the_first():
    # A redirect to another origin whose connect fails: the request's on_err runs on the chain's own
    # connection as that one ends, and its exception left poll() while the application's Conn went on,
    # untold (an outside review; README: it ends that Conn, with on_err and on_close, as on the Conn itself)
    from microhttpc.poll import Engine

    h, p = server("http")
    hc, pc = server("closed")  # nothing listens there
    e = Engine(timeout=5)
    log = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: log.append(("err", repr(x))),
                     on_close=lambda c, x: log.append(("close", repr(x))))

    def on_err(x):
        log.append(("req err", type(x).__name__))
        raise RuntimeError("in on_err")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/hello" % (hc, pc)}, on_err=on_err,
              on_complete=lambda r, ok: log.append(("done", r.status, ok)))
    try:
        assert e.run(until=lambda: conn.closed, timeout=10), log
    except RuntimeError as x:
        log.append(("raised", str(x)))
    x = repr(RuntimeError("in on_err"))
    assert log == [("req err", "ConnectError"), ("done", 302, False), ("err", x), ("close", x)], log
    assert e.run(timeout=5) and not e.connections


def test_poll_on_err_that_raises_on_a_redirects_connection_while_the_first_closes_leaves_poll():
    # The application closes its Conn while the chain is on another origin: the request's on_err there
    # raised, and the exception, deferred to the closing Conn, was dropped by its end (an outside review).
    # It leaves poll(), as the same callback's on the Conn itself does.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise ValueError("in on_err")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow" % (h2, p2)}, on_err=on_err)
    assert e.run(until=lambda: len(e.connections) == 2, timeout=5)  # (the chain's own connection is up)
    e.poll(100)
    e.close(conn)
    for _ in range(20):
        try:
            e.poll(50)
        except ValueError as x:
            out.append(("raised", str(x)))
    assert ("req err", "ConnectionLost") in out and ("raised", "in on_err") in out and ("close", None) in out, out
    assert not e.connections, e.connections
