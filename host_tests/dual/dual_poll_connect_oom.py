"""poll: ``Engine.connect()`` that meets a MemoryError while it starts the connect (resolving, making the
socket, joining the poll set) raises it, and the Conn ends from the next poll() with on_close(conn, it)
and no on_err, as after the other Engine calls: it stayed in the engine, CONNECTING, until connect_timeout
reported on_err + on_close(TimeoutError) for a connection the caller never got.  The fault is injected
at each spot (no heap size lands on them reliably).  Both runtimes."""

from check import server


def _connect_fails(where):
    import socket as real

    from microhttpc import poll
    from microhttpc.poll import Engine

    class Sockets:  # the module's socket functions, one of them failing once
        SOCK_STREAM = real.SOCK_STREAM

        def getaddrinfo(self, *a):
            if where == "getaddrinfo":
                raise MemoryError("injected")
            return real.getaddrinfo(*a)

        def socket(self, *a):
            if where == "socket":
                raise MemoryError("injected")
            return real.socket(*a)

    class Poller:  # the engine's poll set, whose register fails once
        def __init__(self, p):
            self.p = p

        def register(self, *a):
            if where == "register":
                raise MemoryError("injected")
            return self.p.register(*a)

        def __getattr__(self, name):
            return getattr(self.p, name)

    h, p = server("http")
    e = Engine(timeout=5, connect_timeout=3)
    ev = []
    saved = poll.socket
    poll.socket = Sockets()
    if where == "register":
        e._poller = Poller(e._poller)
    try:
        e.connect(h, p, on_err=lambda c, x: ev.append(("on_err", x)), on_close=lambda c, x: ev.append(("on_close", x)))
        raise AssertionError("no MemoryError")
    except MemoryError as exc:
        err = exc
    finally:
        poll.socket = saved
        if where == "register":
            e._poller = e._poller.p
    assert e.run(until=lambda: not e.connections, timeout=1), e.connections  # at once, not at connect_timeout
    assert ev == [("on_close", err)], ev
    got = []
    c = e.connect(h, p)
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: (got.append(r.body), e.close(c)))
    assert e.run(timeout=10) and got == [b"hello world"], got


def test_connect_oom_getaddrinfo():
    _connect_fails("getaddrinfo")


def test_connect_oom_socket():
    _connect_fails("socket")


def test_connect_oom_register():
    _connect_fails("register")


class _Once:
    """The module's socket functions, getaddrinfo failing once for ``port`` while armed."""

    def __init__(self, port):
        import socket as real

        self.real, self.port, self.armed = real, port, False
        self.SOCK_STREAM = real.SOCK_STREAM

    def getaddrinfo(self, host, port, *a):
        if port == self.port and self.armed:
            self.armed = False
            raise MemoryError("injected")
        return self.real.getaddrinfo(host, port, *a)

    def __getattr__(self, name):  # (the rest of the module: socket(), its constants)
        return getattr(self.real, name)


def test_redirect_hop_connect_oom_fails_the_request():
    # A redirect to another origin whose connect met a MemoryError: the request was in no queue and was
    # never told (and the first connection failed with it); it fails with it, the connection goes on.
    from microhttpc import poll
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    saved, poll.socket = poll.socket, _Once(p2)
    try:
        poll.socket.armed = True
        e = Engine(timeout=5, connect_timeout=3)
        ev = []
        c = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: ev.append(("conn err", x)),
                      on_close=lambda c, x: ev.append(("conn close", x)))
        e.request(c, "GET", "/redirect/302?to=http://%s:%d/hello" % (h2, p2),
                  on_complete=lambda r, ok: ev.append(("complete", r.status, ok)), on_err=lambda x: ev.append(("err", x)))
        assert e.run(until=lambda: ev, timeout=8), ev
        assert e.run(until=lambda: len(ev) == 2, timeout=8), ev
        assert ev[0][0] == "err" and isinstance(ev[0][1], MemoryError) and ev[1] == ("complete", 302, False), ev
        got = []
        e.request(c, "GET", "/hello", on_complete=lambda r, ok: got.append(r.body))
        assert e.run(until=lambda: got, timeout=8) and got == [b"hello world"], (got, ev)
        e.close_all()
        e.run(timeout=2)
    finally:
        poll.socket = saved


def test_resend_reconnect_oom_reported_once():
    # An idempotent request a kept-alive connection lost is sent again on that Conn, reconnected; a
    # MemoryError in that connect was raised from poll() and then reported again (on_err, on_close).
    from microhttpc import poll
    from microhttpc.poll import Engine

    h, p = server("raw")
    saved, poll.socket = poll.socket, _Once(p)
    try:
        e = Engine(timeout=5, connect_timeout=3)
        ev = []
        c = e.connect(h, p, on_close=lambda c, x: ev.append(("conn close", x)))
        e.request(c, "GET", "/raw/then-drop", on_complete=lambda r, ok: ev.append(("first", r.body, ok)))
        assert e.run(until=lambda: ev, timeout=8) and ev == [("first", b"once", True)], ev
        poll.socket.armed = True  # the resend's connect
        e.request(c, "GET", "/raw/then-drop", on_complete=lambda r, ok: ev.append(("second", ok)),
                  on_err=lambda x: ev.append(("err", x)))
        assert e.run(timeout=8), ev  # nothing raised from it
        assert [k for k, _ in ev[1:]] == ["err", "conn close"] and isinstance(ev[1][1], MemoryError), ev
    finally:
        poll.socket = saved
