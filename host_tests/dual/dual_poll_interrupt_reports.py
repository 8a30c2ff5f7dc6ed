"""poll: an interrupt (KeyboardInterrupt) raised by a callback while a connection's end is reported, or on a
redirect's own connection, or by a reconnect's target, or by a message callback of the frames that came
with the 101: every report is still made, once, and the interrupt leaves poll() once (an outside review).
It stopped the reports (the requests queued behind and the Conn were never told); it left poll() twice (a
redirect to another origin: once, then again from the Conn's deferred end); it left the reconnect loop
dead while ``running`` said True; and the requests queued behind an upgrade stayed queued, the
WebSocket going on, until the connection's end."""

from check import server


def _poll(e, out, rounds=30, until=None):
    for _ in range(rounds):
        try:
            e.poll(100)
        except KeyboardInterrupt:
            out.append("interrupt")
        if until is not None and until() or until is None and not e.connections:
            return


def _engine():
    from microhttpc.poll import Engine

    return Engine(timeout=3)


def test_an_interrupt_from_on_err_as_the_connection_ends_stops_no_report():
    e, out = _engine(), []

    def on_err(x):
        out.append(("r1 on_err", type(x).__name__))
        raise KeyboardInterrupt

    c = e.connect(*server("closed"), on_err=lambda c, x: out.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: out.append(("conn on_close", type(x).__name__)))
    e.request(c, "GET", "/a", on_err=on_err)
    e.request(c, "GET", "/b", on_err=lambda x: out.append(("r2 on_err", type(x).__name__)))
    _poll(e, out)
    assert out == [("r1 on_err", "ConnectError"), ("r2 on_err", "ConnectError"), ("conn on_err", "ConnectError"),
                   ("conn on_close", "ConnectError"), "interrupt"], out


def test_an_interrupt_on_a_redirect_to_another_origin_leaves_poll_once():
    e, out = _engine(), []
    h, p = server("http")
    h2, p2 = server("http2")

    def on_complete(r, ok):
        out.append(("on_complete", ok, r.status))
        raise KeyboardInterrupt

    c = e.connect(h, p, on_err=lambda c, x: out.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: out.append(("conn on_close", type(x).__name__)))
    e.request(c, "GET", "/redirect/302?to=http://%s:%d/hello" % (h2, p2), follow_redirects=3,
              on_complete=on_complete)
    _poll(e, out)
    assert out == [("on_complete", True, 200), ("conn on_err", "KeyboardInterrupt"),
                   ("conn on_close", "KeyboardInterrupt"), "interrupt"], out


def test_an_interrupt_from_a_reconnect_target_leaves_the_loop_going():
    from microhttpc.poll import reconnect

    e, out = _engine(), []
    n = [0]
    h, p = server("wsraw")

    def target(eng):
        n[0] += 1
        if n[0] == 2:
            raise KeyboardInterrupt
        return eng.upgrade(eng.connect(h, p), "/bye-then-reset")

    r = reconnect(e, target, base_delay=0.05, max_delay=0.1, min_uptime=0.0)
    try:
        _poll(e, out, 60, lambda: n[0] >= 4)
    finally:
        r.stop()
    assert n[0] >= 4 and out == ["interrupt"], (n, out)
    e.run(timeout=2)


def test_an_interrupt_from_on_msg_of_the_frames_with_the_101_fails_the_queue_at_once():
    from microhttpc.errors import UsageError

    e, got, errs = _engine(), [], []
    conn = e.connect(*server("wsraw"))

    def on_msg(m):
        got.append(m)
        if m == "a":
            raise KeyboardInterrupt

    e.upgrade(conn, "/ping-then-msgs", on_msg=on_msg)
    e.request(conn, "GET", "/hello", on_err=errs.append)
    out = []
    _poll(e, out, 5, lambda: bool(out))  # (up to the interrupt: the request has been told already)
    assert out == ["interrupt"] and len(errs) == 1 and isinstance(errs[0], UsageError), (out, errs)
    _poll(e, out, 30, lambda: "got pong p" in got)
    assert got == ["a", "b", "cd", "e", "later", "got pong p"], got  # (the PING answered: the server says so)
    e.close(conn)
    e.run(timeout=3)


def test_a_message_callback_exception_with_the_101_still_ends_the_connection():
    # (a first version failed the queue in a finally: the queued request's on_err interrupt replaced
    # on_msg's ValueError, and the WebSocket stayed open, untold, for good: the review)
    e, out = _engine(), []
    conn = e.connect(*server("wsraw"), on_close=lambda c, x: out.append(("conn on_close", type(x).__name__)))

    def on_msg(m):
        raise ValueError("mine")

    def on_err(x):
        out.append(("queued on_err", type(x).__name__))
        raise KeyboardInterrupt

    e.upgrade(conn, "/abc", on_msg=on_msg, on_err=lambda x: out.append(("ws on_err", type(x).__name__)))
    e.request(conn, "GET", "/hello", on_err=on_err)
    _poll(e, out)
    assert not e.connections and ("ws on_err", "ValueError") in out and ("conn on_close", "ValueError") in out, out
    assert out.count("interrupt") == 1 and [o for o in out if o[0] == "queued on_err"], out
