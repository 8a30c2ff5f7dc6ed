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
