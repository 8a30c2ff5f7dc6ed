"""The poll engine when things go wrong: timeouts (a server that never answers, a connect that never
completes), refused connects, callbacks that raise, server-side closes, TLS; each failure stays on
its own connection and is reported once: on_err, then on_close."""

import microhttpc
from check import server
from microhttpc.errors import UsageError
from microhttpc.poll import Engine


def _recorder(log, name):
    """Connection callbacks that append to ``log``."""
    return {
        "on_connect": lambda c: log.append((name, "connect")),
        "on_err": lambda c, x: log.append((name, "err", x.__class__.__name__)),
        "on_close": lambda c, x: log.append((name, "close", x.__class__.__name__ if x else None)),
    }


def test_inactivity_timeout_on_a_silent_server_leaves_others_alone():
    e = Engine()
    log = []
    sh, sp = server("silent")
    hh, hp = server("http")
    silent = e.connect(sh, sp, timeout=0.3, **_recorder(log, "silent"))
    e.request(silent, "GET", "/", on_err=lambda x: log.append(("req", "err", x.__class__.__name__)),
              on_complete=lambda r, ok: log.append(("req", "complete")))
    good = e.connect(hh, hp, timeout=10, **_recorder(log, "good"))
    bodies = []

    def again(r, ok):
        bodies.append(r.body)
        if len(bodies) < 3:  # keep the good connection busy while the silent one times out
            e.request(good, "GET", "/hello", on_complete=again)

    e.request(good, "GET", "/hello", on_complete=again)
    assert e.run(until=lambda: silent.closed and len(bodies) == 3, timeout=10)
    mine = [x for x in log if x[0] != "good"]
    assert mine == [("silent", "connect"), ("req", "err", "TimeoutError"), ("silent", "err", "TimeoutError"),
                    ("silent", "close", "TimeoutError")]
    assert isinstance(silent.error, microhttpc.TimeoutError)
    assert bodies == [b"hello world"] * 3
    assert [x for x in log if x[0] == "good"] == [("good", "connect")]
    assert not good.closed
    e.close(good)
    assert e.run(timeout=5)
    assert log[-1] == ("good", "close", None)


def test_connect_timeout():
    e = Engine()
    log = []
    host, port = server("full")  # a listener whose backlog is full: the SYN is never answered
    conn = e.connect(host, port, connect_timeout=0.3, **_recorder(log, "c"))
    e.request(conn, "GET", "/", on_err=lambda x: log.append(("req", "err", x.__class__.__name__)))
    assert e.run(timeout=10)  # returns once no connection is left
    assert log == [("req", "err", "TimeoutError"), ("c", "err", "TimeoutError"),
                   ("c", "close", "TimeoutError")]
    assert "connect" in str(conn.error)


def test_connect_refused():
    e = Engine()
    log = []
    conn = e.connect("127.0.0.1", 1, **_recorder(log, "c"))  # nothing listens on port 1
    assert e.run(timeout=10)
    assert log == [("c", "err", "ConnectError"), ("c", "close", "ConnectError")]
    assert isinstance(conn.error, microhttpc.ConnectError)


def test_callback_error_ends_only_its_connection():
    e = Engine(timeout=10)
    host, port = server("http")
    log = []
    bad = e.connect(host, port, **_recorder(log, "bad"))
    good = e.connect(host, port, **_recorder(log, "good"))

    def boom(resp):
        raise ValueError("application bug")

    errs = []
    e.request(bad, "GET", "/hello", on_response=boom, on_err=errs.append,
              on_complete=lambda r, ok: log.append(("bad_complete", ok)))
    done = []
    e.request(good, "GET", "/hello", on_complete=lambda r, ok: done.append(r.body))
    assert e.run(until=lambda: bad.closed and done, timeout=10)
    assert len(errs) == 1 and isinstance(errs[0], ValueError)
    assert ("bad_complete", False) in log  # the head had arrived: on_complete(resp, False) after on_err
    assert ("bad", "close", "ValueError") in log
    assert done == [b"hello world"] and not good.closed
    e.close_all()
    e.run(timeout=5)


def test_server_closes_websocket():
    e = Engine(timeout=10)
    host, port = server("ws")
    conn = e.connect(host, port)
    log = []
    e.upgrade(conn, "/close/4001", on_open=lambda w: log.append("open"), on_err=log.append,
              on_close=lambda code, reason: log.append((code, reason)))
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert log == ["open", (4001, "bye")]
    assert conn.error is None  # a clean closing handshake
    assert conn.websocket.protocol.close_sent == 4001  # the Close was echoed


def test_server_closes_websocket_via_aiohttp():
    e = Engine(timeout=10)
    host, port = server("http")
    log = []
    conn = e.connect(host, port, **_recorder(log, "c"))
    e.upgrade(conn, "/ws", on_open=lambda w: w.send("close-me"), on_msg=log.append,
              on_close=lambda code, reason: log.append((code, reason)))
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert log == [("c", "connect"), (4000, "as you wish"), ("c", "close", None)]


def test_close_by_application_fails_pending_requests():
    e = Engine()
    host, port = server("silent")
    log = []
    conn = e.connect(host, port, **_recorder(log, "c"))
    e.request(conn, "GET", "/", on_err=lambda x: log.append(("r1", x.__class__.__name__)))
    e.request(conn, "GET", "/", on_err=lambda x: log.append(("r2", x.__class__.__name__)))
    assert e.run(until=lambda: log, timeout=10)
    e.close(conn)
    assert log == [("c", "connect")]  # reported from the next poll(), not from close()
    err = None
    try:
        e.request(conn, "GET", "/")
    except microhttpc.UsageError as exc:
        err = exc
    assert err is not None
    assert e.run(timeout=5)
    assert log == [("c", "connect"), ("r1", "ConnectionLost"), ("r2", "ConnectionLost"), ("c", "close", None)]


def test_client_initiated_close_reports_once():
    # The websockets server echoes our Close and closes TCP; close_timeout only bounds that wait.
    e = Engine(timeout=10)
    host, port = server("ws")
    conn = e.connect(host, port)
    closes = []
    w = e.upgrade(conn, "/", close_timeout=2, on_open=lambda w: w.close(4002, "done"),
                  on_close=lambda code, reason: closes.append((code, reason)))
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert closes == [(4002, "done")] and w.close_code == 4002


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _tls_get(ca_env):
    import os

    _, port = server("tls")
    ca = _read(os.getenv(ca_env))
    e = Engine(timeout=10)
    log = []
    conn = e.connect("localhost", port, tls=True, cadata=ca, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, "GET", "/hello",
              on_complete=lambda r, ok: (log.append((r.status, r.body)), e.close(conn)),
              on_err=lambda x: log.append(("err", x)))
    assert e.run(timeout=10)
    return log


def test_tls_request():
    log = _tls_get("MHC_TLS_CA")
    assert log == [(200, b"hello world"), ("close", None)]


def test_tls_wrong_ca_is_refused():
    log = _tls_get("MHC_TLS_CA_WRONG")
    assert len(log) == 2 and log[0][0] == "err" and isinstance(log[0][1], microhttpc.TLSError)
    assert log[1] == ("close", log[0][1])


def test_badly_built_request_fails_alone():
    e = Engine(timeout=10)
    host, port = server("http")
    log = []
    conn = e.connect(host, port)
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: log.append(("good", r.body)))
    # Content-Length promised 5 bytes, the body has 3: refused by the call, as on the other layers (it
    # was refused when its turn came, through on_err), and nothing of it is queued.
    try:
        e.request(conn, "POST", "/echo", body=b"abc", content_length=5,
                  on_err=lambda x: log.append(("bad", x.__class__.__name__)),
                  on_complete=lambda r, ok: log.append(("bad", "complete")))
    except UsageError:
        log.append(("bad", "refused"))
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: log.append(("good", r.body)))
    assert e.run(until=lambda: len(log) == 3, timeout=10)
    assert log == [("bad", "refused"), ("good", b"hello world"), ("good", b"hello world")], log
    assert not conn.closed
    e.close(conn)
    e.run(timeout=5)


def test_idle_websocket_timeout():
    e = Engine(timeout=10)
    host, port = server("ws")
    log = []
    conn = e.connect(host, port, **_recorder(log, "c"))
    e.upgrade(conn, "/", timeout=0.3, on_open=lambda w: log.append("open"),
              on_err=lambda x: log.append(("ws_err", x.__class__.__name__)),
              on_close=lambda code, reason: log.append(("ws_close", code)))
    assert e.run(timeout=10)
    assert log == [("c", "connect"), "open", ("ws_err", "TimeoutError"), ("ws_close", 1006),
                   ("c", "err", "TimeoutError"), ("c", "close", "TimeoutError")]


def _ws_log(path, **kw):
    e = Engine(timeout=10)
    host, port = server("wsraw")  # a scripted server that does what a correct one never does
    log = []
    conn = e.connect(host, port, **_recorder(log, "c"))
    answers = {"hello": "answer", "last words": "ack"}

    def on_msg(m):
        log.append(("msg", m))
        w.send(answers[m])  # still allowed: a fault or Close behind it is acted on afterwards

    w = e.upgrade(conn, path, close_timeout=0.3, on_msg=on_msg,
                  on_err=lambda x: log.append(("ws_err", x.__class__.__name__)),
                  on_close=lambda code, reason: log.append(("ws_close", code)), **kw)
    assert e.run(timeout=10)
    return log


def test_close_timeout_when_the_server_never_answers():
    log = _ws_log("/noclose", on_open=lambda w: w.close())
    assert log == [("c", "connect"), ("ws_err", "TimeoutError"), ("ws_close", 1006),
                   ("c", "err", "TimeoutError"), ("c", "close", "TimeoutError")]


def test_run_returns_as_the_connection_ends():
    """close_timeout=0 and a server that never answers the Close: the connection ends in the round that
    begins, and run(until=closed) returns then (it waited out that round's second first: 1 s later)."""
    from pumps_http import now

    e = Engine(timeout=10)
    host, port = server("wsraw")
    conn = e.connect(host, port)
    opened = []
    w = e.upgrade(conn, "/noclose", close_timeout=0, on_open=opened.append)
    assert e.run(until=lambda: opened, timeout=10)
    w.close()
    t0 = now()
    assert e.run(until=lambda: conn.closed, timeout=10)
    took = now() - t0
    assert took < 0.5 and w.close_code == 1006, (took, w.close_code)


def _seen(path):
    """What the raw server received from us on our last visit to ``path``: ["opcode:payload", ...]."""
    import json

    e = Engine(timeout=10)
    host, port = server("wsraw")
    conn = e.connect(host, port)
    got = []
    w = e.upgrade(conn, "/seen?" + path, on_msg=lambda m: (got.append(json.loads(m)), w.close()))
    assert e.run(timeout=10)
    return got[0]


def test_message_before_a_fault_is_answered_before_the_1002():
    # "hello" and a frame with RSV2 come in one write: on_msg gets "hello" while the connection is still
    # open, its answer goes out, and only then the connection fails with 1002 (RFC 6455 section 7.4.1).
    log = _ws_log("/msgthenfault")
    assert log == [("c", "connect"), ("msg", "hello"), ("ws_err", "ProtocolError"), ("ws_close", 1006),
                   ("c", "err", "ProtocolError"), ("c", "close", "ProtocolError")]
    got = _seen("/msgthenfault")
    assert got[0] == "1:answer" and got[1].startswith("8:\x03\xea"), got


def test_message_before_a_close_is_answered_first():
    log = _ws_log("/msgthenclose")
    assert log == [("c", "connect"), ("msg", "last words"), ("ws_close", 1000), ("c", "close", None)]
    assert _seen("/msgthenclose") == ["1:ack", "8:\x03\xe8"]


def test_a_websocket_callback_that_raises_again_while_its_connection_ends():
    # on_msg raising at every message of a burst (five in one read, then the end of TCP): the engine
    # ended the connection at the first, then handed the rest over as it ended, and the second
    # exception escaped poll(): no on_err and no on_close, on the WebSocket or on the connection.  The
    # first exception is the cause, each report comes once, and poll() raises nothing.
    h, p = server("wsraw")
    e = Engine(timeout=5)
    log = []
    c = e.connect(h, p, on_err=lambda c, x: log.append(("conn err", str(x))),
                  on_close=lambda c, x: log.append(("conn close", str(x))))

    def on_msg(m):
        log.append(("msg", m))
        raise ValueError("bug at " + m)

    e.upgrade(c, "/drop/5", on_msg=on_msg, on_err=lambda x: log.append(("ws err", str(x))),
              on_close=lambda code, reason: log.append(("ws close", code)))
    e.run(until=lambda: c.closed, timeout=5)
    assert c.closed and not e.connections, log
    assert log[0] == ("msg", "m0"), log
    for report in (("ws err", "bug at m0"), ("ws close", 1006), ("conn err", "bug at m0"), ("conn close", "bug at m0")):
        assert log.count(report) == 1, (report, log)
