"""recv(timeout=) that runs out while a large message is arriving loses nothing: the wsraw server's
/dribble/N/BYTES writes one N-byte binary message, then its SHA-1 as text, BYTES a millisecond after
a pause of 30 ms behind the first piece; the client calls recv() with a 3 ms timeout until both came,
ignoring the timeouts (a timeout leaves the connection open).  MicroPython: 4000 bytes, 500 a
millisecond (without the pause, on a loaded machine the message was sometimes all in before a recv()
ran out; and with aio's timeouts a 12000- or 8000-byte message did not always find one free block of
its size in the 128K heap, 40 KB free in blocks of at most 6 KB: LimitExceeded, 1009, as the README
says).  On CPython the rest of a message larger than aio's 64 KiB receive buffer goes
straight into the message (the transport receives into it): bytes that arrived there before a
timeout were once dropped."""

import hashlib

from microhttpc.errors import TimeoutError
from microhttpc.rt import MICROPYTHON
from check import url
from pumps_http import now

N = 4000 if MICROPYTHON else 300000  # over the receive buffer of each runtime (2 KiB, 64 KiB)
PATH = "/dribble/%d/%d" % (N, 500 if MICROPYTHON else 3000)


def _check(got):
    assert len(got) == 2 and isinstance(got[0], bytes) and len(got[0]) == N, [len(m) for m in got]
    assert _hex(hashlib.sha1(got[0]).digest()) == got[1], got[1]


def _hex(b):
    return "".join("%02x" % x for x in b)


def test_blocking_recv_timeouts_lose_nothing():
    from microhttpc import ws_connect  # (one layer per test: both would not leave 128K the room)

    ws = ws_connect(url("ws", "wsraw", PATH), timeout=5, max_message=N)
    got, timeouts, t0 = [], 0, now()
    while len(got) < 2 and now() - t0 < 10:  # (bytes lost: the rest never comes)
        try:
            got.append(ws.recv(timeout=0.003))
        except TimeoutError:
            timeouts += 1
    ws.close()
    _check(got)
    assert timeouts > 0  # the case under test happened


def test_aio_recv_timeouts_lose_nothing():
    import asyncio

    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(url("ws", "wsraw", PATH), timeout=5, max_message=N)
        got, timeouts, t0 = [], 0, now()
        while len(got) < 2 and now() - t0 < 10:  # (bytes lost: the rest never comes)
            try:
                got.append(await ws.recv(timeout=0.003))
            except TimeoutError:
                timeouts += 1
        await ws.close()
        return got, timeouts

    got, timeouts = asyncio.run(main())
    _check(got)
    assert timeouts > 0


def test_aio_recv_with_a_zero_timeout_takes_what_is_there():
    """recv(timeout=0) (or under a millisecond) returns a message that is already waiting (on
    MicroPython the deadline cancelled the wait before the socket was read, every time)."""
    import asyncio

    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(url("ws", "wsraw", "/later"), timeout=5)  # "later", 50 ms after the 101
        for _ in range(100):
            try:
                return await ws.recv(timeout=0)
            except TimeoutError:
                await asyncio.sleep(0.01)
        return None

    assert asyncio.run(main()) == "later"
