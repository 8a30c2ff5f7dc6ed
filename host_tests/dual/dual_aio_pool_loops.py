"""The asyncio one-call pool and the event loop it belongs to (a module of its own: ten event loops)."""

import sys

from check import url


def test_one_call_aio_pool_closes_with_its_event_loop():
    """CPython: each asyncio.run() of aio.get() left its pooled connection open when the next run
    dropped the pool (a socket each, and the server's connection, until the garbage collector found
    them).  The pool closes with the loop now.  MicroPython's pool carries over between runs."""
    import asyncio
    import gc

    from dual_aio_tasks import _open_fds
    from microhttpc import aio

    u = url("http", "http", "/hello")
    asyncio.run(aio.get(u))
    gc.collect()
    before = _open_fds()
    if sys.implementation.name != "micropython":
        gc.disable()  # (CPython: no collection closes a dropped socket meanwhile)
    try:
        for _ in range(10):
            assert asyncio.run(aio.get(u)).status == 200
        after = _open_fds()
    finally:
        gc.enable()
    asyncio.run(aio.close_all())
    assert after is None or after - before <= 2, "%d sockets left open by 10 runs" % (after - before)
