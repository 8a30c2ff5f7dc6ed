"""The asyncio layer against the real local servers, on CPython's asyncio and MicroPython's: HTTP and
then the upgrade on one connection, a sender and a receiver task on one WebSocket, server-side closes
(three WebSockets receiving at once: dual_aio_concurrent).  Each test runs its own event loop with
asyncio.run()."""

import asyncio

import microhttpc
from check import server
from microhttpc import aio


def test_request_stream_and_upgrade_on_one_connection():
    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        r = await conn.request("GET", "/hello")
        assert (r.status, r.reason) == (200, "OK")
        assert await r.read() == b"hello world"
        r = await conn.request("GET", "/chunked", query={"n": 3})
        chunks = []
        async for c in r.iter_chunks():
            chunks.append(c)
        assert b"".join(chunks) == b"chunk 0;chunk 1;chunk 2;"
        assert r.complete and r.trailers is not None
        r = await conn.request("POST", "/echo", body=iter([b"a", "b"]), headers={"X-Test": "1"})
        echo = await r.json()
        assert echo["body"] == "ab" and ["X-Test", "1"] in echo["headers"]
        r = await conn.request("HEAD", "/hello")
        assert r.status == 200 and await r.read() == b""
        writer = conn._writer
        ws = await conn.upgrade("/ws")
        assert conn._writer is writer  # the same TCP connection carried the upgrade
        assert ws.response.status == 101
        await ws.send("hi")
        assert await ws.recv() == "hi"
        await ws.send(b"\x00\x01\xff")
        assert await ws.recv() == b"\x00\x01\xff"
        err = None
        try:
            await conn.request("GET", "/hello")
        except microhttpc.UsageError as exc:
            err = exc
        assert err is not None
        await ws.close()
        assert ws.close_code == 1000 and ws.closed
        return True

    assert asyncio.run(main())


def test_send_while_another_task_receives():
    async def main():
        host, port = server("ws")
        ws = await aio.ws_connect("ws://%s:%d/" % (host, port), timeout=10)
        pongs = []
        ws.on_pong = pongs.append
        got = []

        async def reader():
            async for m in ws:  # ends when the connection closes
                got.append(m)

        task = asyncio.create_task(reader())
        for i in range(5):
            await ws.send("m%d" % i)
        await ws.ping(b"hb")
        while len(got) < 5 or not pongs:
            await asyncio.sleep(0.01)
        await ws.close(4003, "enough")  # the reader task is inside recv(): it sees the Close
        await task
        return got, pongs, ws.close_code

    got, pongs, code = asyncio.run(main())
    assert got == ["m0", "m1", "m2", "m3", "m4"]
    assert pongs == [b"hb"]
    assert code == 4003


def test_server_close_ends_iteration():
    async def main():
        host, port = server("ws")
        closes = []
        ws = await aio.ws_connect("ws://%s:%d/close/4001" % (host, port), timeout=10,
                                  on_close=lambda code, reason: closes.append((code, reason)))
        got = []
        async for m in ws:
            got.append(m)
        err = None
        try:
            await ws.recv()
        except microhttpc.ConnectionClosed as exc:
            err = exc
        return got, closes, err

    got, closes, err = asyncio.run(main())
    assert got == [] and closes == [(4001, "bye")]
    assert err is not None and err.code == 4001


def test_recv_timeouts_on_one_connection():
    """The waits of one connection, one after the other (CPython: one timer per connection, re-armed
    only for a wait that ends before it fires): a short timeout after a long one still fires on time;
    a recv() the application cancels, or bounds with wait_for, ends in CancelledError / its own
    timeout, not ours, and leaves the WebSocket usable."""
    import time

    async def short_wait(ws):
        """A recv(timeout=0.2) with nothing coming: True when it timed out well before 2 s."""
        t0 = time.time()
        try:
            await ws.recv(timeout=0.2)
        except microhttpc.TimeoutError:
            return time.time() - t0 < 2
        return "no timeout"

    async def main():
        host, port = server("ws")
        ws = await aio.ws_connect("ws://%s:%d/" % (host, port), timeout=10)
        out = []
        await ws.send("a")
        out.append(await ws.recv(timeout=5))  # a long wait, ended by the message
        out.append(await short_wait(ws))
        task = asyncio.create_task(ws.recv(timeout=5))
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
            out.append("returned")
        except asyncio.CancelledError:
            out.append("cancelled")
        try:
            await asyncio.wait_for(ws.recv(timeout=5), 0.2)
            out.append("returned")
        except microhttpc.TimeoutError:
            out.append("ours")
        except asyncio.TimeoutError:
            out.append("wait_for")
        out.append(await short_wait(ws))
        await ws.send("b")
        out.append(await ws.recv())
        await ws.close()
        return out

    assert asyncio.run(main()) == ["a", True, "cancelled", "wait_for", True, "b"]


# One task sends while another waits in recv() (README, asyncio).  On MicroPython the asyncio I/O queue
# keeps one entry per socket for its reader and its writer, and cancelling one of them (a recv() whose
# timeout passed) dropped the entry as a whole: the other was never woken again.


def _raw_ws(path, **kw):
    h, p = server("wsraw")
    return aio.ws_connect("ws://%s:%d%s" % (h, p, path), **kw)


def _ticks():
    import time

    return time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.monotonic() * 1000)


def test_recv_in_another_task_ends_when_a_send_times_out():
    # The sender's send() times out (a server that reads nothing) and drops the connection: the
    # reader waiting in recv(timeout=None) gets ConnectionClosed at once (it hung on MicroPython).
    async def main():
        ws = await _raw_ws("/noread", timeout=1)
        got = []

        async def reader():
            try:
                await ws.recv(timeout=None)
            except microhttpc.ConnectionClosed as e:
                got.append(("closed", e.code))

        t = asyncio.create_task(reader())
        await asyncio.sleep(0)
        t0 = _ticks()
        try:
            while True:
                await ws.send(bytes(4096))
        except microhttpc.TimeoutError:
            got.append("send timed out")
        try:
            await asyncio.wait_for(t, 3)
        except asyncio.TimeoutError:
            got.append("reader still waiting")
        return got, _ticks() - t0

    got, took = asyncio.run(main())
    assert got == ["send timed out", ("closed", 1006)], got
    assert took < 3000, took


def test_close_from_another_task_ends_a_blocked_send():
    # A send blocked on a server that reads nothing (no timeout): another task's close() ends the
    # connection, and the sender gets ConnectionClosed then (it stayed blocked on MicroPython).
    async def main():
        ws = await _raw_ws("/noread", timeout=None, close_timeout=0.3)
        got = []

        async def sender():
            try:
                while True:
                    await ws.send(bytes(4096))
            except microhttpc.ConnectionClosed as e:
                got.append(("closed", e.code))

        t = asyncio.create_task(sender())
        await asyncio.sleep(0.5)  # the socket is full by now
        t0 = _ticks()
        await ws.close()
        try:
            await asyncio.wait_for(t, 3)
        except asyncio.TimeoutError:
            got.append("sender still blocked")
            t.cancel()
        return got, _ticks() - t0

    got, took = asyncio.run(main())
    assert got == [("closed", 1006)], got
    assert took < 3000, took


def test_a_second_sender_waits_for_the_first():
    # Task A's send is stuck behind a server that reads nothing; task B's send() waits for A's write
    # instead of returning at once with its frames queued (3000 "sent" in 0.02 s on CPython, a
    # MemoryError on MicroPython), and both learn that the connection ended when A's send times out.
    async def main():
        ws = await _raw_ws("/noread", timeout=1)
        out = {"a": None, "b_ok": 0, "b": None}

        async def a():
            try:
                while True:
                    await ws.send(bytes(4096))
            except microhttpc.HTTPCError as e:
                out["a"] = type(e).__name__

        async def b():
            try:
                while out["b_ok"] < 3000:
                    await ws.send(bytes(1024))
                    out["b_ok"] += 1
            except microhttpc.HTTPCError as e:
                out["b"] = type(e).__name__

        ta = asyncio.create_task(a())
        await asyncio.sleep(0.3)  # A is waiting for the socket by now
        tb = asyncio.create_task(b())
        await asyncio.wait_for(ta, 5)
        await asyncio.wait_for(tb, 5)
        return out

    out = asyncio.run(main())
    assert out == {"a": "TimeoutError", "b_ok": 0, "b": "ConnectionClosed"}, out


def test_frame_size_keyword():
    # upgrade()/ws_connect() take the blocking WebSocket's frame_size (it was ignored: one frame).
    async def main():
        ws = await _raw_ws("/record", timeout=10, frame_size=4)
        await ws.send(b"abcdefghij")
        got = []
        for _ in range(3):
            got.append(await ws.recv())
        await ws.send("hé", frame_size=100)
        got.append(await ws.recv())
        await ws.close()
        return got

    assert asyncio.run(main()) == ["0 2 4", "0 0 4", "1 0 2", "1 1 3"]

