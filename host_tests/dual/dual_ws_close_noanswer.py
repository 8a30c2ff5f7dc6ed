"""``close()`` to a server that never answers the Close (README, "Faults and closing"): on the blocking
and asyncio layers the call returns once ``close_timeout`` has passed, without raising; ``on_close``
says 1006 (no Close came), once, and ``on_err`` is not called (the engine's reports of the same end,
``on_err(TimeoutError)`` first, are in dual_poll_faults).  The next ``recv()`` raises ConnectionClosed
with 1006 and the Close this side sent (1000); no cause."""

import asyncio

from check import url
from microhttpc import ConnectionClosed


def _log():
    seen = []
    return seen, dict(close_timeout=0.5, on_err=lambda x: seen.append(("err", type(x).__name__)),
                      on_close=lambda code, reason: seen.append(("close", code)))


def _after(seen, exc):
    assert isinstance(exc, ConnectionClosed), exc
    seen.append(("recv", exc.code, exc.sent_code, exc.cause))
    return seen


def test_blocking():
    from microhttpc import ws_connect

    seen, kw = _log()
    ws = ws_connect(url("ws", "wsraw", "/noclose"), timeout=5, **kw)
    ws.close()
    try:
        ws.recv(1)
        exc = None
    except Exception as e:
        exc = e
    assert _after(seen, exc) == [("close", 1006), ("recv", 1006, 1000, None)], seen


def test_aio():
    from microhttpc import aio

    async def main():
        seen, kw = _log()
        ws = await aio.ws_connect(url("ws", "wsraw", "/noclose"), timeout=5, **kw)
        await ws.close()
        try:
            await ws.recv(1)
            exc = None
        except Exception as e:
            exc = e
        return _after(seen, exc)

    seen = asyncio.run(main())
    assert seen == [("close", 1006), ("recv", 1006, 1000, None)], seen
