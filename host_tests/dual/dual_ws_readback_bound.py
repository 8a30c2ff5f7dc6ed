"""A write meets a reset behind 4,000 small messages (60 KB) that the server sent and we had not read
yet (tools/servers.py /m4000-then-reset).  The read-back of what came before the reset stops once the
protocol holds back more than the heap can make events of (its events wait to be handed out): those messages come, in order, then the
end, 1006.  It read all the kernel held into one growing copy: in a 128K heap that found no heap, and
the end was a 1009 "message of 0+ bytes does not fit in memory" after 32 of the messages (blocking and
asyncio on MicroPython; an outside hunt)."""

import time

from check import server
from microhttpc.errors import LimitExceeded

MICROPYTHON_HEAP = "128K"


def _check(got, e, errs):
    assert len(got) >= 32, len(got)
    assert got == ["message %05d" % i for i in range(len(got))], got[:3]
    assert e.code == 1006, e.code
    # a reset, not a message over a limit (the heap was full)
    assert not isinstance(e.cause, LimitExceeded) and not [x for x in errs if isinstance(x, LimitExceeded)], (e.cause, errs)


def test_blocking_read_back_is_bounded():
    import microhttpc
    from microhttpc.errors import ConnectionClosed

    h, p = server("wsraw")
    errs = []
    ws = microhttpc.ws_connect("ws://%s:%d/m4000-then-reset" % (h, p), timeout=5, on_err=errs.append)
    time.sleep(0.5)  # the messages and the reset are in before the write
    try:
        ws.send("x")
    except ConnectionClosed:
        pass
    got = []
    while True:
        try:
            got.append(ws.recv(5))
        except ConnectionClosed as e:
            return _check(got, e, errs)


def test_aio_read_back_is_bounded():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    h, p = server("wsraw")

    errs = []

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/m4000-then-reset" % (h, p), timeout=5, on_err=errs.append)
        await asyncio.sleep(0.5)
        try:
            await ws.send("x")
        except ConnectionClosed:
            pass
        got = []
        while True:
            try:
                got.append(await ws.recv(5))
            except ConnectionClosed as e:
                return got, e

    _check(*asyncio.run(main()), errs)
