"""Slow and endless servers through the three I/O layers: interim responses that drip or flood, a
body dribbled past an overall deadline, an unread dribbling body before the next request, and a
keep-alive connection the server closes while idle.

The time bounds are hang checks, not performance checks: generous against the timeouts asked for.
"""

from microhttpc.errors import ConnectionLost, LimitExceeded, TimeoutError, UsageError
from pumps_http import GENUINE, expect, now, open_client, per_layer, sleep


def _bounded(layer, path, exc_type, within, **conn_kw):
    c = open_client(layer, **conn_kw)
    t0 = now()
    try:
        exc = expect(exc_type, c.request, "GET", path)
        took = now() - t0
        assert took < within, "%s after %.1f s (bound %s s)" % (type(exc).__name__, took, within)
        return exc
    finally:
        c.close()


def _slow_1xx_drip(layer):
    # 100 Continue every 0.5 s, never a final response: timeout bounds the wait for the head as a whole
    _bounded(layer, "/raw/drip-1xx", TimeoutError, 4, timeout=1.0)


def _1xx_flood(layer):
    # thousands of 100 Continue at once (then a final 200): more than max_interim (8) -> LimitExceeded
    _bounded(layer, "/raw/flood-1xx", LimitExceeded, 4, timeout=5)


def _deadline_on_connection(layer):
    # 1 byte every 0.2 s keeps the inactivity timeout (5 s) from firing; the deadline (1 s) must
    exc = _bounded(layer, "/raw/dribble-50", TimeoutError, 4, timeout=5, deadline=1.0)
    # named as the deadline (aio said "no data from the server within 5 s": its abort had cleared it)
    assert "1.0 s deadline" in str(exc), exc


def _deadline_per_request(layer):
    c = open_client(layer, timeout=5)
    t0 = now()
    try:
        expect(TimeoutError, c.request, "GET", "/raw/dribble-50", deadline=1.0)
        assert now() - t0 < 4, "took %.1f s" % (now() - t0)
    finally:
        c.close()


def _stale_keep_alive(layer):
    """The server answers with keep-alive and closes the idle connection 0.1 s later.  Blocking and
    aio: an idempotent GET 0.3 s later succeeds (sent again on a new connection).  poll: the Conn sees
    the EOF while idle, reports on_close, and refuses a new request with UsageError."""
    c = open_client(layer, timeout=5)
    try:
        assert c.request("GET", "/raw/close-later").body == b"once"
        c.wait(1.0)  # (the server closes 0.1 s after its answer: 0.3 s left 0.2 s to a loaded machine)
        if layer == "poll":
            assert not c.is_open() and len(c.closes) == 1, c.closes
            expect(UsageError, c.request, "GET", "/raw/genuine")
        else:
            assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()


def _stale_keep_alive_unpolled(layer):
    """As above, but nothing runs while the connection is idle (poll: the engine is not polled), so
    the next request finds the server's EOF: it goes out on a new connection on every layer (poll
    failed it with ConnectionLost, "the connection can't carry another request")."""
    import time

    for path in ("/raw/close-later", "/raw/reset-later"):  # (the idle connection closed, or reset)
        c = open_client(layer, timeout=5)
        try:
            assert c.request("GET", path).body == b"once"
            time.sleep(0.3)
            assert c.request("GET", "/raw/genuine").body == GENUINE, path
        finally:
            c.close()


def _answer_then_reset(layer):
    """A whole answer and, right behind it, a reset (SO_LINGER 0): the answer is read before the reset
    is.  MicroPython's readinto() reads on after a read that did not fill the buffer and lost what the
    first read got when the next one found the reset (ConnectionLost: 18 of 20 blocking, 8 of 20 poll,
    18 of 20 aio)."""
    for _ in range(5):
        c = open_client(layer, timeout=5)
        try:
            assert c.request("GET", "/raw/reset-after").body == b"hello"
        finally:
            c.close()
        sleep(0.05)  # (the reset arrives before the next request's answer is read)


def _deadline_over_a_resend(layer):
    """The server reads the second request and closes 1.5 s later without a byte of answer: the
    idempotent GET goes again on a new connection, where its answer dribbles.  The deadline bounds both
    attempts (each restarted it: TimeoutError after about 3.5 s of a 2 s deadline)."""
    c = open_client(layer, timeout=5, deadline=2.0)
    try:
        assert c.request("GET", "/raw/then-drop-late").body == b"once"
        t0 = now()
        exc = expect(TimeoutError, c.request, "GET", "/raw/dribble-50")
        took = now() - t0
        assert "2.0 s deadline" in str(exc) and took < 3.0, (took, exc)
    finally:
        c.close()


def _deadline_over_a_head_redirect_chain(layer):
    """Every answer is a 302 to itself, 0.3 s after the request.  To HEAD a 3xx is complete at its head,
    which cleared the deadline before the next hop took it: the chain ran on to TooManyRedirects (20
    hops, 6 s), with the connection's deadline or the request's."""
    for conn_kw, req_kw in (({"deadline": 1.5}, {}), ({}, {"deadline": 1.5})):
        c = open_client(layer, timeout=5, follow_redirects=20, **conn_kw)
        try:
            t0 = now()
            exc = expect(TimeoutError, c.request, "HEAD", "/raw/redirect-slow", **req_kw)
            took = now() - t0
            assert "1.5 s deadline" in str(exc) and took < 2.5, (took, exc, conn_kw)
        finally:
            c.close()


per_layer(globals(), "deadline_over_a_resend", _deadline_over_a_resend)
per_layer(globals(), "deadline_over_a_head_redirect_chain", _deadline_over_a_head_redirect_chain)
per_layer(globals(), "answer_then_reset", _answer_then_reset)
per_layer(globals(), "slow_1xx_drip", _slow_1xx_drip)
per_layer(globals(), "1xx_flood", _1xx_flood)
per_layer(globals(), "deadline_on_connection", _deadline_on_connection)
per_layer(globals(), "stale_keep_alive_unpolled", _stale_keep_alive_unpolled)
per_layer(globals(), "deadline_per_request", _deadline_per_request)
per_layer(globals(), "stale_keep_alive", _stale_keep_alive)


# -- drain: blocking and aio only.  poll has no "unread body": it collects (or streams to on_body)
# every body itself before the next queued request runs.


def _drain(layer, path):
    """An unread body that dribbles, then the next request on the same Connection: it gets the genuine
    answer (the dribbling connection is closed, not waited for: drain_timeout is 1 s by default), and
    reading the first body afterwards raises ConnectionLost."""
    c = open_client(layer, timeout=5, max_body=200000)  # so reading the old body is not refused by size
    try:
        first = c.request("GET", path, read=False)
        assert first.status == 200
        t0 = now()
        assert c.request("GET", "/raw/genuine").body == GENUINE
        assert now() - t0 < 4, "the next request waited %.1f s for the old body" % (now() - t0)
        expect(ConnectionLost, c.read, first)
    finally:
        c.close()


def test_drain_over_limit_blocking():
    _drain("blocking", "/raw/dribble-big")  # Content-Length 100000: over drain_limit


def test_drain_over_limit_aio():
    _drain("aio", "/raw/dribble-big")


def test_drain_too_slow_blocking():
    _drain("blocking", "/raw/dribble-small")  # Content-Length 1000: within drain_limit, not drain_timeout


def test_drain_too_slow_aio():
    _drain("aio", "/raw/dribble-small")


def _drain_within_deadline(layer):
    """The same with deadline= on the next request, less than drain_timeout: the drain takes at most
    half of it, and the request goes on a new connection within the rest.  It took the whole deadline
    (the request failed with TimeoutError, sometimes as a connect timed out after 0.001 s), where a new
    connection answers in a millisecond (an outside hunt)."""
    # (drain_timeout 10 s, deadline 2 s: the drain's half is 1 s and the new connection has the other;
    # with deadline 0.6 it had 0.3 s, thin on a loaded machine)
    c = open_client(layer, timeout=5, max_body=200000, drain_timeout=10)
    try:
        first = c.request("GET", "/raw/dribble-small", read=False)
        assert first.status == 200
        t0 = now()
        assert c.request("GET", "/raw/genuine", deadline=2.0).body == GENUINE
        assert now() - t0 < 2.0, now() - t0
    finally:
        c.close()


def test_drain_within_deadline_blocking():
    _drain_within_deadline("blocking")


def test_drain_within_deadline_aio():
    _drain_within_deadline("aio")


def _deadline_bounds_a_redirect_chain(layer):
    """Three redirects of 0.4 s each with deadline=1.0: TimeoutError after about 1 s.  Each hop got
    the whole deadline again (200 after 1.2 s; nine hops took 7.2 s with deadline=2)."""
    c = open_client(layer, timeout=5, follow_redirects=5, deadline=1.0)
    t0 = now()
    try:
        exc = expect(TimeoutError, c.request, "GET", "/raw/slow-hop-3")
        assert now() - t0 < 1.8, (now() - t0, exc)
    finally:
        c.close()


per_layer(globals(), "deadline_bounds_a_redirect_chain", _deadline_bounds_a_redirect_chain)
