"""The asyncio one-call requests: ``await aio.get(url)`` ... (see ``api``; loaded on first use).  The
connections kept between calls belong to the running event loop: a call from another loop (a new
``asyncio.run``) drops those of the old one; ``await aio.close_all()`` closes them."""

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio

from .api import give_back, pooled

_POOL = {}
_loop = None  # the event loop the pooled connections belong to


async def request(method, url, timeout=30.0, connect_timeout=10.0, max_body=1 << 20, follow_redirects=10,
                  ssl_context=None, cadata=None, verify=True, **kw):
    """Send one request to ``url`` and return its Response with the body read."""
    from .aio import Connection

    global _loop
    loop = asyncio.get_event_loop()
    if loop is not _loop:
        _POOL.clear()  # the old loop's connections: unusable here (asyncio streams are per loop)
        _loop = loop
    conn, key, target = pooled(_POOL, url, (ssl_context, cadata, verify), Connection, timeout, connect_timeout,
                               max_body)
    try:
        r = await conn.request(method, target, follow_redirects=follow_redirects, **kw)
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
