"""An ``async def`` given as a callback (the natural slip on the asyncio layer): the callbacks are
called, not awaited, so it did nothing, and what it was given was lost without a word (the body read
as b"" with status 200, every WebSocket message gone; CPython printed only a RuntimeWarning).  Now
UsageError, from the call that ran it, and the connection ends as after any exception of a callback."""

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


def test_async_on_header():
    _http({"on_header": _swallow})


def test_async_on_msg():
    async def main():
        host, port = server("ws")
        ws = await aio.ws_connect("ws://%s:%d/echo" % (host, port), timeout=5, on_msg=_swallow)
        try:
            await ws.send("x")
            try:
                await ws.recv(timeout=3)
                raise AssertionError("no error")
            except UsageError as exc:
                assert "async def" in str(exc), exc
        finally:
            await ws.close()

    asyncio.run(main())
