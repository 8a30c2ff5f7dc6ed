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
    """A request's ``deadline`` bounds the drain of the previous, unread body as well: a body that
    stalls is dropped with its connection at the deadline (the drain took its own 10 s, drain_timeout,
    and the request then its 0.5).  (poll reads every body itself: nothing is left unread.)"""
    from pumps_http import now

    if layer == "poll":
        return
    c = open_client(layer, timeout=10, drain_timeout=10)
    try:
        c.request("GET", "/raw/stall-body", read=False)  # 3 of its 10 bytes, then nothing
        t0 = now()
        expect(TimeoutError, c.request, "GET", "/raw/no-reason", deadline=0.5)
        took = now() - t0
        assert took < 4, took
        assert c.request("GET", "/raw/no-reason").body == b"ok"  # a new connection, no deadline
    finally:
        c.close()


per_layer(globals(), "deadline_bounds_the_connect", _deadline_bounds_the_connect)
per_layer(globals(), "deadline_bounds_the_drain_before_it", _deadline_bounds_the_drain_before_it)
