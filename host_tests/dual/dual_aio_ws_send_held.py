"""An asyncio WebSocket's send() returns once the transport holds none of its frames.  (A module of its
own, from dual_aio_ws: a test module's code stays in the heap while its test runs, and this one passed
MicroPython's 128 KiB with 1.5 KB to spare there.)"""

import asyncio
import sys

from check import url
from microhttpc import aio

CPYTHON = sys.implementation.name == "cpython"


def test_a_send_returns_once_the_transport_holds_none_of_its_frames():
    # From CPython 3.12 a transport keeps a view of what it could not send at once, not a copy, and
    # send() builds a frame of 64 KiB or more in a buffer it keeps for the next one: to a server that
    # read nothing for a second, 3 of 4 messages of 200 KB went out overwritten by the next.  A write
    # now returns once the transport holds none of it (checked here on any version: 3.11's copy too).
    n = 200000 if CPYTHON else 3000

    async def main():
        ws = await aio.ws_connect(url("ws", "wsraw", "/pause-echo"), timeout=10, max_message=None)
        w = ws.conn._writer
        if CPYTHON:
            w.get_extra_info("socket").setsockopt(1, 7, 4096)  # SO_SNDBUF: a slow link
        msgs = [bytes([65 + i]) * n for i in range(4)]
        for m in msgs:
            await ws.send(m)
            if CPYTHON:
                assert w.get_write_buffer_size() == 0, w.get_write_buffer_size()
        for m in msgs:
            got = await ws.recv(10)
            assert got == m, (len(got), got[:4], m[:4])
        await ws.close()

    asyncio.run(main())
