"""recv(0) under a flood and for a message larger than one read (blocking and aio, both runtimes): a
flood all there holds the call no longer than one read's worth and its steps; a large message all there
comes whole.  (Apart from dual_ws_recv_zero: its MicroPython process had no heap for both.)"""

import sys

from pumps_ws import connect_ws, per_layer, raw_server

# The PINGs of one read are answered in the call (its first read is always made): 64 KiB of 2-byte
# PINGs on CPython, 2 KiB on MicroPython; then 32 steps of at most 32 events each.
_MP = sys.implementation.name == "micropython"
_ONE_READ = (8192 if _MP else 65536) // 2



def _flood_does_not_hold_recv(layer):
    # A flood of empty PINGs all there: recv(0) stops after its steps (aio counted only its reads after
    # the deadline, not the steps that parse what was held: 31 reads of PINGs, tens of thousands
    # answered, 0.2 s on MicroPython where the blocking layer took 8 ms).
    import time

    from microhttpc.errors import TimeoutError

    h, p = raw_server()
    pings = [0]

    def on_ping(data):
        pings[0] += 1

    ws = connect_ws(layer, h, p, "/pingflood-fast", timeout=5, close_timeout=0.5, on_ping=on_ping)
    try:
        time.sleep(0.5)  # megabytes of PINGs wait
        try:
            ws.recv(0)
            raise AssertionError("a message")
        except TimeoutError:
            pass
        assert 0 < pings[0] <= _ONE_READ + 32 * 32 + 32, pings[0]
    finally:
        ws = None


per_layer(globals(), "flood_does_not_hold_recv", _flood_does_not_hold_recv, layers=("blocking", "aio"))


def test_aio_recv_zero_of_a_message_larger_than_a_read():
    # CPython: a message over 64 KiB (one read of the transport's), all there: recv(0) raised
    # TimeoutError, the bound's timer and the bytes coming in the same turn of the loop.
    import asyncio
    import time

    from check import server
    from microhttpc import aio

    h, p = server("ws")
    n = 4000 if _MP else 300000

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/big/%d" % (h, p, n), timeout=5, max_message=None)
        await asyncio.sleep(0.05)
        time.sleep(0.5)  # all of it in the socket
        m = await ws.recv(0)
        await ws.close()
        return m

    m = asyncio.run(main())
    assert m == bytes(i % 256 for i in range(n)), len(m)
