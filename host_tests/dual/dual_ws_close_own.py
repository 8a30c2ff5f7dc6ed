"""A MemoryError that a WebSocket's ``on_close`` (or ``on_err``, at the end) itself raises is its own,
reported once as any exception of a callback is: out of ``close()`` (blocking, asyncio); on the Engine, after the reports
to the connection's ``on_err`` and ``on_close``, out of ``run()``.  The blocking close() swallowed
it (it takes a MemoryError there for the package's shortage, the Close frame's, which the end already
is), and so did the Engine (any MemoryError while the WebSocket's end was told), where a ValueError
got out; asyncio's close() raised it already.  (dual_ws_user_oom: the same for ``on_err``; a module
of its own, as that one's Engine test sits at the edge of a 128K heap with the three layers loaded.)"""

import asyncio

from check import raises, server, url
from microhttpc import aio, ws_connect


class Mine(MemoryError):
    pass


def _closer(seen):
    def on_close(code, reason):
        seen.append(code)
        raise Mine("on_close")

    return on_close


def test_on_close_own_memoryerror_blocking():
    seen = []
    w = ws_connect(url("ws", "ws"), timeout=5, on_close=_closer(seen))
    w.send("a")
    assert w.recv(3) == "a"
    raises(Mine, w.close)
    assert seen == [1000] and w.closed, (seen, w.closed)
    w.close()  # (told once: nothing more)
    assert seen == [1000], seen


def test_on_close_own_memoryerror_aio():
    async def main():
        seen = []
        w = await aio.ws_connect(url("ws", "ws"), timeout=5, on_close=_closer(seen))
        try:
            await w.close()
            got = None
        except Mine as exc:
            got = exc
        await w.close()
        return seen, got

    seen, got = asyncio.run(main())
    assert seen == [1000] and isinstance(got, Mine), (seen, got)


def test_on_close_own_memoryerror_engine():
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    e.upgrade(c, "/rsv", on_close=_closer(seen), on_err=lambda x: seen.append(type(x).__name__))
    raises(Mine, e.run, until=lambda: c.closed, timeout=5)
    assert c.closed and seen == ["ProtocolError", 1006, ("conn on_err", "ProtocolError"),
                                 ("conn on_close", "ProtocolError")], seen


# on_err the same, when the end tells it of a fault (an outside review of the fix above): the server
# answers our Close with code 1005, which no Close may carry (blocking close()); it ends TCP after a
# message, with no Close (the Engine: ConnectionLost to on_err as the connection ends).


def _err_raiser(seen):
    def on_err(exc):
        seen.append(type(exc).__name__)
        raise Mine("on_err")

    return on_err


def test_on_err_own_memoryerror_at_the_end_blocking():
    seen = []
    w = ws_connect(url("ws", "wsraw", "/badclose"), timeout=5, on_err=_err_raiser(seen),
                   on_close=lambda code, reason: seen.append(code))
    raises(Mine, w.close)
    w.close()  # (told once: nothing more)
    assert w.closed and seen == ["ProtocolError", 1006], seen


def test_on_err_own_memoryerror_at_the_end_engine():
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    e.upgrade(c, "/eof", on_err=_err_raiser(seen), on_close=lambda code, reason: seen.append(code))
    raises(Mine, e.run, until=lambda: c.closed, timeout=5)
    assert c.closed and seen == ["ConnectionLost", 1006, ("conn on_close", "ConnectionLost")], seen


# And on_close is told in the same call when on_err raised before it (the server's Close is a fault as
# our close() reads it): asyncio's close() left on_close to a next close(), which may never come.


def test_on_close_follows_an_on_err_that_raised_in_close():
    def run_blocking(seen, on_err):
        w = ws_connect(url("ws", "wsraw", "/badclose"), timeout=5, on_err=on_err,
                       on_close=lambda code, reason: seen.append(code))
        raises(ValueError, w.close)

    async def run_aio(seen, on_err):
        w = await aio.ws_connect(url("ws", "wsraw", "/badclose"), timeout=5, on_err=on_err,
                                 on_close=lambda code, reason: seen.append(code))
        try:
            await w.close()
        except ValueError:
            seen.append("raised")

    def on_err_of(seen):
        def on_err(exc):
            seen.append(type(exc).__name__)
            raise ValueError("on_err")

        return on_err

    seen = []
    run_blocking(seen, on_err_of(seen))
    assert seen == ["ProtocolError", 1006], seen
    seen = []
    asyncio.run(run_aio(seen, on_err_of(seen)))
    assert seen == ["ProtocolError", 1006, "raised"], seen
