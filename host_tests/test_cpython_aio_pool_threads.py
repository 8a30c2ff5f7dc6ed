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
