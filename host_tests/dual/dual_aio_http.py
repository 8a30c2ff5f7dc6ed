"""The asyncio layer's HTTP side against the real local servers, on CPython's asyncio and
MicroPython's: streamed bodies, limits, a refused upgrade, timeouts and TLS.
Each test runs its own event loop with asyncio.run()."""

import asyncio

import microhttpc
from check import server
from microhttpc import aio


def test_read_chunk_and_body_limit():
    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10, max_body=100)
        r = await conn.request("GET", "/bytes/300")
        err = None
        try:
            await r.read()
        except microhttpc.LimitExceeded as exc:
            err = exc
        assert err is not None  # refused from Content-Length, before reading the body
        r = await conn.request("GET", "/bytes/300")  # the unread body is dropped with its connection
        total = 0
        while True:
            c = await r.read_chunk()
            if c is None:
                break
            for i in range(len(c)):
                assert c[i] == (total + i) & 0xFF
            total += len(c)
        assert total == 300
        await conn.close()
        return True

    assert asyncio.run(main())


def test_readinto_and_whole_bodies():
    """readinto() in pieces of a Content-Length and of a chunked body (bytes straight from the socket
    into the caller's buffer when nothing is buffered before them: MicroPython), and read() of a
    Content-Length body larger than the receive buffer (MicroPython: into one buffer, copied once),
    keep-alive between them: every byte where it belongs."""

    def check_chunked(got):
        pos = 0  # (checked piece by piece: the 2,891 bytes built at once did not always fit a 128K heap)
        for i in range(300):
            c = b"chunk %d;" % i
            assert got[pos : pos + len(c)] == c, (i, got[pos : pos + 20])
            pos += len(c)
        assert pos == len(got), (pos, len(got))

    def check_5000(got):
        assert len(got) == 5000 and all(got[i] == i & 0xFF for i in range(5000))

    async def main():
        # Each body checked, and dropped, before the next: the whole read of 5,000 bytes needs a block
        # of that size, which the copies kept before it did not always leave in a 128K heap (MicroPython:
        # LimitExceeded, "does not fit in memory", now and then).
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        for path, check in (("/bytes/5000", check_5000), ("/chunked?n=300", check_chunked)):
            r = await conn.request("GET", path)
            buf = bytearray(700)
            got = bytearray()
            while True:
                n = await r.readinto(memoryview(buf)[: 1 + len(got) % 700])
                if not n:
                    break
                got += buf[:n]
            check(got)
            got = buf = None
        r = await conn.request("GET", "/bytes/5000")
        whole = await r.read()
        check_5000(whole)
        assert await r.read() is whole or await r.read() == whole
        whole = None
        r = await conn.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await conn.close()
        return True

    assert asyncio.run(main())


def test_a_body_that_fills_the_receive_buffer_before_it_is_read():
    """The server sends 300,000 body bytes while the application reads nothing (CPython: the
    connection's buffer fills and reading pauses, then resumes as it is read; MicroPython: the socket's
    buffers fill): then small readinto() pieces, a larger one, read_chunk() and readinto() of 7 bytes
    at a time (from what is buffered, and straight into the caller's bytearray whenever nothing is)
    take all of it in order, and the next request on the connection gets its own response."""
    seen = [0, 0]  # bytes checked, bytes out of place

    def check(piece):
        pos = seen[0]
        for i in range(len(piece)):
            if piece[i] != (pos + i) & 0xFF:
                seen[1] += 1
        seen[0] = pos + len(piece)

    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        r = await conn.request("GET", "/bytes/300000")
        await asyncio.sleep(0.3)
        small = bytearray(1000)
        for k in (1, 7, 1000, 333):
            n = await r.readinto(memoryview(small)[:k])
            check(small[:n])
        big = bytearray(20000)
        n = await r.readinto(big)
        check(memoryview(big)[:n])
        check(await r.read_chunk())
        seven = bytearray(7)  # the rest 7 bytes at a time, into a bytearray: from what is buffered,
        while True:  # and straight from the socket whenever nothing is
            n = await r.readinto(seven)
            if not n:
                break
            check(seven[:n])
        r = await conn.request("GET", "/hello")
        hello = await r.read()
        await conn.close()
        return hello

    hello = asyncio.run(main())
    assert seen == [300000, 0], seen
    assert hello == b"hello world"


def test_refused_upgrade_keeps_connection():
    async def main():
        host, port = server("http")
        conn = await aio.Connection.open(host, port, timeout=10)
        err = None
        try:
            await conn.upgrade("/status/403")
        except microhttpc.UpgradeRefused as exc:
            err = exc
        assert err is not None and err.response.status == 403
        assert await err.response.read() == b"status 403"
        r = await conn.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await conn.close()
        return True

    assert asyncio.run(main())


def test_timeouts():
    async def main():
        sh, sp = server("silent")
        conn = await aio.Connection.open(sh, sp, timeout=0.3)
        e1 = None
        try:
            await conn.request("GET", "/")
        except microhttpc.TimeoutError as exc:
            e1 = exc
        assert e1 is not None and not conn.is_open
        fh, fp = server("full")
        e2 = None
        try:
            await aio.Connection.open(fh, fp, connect_timeout=0.3)
        except microhttpc.TimeoutError as exc:
            e2 = exc
        assert e2 is not None and "connect" in str(e2)
        e3 = None
        try:
            await aio.Connection.open("127.0.0.1", 1)  # nothing listens on port 1
        except microhttpc.ConnectError as exc:
            e3 = exc
        assert e3 is not None
        # recv() timing out leaves the WebSocket usable
        wh, wp = server("ws")
        ws = await aio.ws_connect("ws://%s:%d/" % (wh, wp), timeout=10)
        e4 = None
        try:
            await ws.recv(timeout=0.2)
        except microhttpc.TimeoutError as exc:
            e4 = exc
        assert e4 is not None
        await ws.send("still here")
        assert await ws.recv() == "still here"
        await ws.close()
        return True

    assert asyncio.run(main())


def test_timeouts_of_concurrent_waits():
    """Each wait keeps its own deadline whatever the others wait for (MicroPython: one watchdog task
    for all of them): a short timeout started after a long one fires first; a task cancelled by the
    application gets CancelledError, not a TimeoutError."""
    sh, sp = server("silent")

    async def get(timeout):
        conn = await aio.Connection.open(sh, sp, timeout=timeout)
        try:
            await conn.request("GET", "/")
        except microhttpc.TimeoutError as exc:
            return exc
        finally:
            await conn.close()

    async def main():
        slow = asyncio.create_task(get(5))
        cancelled = asyncio.create_task(get(5))
        await asyncio.sleep(0.05)  # both wait for their answer now
        fast = await get(0.3)
        order = (isinstance(fast, microhttpc.TimeoutError), slow.done(), cancelled.done())
        cancelled.cancel()
        try:
            await cancelled
            outcome = "returned"
        except asyncio.CancelledError:
            outcome = "cancelled"
        slow.cancel()
        try:
            await slow
        except asyncio.CancelledError:
            pass
        again = await get(0.2)  # a new wait after the others ended still times out
        return order, outcome, isinstance(again, microhttpc.TimeoutError)

    assert asyncio.run(main()) == ((True, False, False), "cancelled", True)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _tls(ca_env):
    import os

    async def main():
        _, port = server("tls")
        conn = aio.Connection("localhost", port, tls=True, cadata=_read(os.getenv(ca_env)), timeout=10)
        try:
            await conn.connect()
            r = await conn.request("GET", "/hello")
            return r.status, await r.read()
        except microhttpc.TLSError as exc:
            return exc
        finally:
            await conn.close()

    return asyncio.run(main())


def test_tls():
    assert _tls("MHC_TLS_CA") == (200, b"hello world")


def test_tls_wrong_ca():
    assert isinstance(_tls("MHC_TLS_CA_WRONG"), microhttpc.TLSError)


def test_an_idle_connection_the_server_closed_releases_its_socket():
    # The server closes the idle keep-alive connection 0.1 s after its answer: on CPython the transport
    # closes with it (it stayed half-open in CLOSE-WAIT, holding its socket, until the connection was
    # used or closed); the next request goes out on a new connection.
    async def main():
        host, port = server("raw")
        c = await aio.Connection.open(host, port, timeout=5)
        assert await (await c.request("GET", "/raw/close-later")).read() == b"once"
        w = c._writer
        await asyncio.sleep(0.3)
        if hasattr(w, "get_extra_info"):  # CPython
            assert w.is_closing() and w.get_extra_info("socket").fileno() == -1, "the socket stayed open"
        body = await (await c.request("GET", "/raw/no-reason")).read()
        await c.close()
        return body

    assert asyncio.run(main()) == b"ok"


def test_bytes_that_came_while_the_loop_was_blocked_end_the_idle_connection():
    # The server writes a response nobody asked for while the connection is idle, and the application
    # blocks the loop meanwhile (a synchronous call between two requests): the bytes wait in the socket,
    # not in the transport.  CPython's asyncio layer looked only at what its transport had read, and the
    # forged response answered the next request; it looks at the socket too now, and a new connection
    # carries the request (MicroPython's reads the socket itself: it always did).
    import time

    h, p = server("raw")

    async def main():
        c = aio.Connection(h, p, timeout=5)
        try:
            first = await (await c.request("GET", "/raw/desync-idle")).read()
            time.sleep(0.3)  # the loop blocked: the forged response arrives unread
            second = await (await c.request("GET", "/raw/genuine")).read()
            return first, second
        finally:
            await c.close()

    assert asyncio.run(main()) == (b"hello", b"genuine")


def test_tasks_sharing_a_connection_get_a_usage_error_not_each_others_bytes():
    # Three tasks making requests on one Connection at once.  On MicroPython two tasks read the same
    # socket, and a body came back cut short with the start of another task's response head in it (no
    # error); CPython failed them with UsageError and ConnectionLost.  One request at a time: a task
    # that finds another's in flight or being read gets UsageError, the others' answers are intact.
    from microhttpc.errors import UsageError

    h, p = server("http")

    async def main():
        c = aio.Connection(h, p, timeout=5)
        ok, refused, wrong = [0], [0], []

        async def worker(tag):
            for i in range(10):
                try:
                    r = await c.request("GET", "/echo", query={"t": "%s%d" % (tag, i)})
                    body = await r.read()
                except UsageError:
                    refused[0] += 1
                    await asyncio.sleep(0)
                    continue
                if ("%s%d" % (tag, i)).encode() not in body or b"HTTP/1.1" in body:
                    wrong.append(body[-60:])
                else:
                    ok[0] += 1

        await asyncio.gather(worker("a"), worker("b"), worker("c"))
        await c.close()
        return ok[0], refused[0], wrong

    ok, refused, wrong = asyncio.run(main())
    assert wrong == [] and ok + refused == 30 and ok > 0 and refused > 0, (ok, refused, wrong)


def test_readinto_a_read_only_buffer_takes_nothing_from_the_body():
    # readinto(bytes): UsageError before a byte is taken (the piece taken first was dropped: a later
    # read() came back short with no error; then a bare TypeError), on this layer and the blocking one.
    from microhttpc.client import Connection
    from microhttpc.errors import UsageError

    h, p = server("http")
    c = Connection(h, p, timeout=5)
    try:
        r = c.request("GET", "/bytes/300")
        first = r.read(5)
        try:
            r.readinto(b"12345678")
        except UsageError:
            pass
        else:
            raise AssertionError("readinto(bytes) took bytes")
        assert len(first + r.read()) == 300
    finally:
        c.close()

    async def main():
        c = aio.Connection(h, p, timeout=5)
        try:
            r = await c.request("GET", "/bytes/300")
            buf = bytearray(5)
            first = bytes(buf[: await r.readinto(buf)])
            try:
                await r.readinto(b"12345678")
            except UsageError:
                pass
            else:
                raise AssertionError("readinto(bytes) took bytes")
            return len(first + await r.read())
        finally:
            await c.close()

    assert asyncio.run(main()) == 300


def test_a_read_cancelled_in_the_middle_of_a_body_never_returns_the_rest_as_the_body():
    # read() of a chunked body cancelled between its halves (asyncio.wait_for): the half it had
    # collected is gone with it, so the connection goes and a later read() raises ConnectionLost
    # instead of returning b"world" (the second half alone, as if it were the whole body).
    async def main():
        h, p = server("raw")
        c = await aio.Connection.open(h, p, timeout=5)
        r = await c.request("GET", "/raw/chunked-pause")
        try:
            await asyncio.wait_for(r.read(), 0.2)
        except asyncio.TimeoutError:
            pass
        else:
            raise AssertionError("read() was not cancelled")
        await asyncio.sleep(0.6)  # (the second half has come)
        try:
            body = await r.read()
        except microhttpc.ConnectionLost:
            body = None
        assert body is None, body
        assert not c.is_open
        # the same read, not cancelled: the whole body
        c = await aio.Connection.open(h, p, timeout=5)
        r = await c.request("GET", "/raw/chunked-pause")
        assert await r.read() == b"helloworld"
        await c.close()
        return True

    assert asyncio.run(main())


def test_a_finished_task_is_not_kept_alive():
    # MicroPython: the watchdog of the timeouts slept with the last wait it looked at in a local, and
    # that wait holds its task: a finished request's coroutine, with all its locals (here 24 KB), stayed
    # alive until the watchdog's next wake-up (the request's timeout: 30 s by default).
    import gc

    from check import server

    h, p = server("http")
    loop = asyncio.new_event_loop()
    held = []

    class Big(bytearray):
        pass

    async def one(size, timeout):
        buf = Big(size)
        if size > 16:
            try:
                import weakref

                held.append(weakref.ref(buf))
            except ImportError:  # (MicroPython: the heap tells)
                pass
        c = aio.Connection(h, p, timeout=timeout)
        r = await c.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await c.close()

    async def idle(s):
        await asyncio.sleep(s)

    # The modules loaded, and the watchdog of that request's short timeout gone (nothing left to watch).
    loop.run_until_complete(one(16, 0.05))
    loop.run_until_complete(idle(0.2))
    gc.collect()
    before = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    loop.run_until_complete(one(24000, 5))  # a new watchdog, asleep for 5 s
    for _ in range(10):  # (within 1 s, well before the watchdog wakes: a busy machine may need a turn more)
        loop.run_until_complete(idle(0.1))  # (the task asyncio keeps itself is this one now)
        gc.collect()
        kept = held[0]() is not None if held else gc.mem_alloc() - before >= 16000
        if not kept:
            break
    assert not kept, "the finished task's buffer is still referenced"
    loop.close()


def test_readinto_a_bytearray_copies_nothing():
    """``await r.readinto(bytearray)`` of a 64 KiB body in 4 KiB reads: the bytes go straight into the
    buffer, and each read's view of what came is a view, not a copy (a slice of the bytearray, 4 KiB of
    garbage per read: 74 KB in all on MicroPython, where a memoryview buffer made 12 KB and the blocking
    layer 0.8 KB; found by an outside soak at 128K).  MicroPython, collector off: the bytes allocated
    (the coroutines and waits, ~0.8 KB per read); CPython: the bytes only.  A chunked body too: at each
    chunk's start its bytes went through a bytes object (more than the body in garbage)."""
    import gc

    host, port = server("http")

    async def main(buf, path):
        c = aio.Connection(host, port, timeout=10)
        await c.connect()
        r = await c.request("GET", path)
        pos = bad = 0
        mp = hasattr(gc, "mem_alloc")
        if mp:
            gc.collect()
            gc.disable()
        before = gc.mem_alloc() if mp else 0
        try:
            while True:
                n = await r.readinto(buf)
                if not n:
                    break
                for j in range(n):  # byte i of the body is i & 0xFF (allocates nothing)
                    bad += buf[j] != (pos + j) & 0xFF
                pos += n
        finally:
            used = gc.mem_alloc() - before if mp else 0
            gc.enable()
        await c.close()
        return pos, bad, used

    for path in ("/bytes/65536", "/bytes/65536?chunk=4096"):
        for buf in (bytearray(4096), memoryview(bytearray(4096))):
            pos, bad, used = asyncio.run(main(buf, path))
            assert pos == 65536 and not bad, (pos, bad)
            # (the chunked body: 30.5 KB; each chunk's head is read through the session, and its body
            # bytes copied into the buffer, not through a bytes object: 64 KB and more before)
            assert used < (20000 if "chunk" not in path else 36000), (path, type(buf).__name__, used)
