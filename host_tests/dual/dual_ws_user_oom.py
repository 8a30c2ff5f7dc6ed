"""A MemoryError that a WebSocket's own callback raises after a fault (its ``on_err`` told of a
protocol error, as a board's logging may: the fault comes on a short heap) is that callback's, and is
reported once as any exception of a callback is: out of ``recv()`` (blocking, asyncio), to the
connection's ``on_err`` and ``on_close`` (the Engine).  Only the package's own shortage there, a fault's
Close frame that finds no heap (dual_ws_send_oom, dual_oom_pollws), ends the connection with the fault
instead.  Every layer took any MemoryError after a fault for that shortage, and the callback's was lost
(found by an outside review).  The server sends a frame with a reserved bit set (1002)."""

import asyncio

from check import raises, server, url
from microhttpc import aio, ws_connect


class Mine(MemoryError):
    pass


def _raiser(seen):
    def on_err(exc):
        seen.append(type(exc).__name__)
        raise Mine("user")

    return on_err


def test_blocking():
    seen = []
    w = ws_connect(url("ws", "wsraw", "/rsv"), timeout=5, on_err=_raiser(seen))
    raises(Mine, w.recv, 3)
    assert seen == ["ProtocolError"], seen
    w.close()


def test_aio():
    async def main():
        seen = []
        w = await aio.ws_connect(url("ws", "wsraw", "/rsv"), timeout=5, on_err=_raiser(seen))
        try:
            await w.recv(3)
            got = None
        except Mine as exc:
            got = exc
        await w.close()
        return seen, got

    seen, got = asyncio.run(main())
    assert seen == ["ProtocolError"] and isinstance(got, Mine), (seen, got)


def test_engine():
    from microhttpc.poll import Engine

    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))
    e.upgrade(c, "/rsv", on_err=_raiser(seen))
    e.run(until=lambda: c.closed, timeout=5)
    assert seen == ["ProtocolError", ("conn on_err", "Mine"), ("conn on_close", "Mine")], seen
