"""Engine.close() of a Conn while a redirect chain of its request is on another origin (two outside
reviews): an exception its request's callback raised there, deferred to the Conn, was dropped when the
application closed the Conn before its next round; a WebSocket's graceful close left the chain running,
its request answered after the Conn's on_close."""

from check import server

# A WebSocket beside a redirect chain's own connection, with the poll modules: these failed at 124K (2 to 4
# KiB under the usual 128K), the rest of the module passes at 120K
MICROPYTHON_HEAPS = {
    "test_poll_graceful_close_of_a_websocket_ends_its_redirect_chain_away": "136K",
    "test_poll_exception_on_a_redirects_connection_leaves_poll_while_the_websocket_closes": "136K",
    "test_poll_exception_on_a_redirects_connection_leaves_poll_when_the_conn_is_a_websocket": "136K",
    "test_poll_interrupt_on_a_redirects_connection_leaves_poll_when_the_conn_is_a_websocket": "136K",
}


def test_poll_on_err_that_raised_on_a_redirects_connection_leaves_poll_when_the_first_closes_before_its_round():
    # The request's on_err on the chain's own connection raised as its deadline ran out (in the round's
    # last ticks: the application's Conn had had its own), and the application closed its Conn before
    # the next poll(): the exception, deferred to that Conn, was dropped by its end (an outside review).
    # It leaves poll() as the Conn ends, as one raised after the close() does (README).
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: out.append(("err", str(x))),
                     on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise ValueError("in on_err")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow" % (h2, p2)}, on_err=on_err,
              deadline=0.5)
    assert e.run(until=lambda: out, timeout=5), out
    assert out == [("req err", "TimeoutError")], out
    e.close(conn)
    try:
        e.run(timeout=5)
        out.append("nothing left poll()")
    except ValueError as x:
        out.append(("raised", str(x)))
    assert e.run(timeout=5)
    assert out[1:] == [("close", None), ("raised", "in on_err")], out
    assert not e.connections, e.connections


def test_poll_graceful_close_of_a_websocket_ends_its_redirect_chain_away():
    # The Conn became a WebSocket while a redirect chain of an earlier request was on another origin;
    # Engine.close(conn) started the closing handshake and left the chain running: its request was
    # answered after the Conn's on_close (an outside review).  The chain ends with the close, as on an
    # HTTP Conn: the request's on_err(ConnectionLost) and on_complete(its 3xx, False) come first.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_close=lambda c, x: out.append(("close", x)))
    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow?s=1" % (h2, p2)},
              on_err=lambda x: out.append(("req err", type(x).__name__)),
              on_complete=lambda r, ok: out.append(("done", r.status)))
    assert e.run(until=lambda: len(e.connections) == 2, timeout=5)  # (the chain's own connection is up)
    e.upgrade(conn, "/ws", on_open=lambda ws: out.append("open"))
    assert e.run(until=lambda: "open" in out, timeout=5), out
    e.close(conn)
    assert e.run(timeout=5)
    assert out == ["open", ("req err", "ConnectionLost"), ("done", 302), ("close", None)], out  # (the 3xx's head came)
    assert not e.connections, e.connections


def test_poll_exception_on_a_redirects_connection_leaves_poll_while_the_websocket_closes():
    # The Conn became a WebSocket and Engine.close(conn) started its closing handshake; the chain's
    # request, told ConnectionLost, raised in its on_err: the exception went to the closing Conn, cut
    # its handshake (1006) and was its error (an outside review).  It leaves poll(), as on an HTTP Conn
    # that closes; the handshake completes.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: out.append(("err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise ValueError("in on_err")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow?s=1" % (h2, p2)}, on_err=on_err)
    assert e.run(until=lambda: len(e.connections) == 2, timeout=5)
    e.upgrade(conn, "/ws", on_open=lambda ws: out.append("open"),
              on_close=lambda code, reason: out.append(("ws close", code)))
    assert e.run(until=lambda: "open" in out, timeout=5), out
    e.close(conn)
    try:
        e.run(timeout=5)
        out.append("nothing left poll()")
    except ValueError as x:
        out.append(("raised", str(x)))
    assert e.run(timeout=5)
    assert out == ["open", ("req err", "ConnectionLost"), ("raised", "in on_err"), ("ws close", 1000),
                   ("close", None)], out


def test_poll_close_before_a_failed_connect_is_told_reports_the_close():
    # Engine.close() before the first poll() of a Conn whose name did not resolve: the connect's error,
    # deferred to that poll(), was reported as the Conn's error by the close (on_err(ConnectError)),
    # where the close is what the application asked for: the requests get ConnectionLost, on_close None.
    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    out = []
    conn = e.connect("no-such-host.invalid", 80, on_err=lambda c, x: out.append(("err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("close", x)))
    e.request(conn, "GET", "/", on_err=lambda x: out.append(("req err", type(x).__name__)))
    e.close(conn)
    assert e.run(timeout=5)
    assert out == [("req err", "ConnectionLost"), ("close", None)], out


def test_poll_deferred_exception_then_close_while_the_conn_reopens():
    # As the first test, with the application's Conn reopening for its next request (persistent=False;
    # tlsslow's TLS handshake takes 0.8 s) when the chain's on_err raised: the close took the deferred
    # exception for a connect's error by the Conn's state and dropped it (an outside review).  A
    # connect's error is a ConnectError; anything else leaves poll().
    from microhttpc.poll import Engine

    h, p = server("tlsslow")
    h1, p1 = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, tls=True, verify=False, persistent=False, follow_redirects=3,
                     on_err=lambda c, x: out.append(("err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise ValueError("in on_err")

    to = "http://%s:%d/redirect/302?to=http://%s:%d/slow%%3Fs%%3D3" % (h2, p2, h1, p1)
    e.request(conn, "GET", "/redirect/302", query={"to": to}, deadline=0.5, on_err=on_err)
    e.request(conn, "GET", "/hello", on_err=lambda x: out.append(("hello err", type(x).__name__)))
    raised = []
    for _ in range(3):
        try:
            if e.run(until=lambda: out, timeout=5):
                break
        except ValueError as x:
            raised.append(str(x))
    e.close(conn)
    for _ in range(3):
        try:
            if e.run(timeout=5):
                break
        except ValueError as x:
            raised.append(str(x))
    # (told once: out of poll() when the close came first, as on CPython here; by the Conn's on_err and
    # on_close when its round came first, as on MicroPython here)
    by_conn = ("err", "ValueError") in out
    told = raised == ["in on_err"] and not by_conn or not raised and by_conn
    assert ("req err", "TimeoutError") in out and told, (out, raised)
    assert out[-1][0] == "close" and not e.connections, (out, e.connections)


def _leaves_poll_when_the_conn_is_a_websocket(kind):
    # The chain's request, given to the Conn before it became a WebSocket, ran out of its deadline and
    # its on_err raised: the exception went to the WebSocket Conn, deferred, and ended it (1006; with
    # an Engine.close() before that round, it cut the closing handshake: an outside review; an
    # interrupt ended it at once: a third).  No HTTP request's callback ends a WebSocket: the exception
    # leaves poll() and the WebSocket carries on.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: out.append(("err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise kind("in on_err")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow?s=3" % (h2, p2)}, on_err=on_err,
              deadline=1)
    assert e.run(until=lambda: len(e.connections) == 2, timeout=5)  # (the chain's own connection is up)
    e.upgrade(conn, "/ws", on_open=lambda ws: out.append("open"), on_msg=out.append,
              on_close=lambda code, reason: out.append(("ws close", code)))
    assert e.run(until=lambda: "open" in out, timeout=5), out
    try:
        e.run(timeout=5)
        out.append("nothing left poll()")
    except kind as x:
        out.append(("raised", str(x)))
    e.ws_send(conn, "still here")
    assert e.run(until=lambda: "still here" in out, timeout=5), out
    e.close(conn)
    assert e.run(timeout=5)
    assert out == ["open", ("req err", "TimeoutError"), ("raised", "in on_err"), "still here", ("ws close", 1000),
                   ("close", None)], out


def test_poll_exception_on_a_redirects_connection_leaves_poll_when_the_conn_is_a_websocket():
    _leaves_poll_when_the_conn_is_a_websocket(ValueError)


def test_poll_interrupt_on_a_redirects_connection_leaves_poll_when_the_conn_is_a_websocket():
    _leaves_poll_when_the_conn_is_a_websocket(KeyboardInterrupt)


def test_poll_reraised_connect_error_deferred_then_close_leaves_poll():
    # The chain's on_err re-raised the ConnectError it was given (the other origin's name does not
    # resolve: raised in that connection's tick, after the application's Conn had its own), deferred to
    # the Conn; the application closed the Conn before its next round: the close took the exception for
    # the Conn's own connect error (by its type) and dropped it (a third outside review).
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: out.append(("err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("close", x)))

    def on_err(x):
        out.append(("req err", type(x).__name__))
        raise x

    e.request(conn, "GET", "/redirect/302", query={"to": "http://no-such-host.invalid/x"}, on_err=on_err)
    raised = []
    for _ in range(3):
        try:
            if e.run(until=lambda: out, timeout=5):
                break
        except Exception as x:  # noqa: BLE001 - what leaves poll() is checked below
            raised.append(type(x).__name__)
    e.close(conn)
    for _ in range(3):
        try:
            if e.run(timeout=5):
                break
        except Exception as x:  # noqa: BLE001
            raised.append(type(x).__name__)
    by_conn = ("err", "ConnectError") in out
    told = raised == ["ConnectError"] and not by_conn or not raised and by_conn
    assert out[0] == ("req err", "ConnectError") and told, (out, raised)
    assert out[-1][0] == "close" and not e.connections, (out, e.connections)
