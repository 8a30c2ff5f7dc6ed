"""The asyncio WebSocket on both runtimes, continued (dual_aio_concurrent holds the three-WebSocket
test, dual_aio_ws the rest, dual_aio_ws3 a send cancelled half written): a send while another task's
recv() times out or is cancelled, and the frames a large message is built in."""

import asyncio

import microhttpc
from check import server
from microhttpc import aio


def _raw_ws(path, **kw):
    h, p = server("wsraw")
    return aio.ws_connect("ws://%s:%d%s" % (h, p, path), **kw)


def _ticks():
    import time

    return time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.monotonic() * 1000)


def _send_while_a_reader_times_out(recv_once):
    # /slowdrain reads nothing for a second: the sender waits for the socket while another task's
    # recv_once(ws) times out again and again; once the server reads, the sender finishes.
    async def main():
        ws = await _raw_ws("/slowdrain", timeout=8, close_timeout=0.3)
        done = []

        async def reader():
            while not done:
                try:
                    await recv_once(ws)
                except (microhttpc.TimeoutError, asyncio.TimeoutError):
                    pass

        t = asyncio.create_task(reader())
        t0 = _ticks()
        chunk = bytes(4096)
        for _ in range(6144):  # 24 MiB: more than the socket buffers take while the server sleeps
            await ws.send(chunk)
        took = _ticks() - t0
        done.append(1)
        await t
        await ws.close()
        return took

    took = asyncio.run(main())
    assert 900 <= took < 6000, took


def test_send_goes_on_while_another_task_times_out_in_recv():
    # The reader's recv(timeout=0.2) times out (the watchdog's cancel): the sender waited until its own
    # timeout, 8 s, on MicroPython (its asyncio dropped the sender's wait on the socket with the reader's).
    _send_while_a_reader_times_out(lambda ws: ws.recv(timeout=0.2))


def test_send_goes_on_while_the_application_cancels_a_recv():
    # The same with the application's own cancel (asyncio.wait_for around recv()).
    _send_while_a_reader_times_out(lambda ws: asyncio.wait_for(ws.recv(timeout=None), 0.2))


def test_large_frames_are_built_in_one_kept_buffer():
    # CPython: a frame of 64 KiB or more is built in a buffer kept for the next one, as on the
    # blocking WebSocket (a fresh multi-megabyte buffer is zeroed page by page on every message: 0.75
    # of the blocking rate at 4 MiB); a board keeps none.  Small frames (messages, PINGs) are built in
    # it between the large ones, and every echo stays intact.
    import sys

    cpython = sys.implementation.name == "cpython"
    n = 200000 if cpython else 3000

    async def echo():
        host, port = server("ws")
        ws = await aio.ws_connect("ws://%s:%d/" % (host, port), timeout=10, max_message=2 * n)
        sent, got = [], []
        for i in range(3):
            big = bytes(range(i, 256)) * (n // 256) + bytes([i]) * i
            sent += [big, "small %d" % i]
            await ws.send(big)
            await ws.send("small %d" % i)
            await ws.ping(b"p%d" % i)
            got.append(await ws.recv())
            got.append(await ws.recv())
        kept = ws.protocol.tx_buffer
        await ws.close()
        return sent, got, kept

    async def grows():
        # the second large send allocates no new frame (a server that reads nothing: no allocation of
        # its own in this process while the frame goes out)
        ws = await _raw_ws("/noread", timeout=5, close_timeout=0.3)
        await ws.send(bytes(n))
        import tracemalloc

        tracemalloc.start()
        try:
            await ws.send(bytes(n // 2))  # (its own n/2 bytes are traced: the bound is below n)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        await ws.close()
        return peak

    sent, got, kept = asyncio.run(echo())
    assert got == sent
    if cpython:
        assert kept is not None and len(kept) > 65536
        peak = asyncio.run(grows())
        assert peak < n, peak
    else:
        assert kept is None
