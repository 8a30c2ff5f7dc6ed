"""The asyncio one-call requests: ``await aio.get(url)`` ... (see ``api``; loaded on first use).  The
connections kept between calls belong to the running event loop: on CPython they close when
``asyncio.run`` ends it (``_cpyaio.pool_keeper``; they were dropped open, a socket each until the
garbage collector found them), and a call from another loop drops any left; ``await aio.close_all()``
closes them."""

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio

from .api import give_back, pooled
from .rt import MICROPYTHON

_POOL = {}
_loop = None  # the event loop the pooled connections belong to
_keeper = None  # CPython: the async generator that closes them at the end of that loop


async def request(method, url, timeout=30.0, connect_timeout=10.0, max_body=1 << 20, follow_redirects=10,
                  ssl_context=None, cadata=None, verify=True, **kw):
    """Send one request to ``url`` and return its Response with the body read."""
    from .aio import Connection

    global _loop, _keeper
    loop = asyncio.get_event_loop()
    if loop is not _loop:
        _POOL.clear()  # the old loop's connections: unusable here (asyncio streams are per loop)
        _loop = loop
        if not MICROPYTHON:  # (MicroPython's pool carries over: its sockets are not the loop's)
            from ._cpyaio import pool_keeper

            _keeper = pool_keeper(close_all)
            await _keeper.__anext__()
    conn, key, target = pooled(_POOL, url, (ssl_context, cadata, verify), Connection, timeout, connect_timeout,
                               max_body)
    try:
        r = await conn.request(method, target, follow_redirects=10 if follow_redirects is None else follow_redirects, **kw)
        await r.read()
        return r
    finally:
        extra = give_back(_POOL, conn, key)
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
    """Close the connections kept between calls."""
    while _POOL:
        await _POOL.popitem()[1].close()
