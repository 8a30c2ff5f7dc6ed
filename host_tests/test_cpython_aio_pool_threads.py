"""CPython: the asyncio one-call API from threads that each run an event loop of their own (an outside
hunt): the pool was one for the process, so a call took a connection another loop had put back
(RuntimeError "attached to a different loop"), a new loop's first call dropped the other loop's
connections, and the keeper that closes the pool at asyncio.run's end was resumed by the wrong thread
(StopAsyncIteration).  Each loop has a pool of its own now.  (MicroPython runs one loop: its pool is
the dual tests'.)"""

import asyncio
import os
import threading

from microhttpc import aio


def test_threads_each_with_an_event_loop_share_no_pooled_connection(live_servers):
    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)
    url = "http://%s:%s/echo" % (host, port)
    errs, bad, done = [], [], []

    async def worker(k):
        for i in range(60):
            tag = "%d-%d" % (k, i)
            try:
                r = await aio.post(url, body=tag)
                if (await r.json())["body"] != tag:
                    bad.append(tag)
                done.append(tag)
            except Exception as exc:  # noqa: BLE001 - every exception is the finding
                errs.append("%s: %s" % (type(exc).__name__, exc))
            await asyncio.sleep(0.001)
        await aio.close_all()

    threads = [threading.Thread(target=lambda k=k: asyncio.run(worker(k))) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errs and not bad and len(done) == 180, (errs[:5], bad[:5], len(done))


def test_loops_closed_without_asyncio_run_leave_no_pool_open(live_servers):
    # run_until_complete() and close(), the idiom before asyncio.run: no keeper closes the loop's pool.
    # A first version of the pools per loop kept each such loop's pool, its sockets open for good (an
    # outside review); the next call drops them, as a new loop's call did before, and the garbage
    # collector closes their sockets.
    import gc
    import warnings

    from microhttpc import aioapi

    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)
    url = "http://%s:%s/hello" % (host, port)

    def fds():
        return len(os.listdir("/proc/self/fd"))

    base = fds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # (the garbage collector's close says so)
        for _ in range(20):
            loop = asyncio.new_event_loop()
            assert loop.run_until_complete(aio.get(url)).status == 200
            loop.close()
        asyncio.run(aio.close_all())
        gc.collect()
        gc.collect()
    assert fds() - base <= 10 and len(aioapi._POOLS) <= 1, (fds() - base, len(aioapi._POOLS))  # (40 before)


def test_loops_never_closed_leave_no_pool_open(live_servers):
    # The same with loops that are never closed, in this thread and in threads that end (a fifth outside
    # review: those pools stayed, four descriptors a loop).
    import gc
    import warnings

    from microhttpc import aioapi

    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)
    url = "http://%s:%s/hello" % (host, port)

    def fds():
        return len(os.listdir("/proc/self/fd"))

    def once():
        loop = asyncio.new_event_loop()
        assert loop.run_until_complete(aio.get(url)).status == 200

    base = fds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for _ in range(10):
            once()
        for _ in range(10):
            t = threading.Thread(target=once)
            t.start()
            t.join(10)
        asyncio.run(aio.close_all())
        gc.collect()
        gc.collect()
    # (each loop made here keeps its own selector and self-pipe until it is collected: what matters is
    # that no pool holds them, and their sockets, for good)
    assert len(aioapi._POOLS) <= 1, len(aioapi._POOLS)
    assert fds() - base <= 12, fds() - base  # (80 before)
