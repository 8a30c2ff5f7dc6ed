"""asyncio: the connections to another origin that redirect chains ended on, whose bodies were left
unread or read in part, are kept while a task may read them (another task's request leaves them): the
newest four, an older one closed when a fifth comes unless a task waits in a read of it (README,
Redirects).  They piled up until close() (MicroPython's 128K heap ran out after about a dozen); rules
that closed them by which task held them lost bodies (a request awaited through wait_for, gather or a
task, read after another task's request) or kept them (a consumer task).  In a module of its own:
dual_http_redirects is at a fragmentation edge of its MicroPython heap (its own code counts)."""

from check import server

ROUNDS = 8

# Seven other-origin connections open at once, each with its reader's task (its own test process)
MICROPYTHON_HEAPS = {"test_aio_other_origin_connections_beyond_four_go_once_no_task_reads_them": "256K"}


def test_aio_other_origin_body_read_whole_by_a_task_while_another_sends():
    # The next request closes the other origin's connection of a body no read began, as on the blocking
    # layer; one a task's whole read() is reading stays (that read keeps no piece before its end)
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)

        async def reader():
            r = await c.request("GET", "/redirect/302", query={"to": "http://%s:%d/chunked?n=6&d=0.05" % (host2, port2)})
            return await r.read()

        async def other():
            await asyncio.sleep(0.1)
            return await (await c.request("GET", "/hello")).read()

        got = await asyncio.gather(reader(), other())
        await c.close()
        return got

    body, hello = asyncio.run(main())
    assert body == b"".join(b"chunk %d;" % i for i in range(6)) and hello == b"hello world", (body, hello)


def test_aio_other_origin_connections_of_bodies_partly_read_do_not_pile_up():
    # A task that read part of each body (read(10), a break out of iter_chunks()) and went on to its next
    # request kept every other origin's connection until close(): MicroPython's 128K heap ran out after
    # about 20 (an outside review).  That task's next request closes them now, as on the blocking layer;
    # and another task's request leaves a body this task has not begun to read.
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)
        q = {"to": "http://%s:%d/bytes/5000" % (host2, port2)}
        most = 0
        for i in range(ROUNDS):
            r = await c.request("GET", "/redirect/302", query=q)
            if i % 2:
                assert await r.read(10) == bytes(range(10))
            else:
                async for piece in r.iter_chunks():
                    break
            most = max(most, len(c._hop or ()))
        started = []

        async def holder():  # its body not read until another task's request has gone
            r = await c.request("GET", "/redirect/302", query=q)
            started.append(1)
            while len(started) < 2:
                await asyncio.sleep(0.01)
            return await r.read()

        async def other():
            while not started:
                await asyncio.sleep(0.01)
            body = await (await c.request("GET", "/hello")).read()
            started.append(2)
            return body

        got = await asyncio.gather(holder(), other())
        await c.close()
        return most, got

    most, (body, hello) = asyncio.run(main())
    assert most <= 4, most
    assert len(body) == 5000 and body[-136:] == bytes(range(136)) and hello == b"hello world", (len(body), hello)


def test_aio_other_origin_body_of_a_request_awaited_through_wait_for_or_gather():
    # The request ran in a task of its own (wait_for: always on MicroPython; gather), which had ended when
    # another task sent: that closed the other origin's connection while the awaiting task read its body
    # (ConnectionLost part way: an outside review).  The task that reads it holds it now.
    import asyncio

    from microhttpc import aio

    async def main(mode):
        h, p = server("http")
        h2, p2 = server("http2")
        c = await aio.Connection.open(h, p, timeout=10, follow_redirects=3)
        coro = c.request("GET", "/redirect/302", query={"to": "http://%s:%d/bytes/60000" % (h2, p2)})
        r = await asyncio.wait_for(coro, 10) if mode == "wait_for" else (await asyncio.gather(coro))[0]
        got = []

        async def other():
            got.append(await (await c.request("GET", "/hello")).read())

        t2 = asyncio.create_task(other())
        await asyncio.sleep(0.05)  # (its request first, before this task's first read)
        piece = await r.read(1000)
        n = len(piece)
        while piece:
            await asyncio.sleep(0.005)
            piece = await r.read(1000)
            n += len(piece)
        await t2
        await c.close()
        return n, got

    for mode in ("wait_for", "gather"):
        n, got = asyncio.run(main(mode))
        assert n == 60000 and got == [b"hello world"], (mode, n, got)


def test_aio_other_origin_connections_held_by_other_tasks_do_not_pile_up():
    # Bodies read in part, or not at all, in tasks of their own: wait_for's (MicroPython, CPython before
    # 3.12), gather's, a worker's, a consumer that lives as long as the loop.  (Rules by which task held a
    # connection kept these until close(): MemoryError after 6 to 20 at 128K; outside reviews.)
    import asyncio

    from microhttpc import aio

    async def main(mode):
        h, p = server("http")
        h2, p2 = server("http2")
        c = await aio.Connection.open(h, p, timeout=10, follow_redirects=3)
        q = {"to": "http://%s:%d/bytes/5000" % (h2, p2)}

        async def part(r):
            await r.read(10)

        async def job():
            await part(await c.request("GET", "/redirect/302", query=q))

        box, go, done = [], asyncio.Event(), asyncio.Event()

        async def consumer():  # (no asyncio.Queue on MicroPython)
            while True:
                await go.wait()
                go.clear()
                r = box.pop()
                if r is None:
                    return
                await part(r)
                done.set()

        eater = asyncio.create_task(consumer())
        most = 0
        for _ in range(ROUNDS):
            if mode == "consumer":
                box.append(await c.request("GET", "/redirect/302", query=q))
                go.set()
                await done.wait()
                done.clear()
            elif mode == "wait_for read":
                await asyncio.wait_for(part(await c.request("GET", "/redirect/302", query=q)), 5)
            elif mode == "wait_for request":
                assert (await asyncio.wait_for(c.request("GET", "/redirect/302", query=q), 5)).status == 200
            elif mode == "gather":
                await asyncio.gather(c.request("GET", "/redirect/302", query=q))
            elif mode == "hand-off":
                await asyncio.create_task(part(await c.request("GET", "/redirect/302", query=q)))
            else:
                await asyncio.create_task(job())
            most = max(most, len(c._hop or ()))
        box.append(None)
        go.set()
        await eater
        await c.close()
        return most

    for mode in ("wait_for read", "wait_for request", "gather", "hand-off", "worker", "consumer"):
        most = asyncio.run(main(mode))
        assert most <= 4, (mode, most)


def test_aio_other_origin_connections_beyond_four_go_once_no_task_reads_them():
    # Six kept while their readers waited in reads of them; the readers stopped part way; the next chain
    # closed one of the older ones only, and the count stayed at its peak for good (an outside review)
    import asyncio

    from microhttpc import aio

    async def main():
        h, p = server("http")
        h2, p2 = server("http2")
        c = await aio.Connection.open(h, p, timeout=10, follow_redirects=3)
        slow = {"to": "http://%s:%d/chunked?n=400&d=0.05" % (h2, p2)}
        stop = [False]

        async def reader(r):
            while not stop[0] and await r.read_chunk() is not None:
                pass  # (no other wait: suspended, it waits in a read)

        tasks = []
        for _ in range(6):
            r = await c.request("GET", "/redirect/302", query=slow)
            tasks.append(asyncio.create_task(reader(r)))
            await asyncio.sleep(0.02)
        peak = len(c._hop or ())
        stop[0] = True
        for t in tasks:
            await t
        r = await c.request("GET", "/redirect/302", query={"to": "http://%s:%d/bytes/100" % (h2, p2)})
        after = len(c._hop or ())
        body = await r.read()
        await c.close()
        return peak, after, body

    peak, after, body = asyncio.run(main())
    assert peak == 6 and after == 4 and body == bytes(range(100)), (peak, after, len(body))

