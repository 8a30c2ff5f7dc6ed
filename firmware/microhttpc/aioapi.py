"""The asyncio one-call requests: ``await aio.get(url)`` ... (see ``api``; loaded on first use).  The
connections kept between calls belong to the running event loop: on CPython each loop has a pool of its
own (threads that each run a loop shared one: a call took another loop's connection), whose connections
close when ``asyncio.run`` ends the loop (``_cpyaio.pool_keeper``; they were dropped open, a socket each
until the garbage collector found them); on MicroPython a call from another loop drops any left.
``await aio.close_all()`` closes the running loop's."""

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio

from .api import give_back, pooled
from .rt import MICROPYTHON

_POOL = {}  # MicroPython: the connections kept between calls
_loop = None  # MicroPython: the event loop they belong to
_POOLS = {}  # CPython: {event loop: (its pool, the async generator that closes it as asyncio.run ends the loop, its thread)}


async def _pool():
    """The running event loop's pool (``key: Connection``)."""
    global _loop
    loop = asyncio.get_event_loop()
    if MICROPYTHON:  # (one loop at a time)
        if loop is not _loop:
            _POOL.clear()  # the old loop's connections: unusable here
            _loop = loop
        return _POOL
    got = _POOLS.get(loop)
    if got is None:
        import threading  # pyright: ignore[reportMissingImports]  (CPython only: this branch)

        # The pools of loops that ended without asyncio.run's end (run_until_complete, then close() or
        # nothing): a closed loop's, and one not running whose thread is this one or has ended.  Each is
        # dropped, and the garbage collector closes its sockets, as before the pools per loop (two outside
        # reviews: they stayed, their sockets open for good).
        me = threading.current_thread()
        for old in list(_POOLS):
            e = _POOLS.get(old)
            if e is not None and (old.is_closed() or not old.is_running() and (e[2] is me or not e[2].is_alive())):
                e = _POOLS.pop(old, None)  # (another thread may sweep it too)
                if e is not None:
                    e[0].clear()  # (its keeper, finalised on a loop not closed, would hold the pool)
        from ._cpyaio import pool_keeper

        pool = {}
        got = _POOLS[loop] = (pool, pool_keeper(lambda: _close(pool)), me)
        await got[1].__anext__()
    return got[0]


async def _close(pool):
    while pool:
        await pool.popitem()[1].close()


async def request(method, url, timeout=30.0, connect_timeout=10.0, max_body=1 << 20, follow_redirects=10,
                  ssl_context=None, cadata=None, verify=True, **kw):
    """Send one request to ``url`` and return its Response with the body read."""
    from .aio import Connection

    pool = await _pool()
    conn, key, target = pooled(pool, url, (ssl_context, cadata, verify), Connection, timeout, connect_timeout,
                               max_body)
    try:
        r = await conn.request(method, target, follow_redirects=10 if follow_redirects is None else follow_redirects, **kw)
        await r.read()
        return r
    finally:
        extra = give_back(pool, conn, key)
        if extra is not None:
            await extra.close()


async def get(url, **kw):
    """``await request("GET", url, **kw)``."""
    return await request("GET", url, **kw)


async def post(url, **kw):
    """``await request("POST", url, **kw)``."""
    return await request("POST", url, **kw)


async def put(url, **kw):
    """``await request("PUT", url, **kw)``."""
    return await request("PUT", url, **kw)


async def patch(url, **kw):
    """``await request("PATCH", url, **kw)``."""
    return await request("PATCH", url, **kw)


async def delete(url, **kw):
    """``await request("DELETE", url, **kw)``."""
    return await request("DELETE", url, **kw)


async def head(url, **kw):
    """``await request("HEAD", url, **kw)``."""
    return await request("HEAD", url, **kw)


async def close_all():
    """Close the connections kept between calls (those of the running event loop)."""
    await _close(await _pool())
