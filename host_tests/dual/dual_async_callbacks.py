"""An ``async def`` given as ``on_body`` (the natural slip on the asyncio layer): the callbacks are
called, not awaited, so it did nothing, and the body was lost without a word (read() gave b"" with
status 200; CPython printed only a RuntimeWarning).  Now UsageError, from the request, and the
connection ends as after any exception of a callback."""

import asyncio

from check import server

from microhttpc import aio
from microhttpc.errors import UsageError


async def _swallow(*args):
    pass


def _http(kw):
    async def main():
        c = await aio.Connection.open(*server("http"), timeout=5)
        try:
            try:
                await c.request("GET", "/hello", **kw)
                raise AssertionError("no error")
            except UsageError as exc:
                assert "async def" in str(exc), exc
            r = await c.request("GET", "/hello")  # (the next request: a new connection)
            assert await r.read() == b"hello world"
        finally:
            await c.close()

    asyncio.run(main())


def test_async_on_body():
    _http({"on_body": _swallow})
