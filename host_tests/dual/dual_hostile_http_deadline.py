"""A request's ``deadline`` bounds its whole exchange, the connect of its connection included (TCP, and
the TLS handshake on CPython): through the three layers, on both runtimes.  (A module of its own: the
MicroPython processes of dual_hostile_http_raw2's TLS tests have no heap for its names.)"""

from microhttpc.errors import TimeoutError
from pumps_http import expect, open_client, per_layer


def _deadline_bounds_the_connect(layer):
    """``deadline`` bounds the request as a whole, the connect of its connection included: a connect that
    never completes, a TLS handshake that never comes.  (It bounded a redirect's connect, not the first:
    connect_timeout alone did, 10 s here; the TLS handshake only on MicroPython, where it runs inside
    the first write.)"""
    from check import server
    from pumps_http import now

    for name, kw in (("full", {}), ("silent", {"tls": True, "verify": False})):
        host, port = server(name)
        c = open_client(layer, host, port, run_timeout=8, connect_timeout=10, deadline=0.5, **kw)
        t0 = now()
        try:
            expect(TimeoutError, c.request, "GET", "/hello")
        finally:
            c.close()
        assert now() - t0 < 4, (name, now() - t0)
    if layer == "blocking":  # a request's own deadline too (poll: the connection's bounds its connect)
        from microhttpc.client import Connection

        t0 = now()
        expect(TimeoutError, Connection(*server("full"), connect_timeout=10).request, "GET", "/", deadline=0.5)
        assert now() - t0 < 4, now() - t0


def _deadline_bounds_the_drain_before_it(layer):
    """A request's ``deadline`` bounds the drain of the previous, unread body as well, to half of it: a
    body that stalls is dropped with its connection, and the request goes on a new one within the rest
    (the drain took its own 10 s, drain_timeout, and the request then its 0.5; then the whole deadline,
    and the request failed where a new connection answered in a millisecond: an outside hunt).  (poll
    reads every body itself: nothing is left unread.)"""
    from pumps_http import now

    if layer == "poll":
        return
    c = open_client(layer, timeout=10, drain_timeout=10)
    try:
        c.request("GET", "/raw/stall-body", read=False)  # 3 of its 10 bytes, then nothing
        t0 = now()
        # (deadline 2 s: the drain's half is 1 s, and the new connection has the other second, where
        # 0.25 s of 0.5 ran out on a loaded machine)
        assert c.request("GET", "/raw/no-reason", deadline=2.0).body == b"ok"
        took = now() - t0
        assert 0.8 < took < 2.0, took  # (the drain's half, then the answer)
    finally:
        c.close()


per_layer(globals(), "deadline_bounds_the_connect", _deadline_bounds_the_connect)
per_layer(globals(), "deadline_bounds_the_drain_before_it", _deadline_bounds_the_drain_before_it)


def _nothing_is_sent_after_the_deadline(layer):
    """A request whose deadline passes goes to the server once at most: not a redirect's next hop
    again, not the request that waited for the drain of the body before it.  aio wrote them after the
    deadline had passed in the drain, then raised TimeoutError: the server had a request the caller
    was told had timed out (a 307's POST with its body, too).  A drain takes half of the deadline now,
    so each goes within it, once (the deadline passes in a connect too, dual_hostile_http_deadline's
    first test: nothing is sent there)."""
    from pumps_http import now

    def count():  # (a client of its own: poll's Conn ends with the TimeoutError)
        k = open_client(layer, timeout=10)
        try:
            return int(k.request("GET", "/raw/count?/raw/mute").body)
        finally:
            k.close()

    before = count()
    c = open_client(layer, timeout=10, drain_timeout=10, follow_redirects=3)
    try:
        t0 = now()
        expect(TimeoutError, c.request, "GET", "/raw/redirect-dribble", deadline=0.5)  # 302 to /raw/mute
        assert now() - t0 < 1.5, now() - t0
        sent = 1
        if layer != "poll":  # (poll reads every body itself: nothing is left unread)
            c.request("GET", "/raw/stall-body", read=False)  # 3 of its 10 bytes, then nothing
            t0 = now()
            expect(TimeoutError, c.request, "GET", "/raw/mute", deadline=0.5)
            assert now() - t0 < 1.5, now() - t0
            sent = 2
    finally:
        c.close()
    from pumps_http import sleep

    sleep(0.2)  # (a request written would be counted by now)
    assert count() == before + sent


per_layer(globals(), "nothing_is_sent_after_the_deadline", _nothing_is_sent_after_the_deadline)


def _deadline_bounds_a_resends_connect(layer):
    """An idempotent request that a kept-alive connection lost (the server read it and closed) goes
    again on a new connection whose connect does not complete (the "lapse" server): the request's
    deadline ends it.  poll's reconnect for the resend took its connect_timeout (8 s here) whatever
    remained of the deadline."""
    from check import server
    from pumps_http import now, sleep

    h, p = server("lapse")
    c = open_client(layer, h, p, run_timeout=15, timeout=10, connect_timeout=8)
    try:
        assert c.request("GET", "/").body == b"ok"
        t0 = now()
        expect(TimeoutError, c.request, "GET", "/drop", deadline=1.5)
        took = now() - t0
    finally:
        c.close()
    sleep(3)  # (until the server accepts again, 4 s after the drop)
    assert took < 3, took  # (poll: 4.2 s, the connect completed when the server accepted again)


per_layer(globals(), "deadline_bounds_a_resends_connect", _deadline_bounds_a_resends_connect)
