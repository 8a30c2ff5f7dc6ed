"""asyncio ``Response.close()``, as the blocking one: the rest of an unread body is dropped at once (the
connection closes; reading the body then raises ConnectionLost) and the next request opens a new
connection; on a complete body it changes nothing.  Both runtimes."""

from check import server


def test_aio_response_close():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionLost

    async def main():
        host, port = server("http")
        conn = aio.Connection(host, port, timeout=10)
        try:
            r = await conn.request("GET", "/bytes/100000")
            assert len(await r.read(10)) == 10
            await r.close()
            assert not conn.is_open
            try:
                await r.read()
                raise AssertionError("no ConnectionLost")
            except ConnectionLost:
                pass
            r = await conn.request("GET", "/hello")
            assert await r.read() == b"hello world"
            await r.close()  # a complete body: the connection stays
            assert conn.is_open
            r = await conn.request("GET", "/hello")
            assert await r.read() == b"hello world"
        finally:
            await conn.close()

    asyncio.run(main())
