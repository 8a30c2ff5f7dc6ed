"""The asyncio WebSocket on both runtimes, continued (see dual_aio_ws2): a send cancelled half written.
A module of its own: each MicroPython test process loads its whole module, and this test wants its
8 KiB frames whole in a 128K heap next to what the other tests' code would keep."""

import asyncio
import sys

import microhttpc
from check import server
from microhttpc import aio

# A pass that ran each MicroPython test with 1 to 8 KiB less heap found these failing 1 to 2 KiB under
# 128K (a CI run here is as close: a few hundred bytes of the package's growth would fail them)
MICROPYTHON_HEAPS = {
    "test_frames_a_cancelled_writer_took_go_out_with_the_next_one": "136K",  # (its 14,000-byte frame)
}

CPYTHON = sys.implementation.name != "micropython"


def _raw_ws(path, **kw):
    h, p = server("wsraw")
    return aio.ws_connect("ws://%s:%d%s" % (h, p, path), **kw)


def test_a_send_cancelled_half_written_leaves_no_torn_frame():
    # The application cancels a send (asyncio.wait_for) while the server reads nothing.  MicroPython:
    # part of its frame may be on the wire already, and the next frame would be read as the rest of it
    # (the server then misreads everything after): the connection ends there (1006) instead.  CPython:
    # the transport holds the whole frame, which goes out later.  Either way no message is misread.
    async def main():
        msg = bytes(8192)  # (one for every send; 16 KiB frames left a 128K heap at the edge: no block for one)
        ws = await _raw_ws("/pause", timeout=5, close_timeout=0.3)  # reads nothing for a second
        sent = 0
        while True:
            try:
                await asyncio.wait_for(ws.send(msg), 0.2)
                sent += 1
            except asyncio.TimeoutError:
                break
        got = []
        try:
            await ws.send("end")
            while not got or got[-1] != "got 3":
                got.append(await ws.recv(timeout=5))  # "got <size>" for each message
        except microhttpc.ConnectionClosed as exc:
            got.append(("closed", exc.code))
        await ws.close()
        return sent, got

    sent, got = asyncio.run(main())
    assert all(g == "got 8192" for g in got[:-1]), got
    if got[-1] != ("closed", 1006):
        assert got[-1] == "got 3" and len(got) - 1 in (sent, sent + 1), (sent, got)


def test_frames_a_cancelled_writer_took_go_out_with_the_next_one():
    # A writer takes every frame queued (other tasks' sends too) and writes them in turn.  Cancelled
    # (wait_for, task.cancel) while the server read nothing, it dropped those it had not written: the
    # tasks that had queued them returned from send() as if they had gone out, and the server never got
    # them.  Now they go back in front of the queue for the next writer: CPython's transport had the
    # frame in hand whole, the rest follows; on MicroPython the connection ends if part of a frame was
    # written (1006), and those sends say so.  (/stall-twice: reads nothing for a second, then takes
    # the first message and reads nothing for another second; answers "got <size>" for each.)
    # CPython: more than the socket buffers take (megabytes; more once the server read the first
    # message).  MicroPython: what a 128K heap allows, which the buffers take: there the sends only go
    # through, and the test checks that nothing is lost or torn.
    a, b = (4 << 20, 16 << 20) if CPYTHON else (14000, 14000)

    async def main():
        ws = await _raw_ws("/stall-twice", timeout=10, close_timeout=0.3)
        data = bytes(b)
        writer = asyncio.create_task(ws.send(memoryview(data)[:a]))  # waits for the server's first second
        await asyncio.sleep(0.2)
        others = [asyncio.create_task(ws.send(data)), asyncio.create_task(ws.send("C"))]  # wait for it
        await asyncio.sleep(1.5)  # it wrote the first, took both of theirs and waits in the second stall
        writer.cancel()
        done = []
        for t in others:
            try:
                await t
                done.append(True)
            except microhttpc.ConnectionClosed:
                done.append(False)
        got = []
        try:
            while len(got) < 1 + done.count(True):
                got.append(await ws.recv(timeout=5))  # "got <size>" for each message
        except microhttpc.ConnectionClosed:
            pass
        await ws.close()
        return done, got

    done, got = asyncio.run(main())
    assert got[:1] == ["got %d" % a], (done, got)
    assert got[1:] == ["got %d" % b, "got 1"][: 2 if done[1] else 1 if done[0] else 0], (done, got)
    assert done == [True, True] or not CPYTHON, (done, got)  # (CPython: nothing is torn)


def test_a_frame_in_the_transport_is_not_overwritten_by_another_tasks_send():
    # On CPython a frame of 64 KiB or more is built in a buffer the protocol keeps for the next one.
    # A second task's send while the first one's frame was still in the transport was built in that
    # same buffer (so was a PONG): from CPython 3.12 the transport keeps a view of what it holds, not
    # a copy, and the first 4 MiB message went out with 80 pages of the second.  Checked here as the
    # invariant (the queued frame shares no buffer with the frame being written: fails on 3.11 too)
    # and by the echoes.  (/pause-echo: reads nothing for a second, then echoes.)
    n = 4 << 20 if CPYTHON else 3000  # (MicroPython keeps no frame buffer: the echoes only)
    writing = []

    async def main():
        ws = await _raw_ws("/pause-echo", timeout=20, max_message=None)
        write = ws.conn._write

        def recorded(data):
            writing.append(data)
            return write(data)

        ws.conn._write = recorded
        a, b = bytes([65]) * n, bytes([66]) * n
        first = asyncio.create_task(ws.send(a))
        await asyncio.sleep(0.1)  # its frame waits in the transport
        second = asyncio.create_task(ws.send(b))
        await asyncio.sleep(0.1)  # its frame is queued behind it
        queued = list(ws.protocol._out)

        async def echoes():
            return [await ws.recv(25), await ws.recv(25)]

        # Read while sending: the server echoes each frame as it reads it, and with nothing read here
        # its write of the first echo stalled once the sockets' buffers were full, and with it its read
        # of the second message (the send timed out in 3 runs of 10 here).
        reader = asyncio.create_task(echoes())
        await first
        await second
        got = await reader
        await ws.close()
        return queued, got == [a, b]

    queued, echoed = asyncio.run(main())
    if CPYTHON and queued:
        held = getattr(writing[0], "obj", writing[0])
        assert all(getattr(f, "obj", f) is not held for f in queued), "built in the buffer being written"
    assert echoed, "the echoes differ from the messages"


def test_a_close_queued_behind_a_write_the_server_never_took_is_not_reported_sent():
    # One task sends until the socket takes no more (the server reads nothing), another closes: its
    # Close waits behind the writer, and the connection is dropped at close_timeout with the Close
    # still queued.  MicroPython's ConnectionClosed said sent_code 1000 for it (CPython: None).
    async def main():
        ws = await _raw_ws("/noread", timeout=5, close_timeout=0.5)  # reads nothing for 10 s
        chunk = bytes(4000)

        async def flood():
            while True:
                await ws.send(chunk)

        task = asyncio.create_task(flood())
        await asyncio.sleep(0.5)  # the socket buffers are full: its send waits
        await ws.close()
        try:
            await task
        except microhttpc.ConnectionClosed as exc:
            return exc.code, exc.sent_code, ws.close_code

    code, sent, close_code = asyncio.run(main())
    assert code == 1006 and sent is None and close_code == 1006, (code, sent, close_code)
