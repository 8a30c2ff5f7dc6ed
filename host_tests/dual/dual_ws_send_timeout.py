"""Sending to a server that reads late (the wsraw server's /stall reads nothing for a second): a write
waits up to the WebSocket's ``timeout`` whatever the last read's wait was (``poll(0)`` leaves none),
and a write that times out ends the connection (part of a frame may be on the wire), on the blocking
and the asyncio layer."""

from microhttpc import ws_connect
from microhttpc.errors import ConnectionClosed, TimeoutError
from check import raises, url

CHUNK = bytes(4096)
N = 256  # 1 MiB in 4 KiB frames: far more than the socket buffers hold while the server does not read


def stalling(timeout):
    """A WebSocket to /stall whose socket has a small send buffer (the kernel's autotuning off)."""
    ws = ws_connect(url("ws", "wsraw", "/stall"), timeout=timeout)
    ws.stream.raw.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers)
    return ws


def test_a_send_after_poll_0_waits_for_the_server():
    ws = stalling(10)
    assert ws.poll(0) is False  # nothing there: the socket's last wait was 0
    ws.send_stream([CHUNK] * N)  # must wait for the server, not raise at the first full buffer
    assert ws.recv() == "got %d" % (N * len(CHUNK))
    ws.close()
    assert ws.close_code == 1000


def test_a_send_that_times_out_ends_the_connection():
    ws = stalling(0.3)
    raises(TimeoutError, ws.send_stream, [CHUNK] * N)
    assert ws.close_code == 1006  # the stream may hold part of a frame: it cannot go on
    raises(ConnectionClosed, ws.send, "after")


def test_aio_send_that_times_out_ends_the_connection():
    import asyncio

    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(url("ws", "wsraw", "/stall"), timeout=0.3)
        w = ws.conn._writer
        sock = w.get_extra_info("socket") if hasattr(w, "get_extra_info") else w
        sock.setsockopt(1, 7, 8192)
        try:
            for _ in range(N):
                await ws.send(CHUNK)
        except TimeoutError:
            pass
        else:
            raise AssertionError("1 MiB went out to a server that read nothing")
        assert ws.close_code == 1006
        if hasattr(w, "get_extra_info"):  # CPython: the socket is closed, not kept for the unsent bytes
            await asyncio.sleep(0.05)
            assert sock.fileno() == -1, "the socket stayed open"
        try:
            await ws.send("after")
        except ConnectionClosed:
            pass
        else:
            raise AssertionError("a send after the timeout went out")

    asyncio.run(main())


def test_a_send_from_a_callback_of_poll_0_waits_for_the_server():
    # The same from a callback: a send made in on_msg inside poll(0) was bounded by that poll's deadline
    # (1 ms), and a server that paused got TimeoutError and the connection dropped (1006); the streaming
    # echo of README's WebSocket section failed so.  (/stall-twice: reads nothing for a second, answers
    # the first message with its size, then reads nothing for another second.)
    import time

    got = []
    box = []

    def on_msg(m):
        got.append(m)
        if len(got) == 1:
            box[0].send_stream([CHUNK] * N)  # waits for the server's second second

    ws = ws_connect(url("ws", "wsraw", "/stall-twice"), timeout=10, on_msg=on_msg)
    ws.stream.raw.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF: the kernel's autotuning off
    box.append(ws)
    ws.send("a")
    t0 = time.time()
    while len(got) < 2 and time.time() - t0 < 20:
        ws.poll(0)
    assert got == ["got 1", "got %d" % (N * len(CHUNK))], (got, ws.close_code)
    ws.close()
    assert ws.close_code == 1000
