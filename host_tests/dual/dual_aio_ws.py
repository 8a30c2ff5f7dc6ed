"""The asyncio layer against the real local servers, on CPython's asyncio and MicroPython's: HTTP and
then the upgrade on one connection, a sender and a receiver task on one WebSocket, server-side closes
(three WebSockets receiving at once: dual_aio_concurrent).  Each test runs its own event loop with
asyncio.run()."""

import asyncio
import sys

import microhttpc
from check import server, url
from microhttpc import aio

CPYTHON = sys.implementation.name == "cpython"


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
        except UsageError as exc:  # (imported first: the package's lazy name loaded a module here, and
            err = exc  # MicroPython's 128 KiB, holding HTTP, JSON and the WebSocket, had no room left for it)
        assert err is not None
        await ws.close()
        assert ws.close_code == 1000 and ws.closed
        return True

    from microhttpc.errors import UsageError

    assert asyncio.run(main())


def test_unknown_keyword_refused_before_the_handshake():
    # (refused once the 101 had come: the connection closed with it)
    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        writer = conn._writer
        for kw in ({"on_mesage": print}, {"tx_buffer_size": 64}, {"on_open": print}):
            try:
                await conn.upgrade("/ws", **kw)
                raise AssertionError("accepted %r" % (kw,))
            except microhttpc.UsageError as exc:
                assert "unknown WebSocket keyword" in str(exc), exc
        assert conn._writer is writer  # nothing was sent: the same connection upgrades
        ws = await conn.upgrade("/ws")
        assert conn._writer is writer
        await ws.send("same connection")
        assert await ws.recv() == "same connection"
        await ws.close()
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
        t1 = _ticks()
        try:
            await asyncio.wait_for(t, 3)
        except asyncio.TimeoutError:
            got.append("reader still waiting")
        return got, t1 - t0, _ticks() - t1

    got, sending, took = asyncio.run(main())
    assert got == ["send timed out", ("closed", 1006)], got
    # (the sends: as long as our kernel's send buffer takes more of them, a write tried each second
    # of a wait: a few seconds)
    assert sending < 10000 and took < 1000, (sending, took)


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
    # (B's sends that went: those our kernel's send buffer took while A waited, a write tried each
    # second of a wait on MicroPython: 64 of 1 KiB here, and then the writer that times out may be
    # B, A's next send waiting for it; none on CPython)
    assert sorted([out["a"], out["b"]]) == ["ConnectionClosed", "TimeoutError"] and out["b_ok"] < 1000, out


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



def test_a_new_tls_connection_carries_its_first_request():
    # TLS 1.3 servers send session tickets after the handshake: the socket under a new connection is
    # readable with no data in it, and CPython's aio layer took that for a stale connection and opened
    # a second one before the first request (a server taking one connection failed it).  Here the
    # request goes out on the connection open() made: the server sees the same client port.
    from check import tls_ca

    async def main():
        h, p = server("tls")
        conn = await aio.Connection.open(h, p, tls=True, cadata=tls_ca(), server_hostname="localhost",
                                         timeout=10)
        first = conn._writer.get_extra_info("sockname")[1] if CPYTHON else None
        port = (await (await conn.request("GET", "/peer")).read()).split(b":")[-1]
        again = (await (await conn.request("GET", "/peer")).read()).split(b":")[-1]
        await conn.close()
        assert port == again, (port, again)  # (kept alive)
        if CPYTHON:
            assert int(port) == first, (port, first)

    asyncio.run(main())


def test_streamed_pieces_held_back_by_a_raising_callback_survive_another_connections_read():
    # A callback that raises hands its exception to the caller, and the events after it wait for the
    # next call.  Streamed pieces are views of the receive buffer, which MicroPython's aio connections
    # share: another connection's read overwrote them, and the rest of the message came out as that
    # connection's bytes, complete and unnoticed.  Now the pieces held back are copied.  (/fragbig/N:
    # N bytes of the pattern i & 0xFF in fragments of 1000, then its SHA-1 as a text message.)
    got = []
    raised = []
    done = []

    def on_data(piece):
        got.append(bytes(piece))
        if not raised:
            raised.append(1)
            raise RuntimeError("the application's bug")

    async def main():
        a = await aio.ws_connect(url("ws", "ws", "/fragbig/6000"), timeout=5, on_msg_rx_data=on_data,
                                 on_msg_rx_complete=lambda: done.append(1))
        b = await aio.ws_connect(url("ws", "ws", "/"), timeout=5)
        await asyncio.sleep(0.2)  # (everything A's server sent is in A's socket)
        try:
            await a.recv(2)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the callback's exception did not reach recv()")
        for _ in range(3):
            await b.send(b"B" * 1500)
            assert await b.recv(2) == b"B" * 1500  # (read into the shared buffer on MicroPython)
        from microhttpc.errors import TimeoutError

        for _ in range(20):  # (streaming: recv() returns only at the close; the callbacks get the rest)
            if len(done) == 2:
                break
            try:
                await a.recv(0.2)
            except TimeoutError:
                pass
        await a.close()
        await b.close()

    asyncio.run(main())
    assert len(done) == 2, done  # the binary message, then its SHA-1 as text
    n = 0
    for g in got:  # (byte by byte: the message joined takes more heap than this test has left)
        for k in range(len(g)):
            assert n + k >= 6000 or g[k] == (n + k) & 0xFF, (n + k, g[k], [len(g) for g in got])
        n += len(g)
    assert n == 6040, [len(g) for g in got]
