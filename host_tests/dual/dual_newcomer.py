"""What a newcomer meets (found by an outside walk through the README as a new user): ``from
microhttpc import *`` raised AttributeError on MicroPython and imported none of the public names on
CPython; aio's upgrade() on a connection never opened, or closed, opened it (the blocking layer says
UsageError, as the README does); ``tls=`` and ``persistent=`` took any object ("no" turned TLS on and
kept the connection alive), where ``verify=`` is checked; poll's refused connect on MicroPython said
"errno 0"."""

from check import raises, server

# A pass that ran each MicroPython test with 1 to 8 KiB less heap found these failing 1 to 2 KiB under
# 128K (a CI run here is as close: a few hundred bytes of the package's growth would fail them)
MICROPYTHON_HEAPS = {
    "test_star_import_gives_the_public_names": "136K",  # (every public module at once)
}


def test_star_import_gives_the_public_names():
    g = {}
    exec("from microhttpc import *", g)
    for name in ("Connection", "Response", "get", "post", "close_all", "ws_connect", "WebSocket", "Engine",
                 "Request", "reconnect", "HTTPCError", "UsageError", "ConnectionClosed", "HTTPStatusError"):
        assert name in g, name
    import microhttpc

    assert g["Connection"] is microhttpc.Connection and g["UsageError"] is microhttpc.errors.UsageError
    import builtins

    if hasattr(builtins, "TimeoutError"):  # CPython: the builtin's name stays the builtin's
        assert "TimeoutError" not in g
    else:  # MicroPython has no builtin TimeoutError: ``except TimeoutError:`` after a star import was a
        assert g["TimeoutError"] is microhttpc.errors.TimeoutError  # NameError (an outside README walk)
    assert not [k for k in g if k.startswith("_") and k != "__builtins__"]


def test_tls_and_persistent_take_true_or_false():
    from microhttpc import Connection, aio
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    h, p = server("http")
    for kw in ({"tls": "no"}, {"tls": 1}, {"tls": None}, {"persistent": "no"}, {"persistent": 0},
               {"persistent": None}):
        e = raises(UsageError, Connection, h, p, **kw)
        assert "True or False" in str(e), e
        raises(UsageError, Engine().connect, h, p, **kw)
        raises(UsageError, aio.Connection, h, p, **kw)  # (the session's rule: every layer)
    c = Connection(h, p, tls=False, persistent=False)  # (the defaults' other value)
    assert not c.tls and not c.persistent


def test_aio_upgrade_needs_an_open_connection():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UsageError

    h, p = server("http")

    async def main():
        conn = aio.Connection(h, p, timeout=5)
        e = None
        try:
            await conn.upgrade("/ws")
        except UsageError as exc:
            e = exc
        assert e is not None and "open" in str(e) and not conn.is_open, e
        await conn.connect()
        r = await conn.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await conn.close()
        e = None
        try:
            await conn.upgrade("/ws")
        except UsageError as exc:
            e = exc
        assert e is not None and not conn.is_open, e
        conn = await aio.Connection.open(h, p, timeout=5)  # (open: the upgrade goes on)
        ws = await conn.upgrade("/ws")
        await ws.send("x")
        assert await ws.recv() == "x"
        await ws.close()
        return True

    assert asyncio.run(main())


def test_a_refused_connect_says_so_on_poll():
    from microhttpc.errors import ConnectError
    from microhttpc.poll import Engine

    e = Engine()
    errs = []
    e.connect("127.0.0.1", 1, on_err=lambda c, x: errs.append(x))  # nothing listens on port 1
    assert e.run(timeout=10)
    assert len(errs) == 1 and isinstance(errs[0], ConnectError), errs
    assert "errno 0" not in str(errs[0]) and ("refused" in str(errs[0]) or "errno 111" in str(errs[0])), errs
