"""asyncio: three HTTP connections and two WebSockets at once with asyncio.gather, on CPython's
asyncio and MicroPython's.  In a module of its own so the MicroPython heap holds little test code
besides the five connections."""

import asyncio

from check import server
from microhttpc import aio


def test_concurrent_requests_and_websockets():
    async def get(path):
        host, port = server("http")
        async with aio.Connection(host, port, timeout=10, buffer_size=512) as conn:
            r = await conn.request("GET", path)
            return r.status, await r.read()

    async def echo(url, messages):
        ws = await aio.ws_connect(url, timeout=10, buffer_size=512)
        out = []
        for m in messages:
            await ws.send(m)
            await asyncio.sleep(0)
            out.append(await ws.recv())
        await ws.close()
        return out, ws.close_code

    async def main():
        hh, hp = server("http")
        wh, wp = server("ws")
        return await asyncio.gather(
            get("/hello"), get("/status/404"), get("/bytes/10"),
            echo("ws://%s:%d/ws" % (hh, hp), ["a", "b", "c"]),
            echo("ws://%s:%d/" % (wh, wp), [b"\x01", "x" * 200]),
        )

    res = asyncio.run(main())
    assert res[0] == (200, b"hello world")
    assert res[1] == (404, b"status 404")
    assert res[2] == (200, bytes(range(10)))
    assert res[3] == (["a", "b", "c"], 1000)
    assert res[4] == ([b"\x01", "x" * 200], 1000)
