"""iter_lines() that meets a line over ``max_line`` (LimitExceeded): the body's bytes from that line on
are the response's again, so a read() after it gets the rest of the body, never a shorter body that
passes for whole.  Blocking and asyncio layers, both runtimes (poll splits a body it has collected)."""

from check import server

LINES = b"alpha\r\nbeta\n\ngamma"  # /raw/lines, chunked in pieces that end inside lines
LONG = b"short\n" + b"z" * 300  # /raw/long-line, by Content-Length


def test_read_after_line_over_limit_blocking():
    # read() after the LimitExceeded gave b"" (Content-Length) or the body less the long line
    # (chunked), both as a complete body, and the connection was reused.
    from microhttpc import Connection
    from microhttpc.errors import LimitExceeded

    host, port = server("raw")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/raw/lines")
        it = r.iter_lines(max_line=4)
        try:
            next(it)
            raise AssertionError("no LimitExceeded")
        except LimitExceeded:
            pass
        assert r.read() == LINES
        r = conn.request("GET", "/raw/long-line")
        it = r.iter_lines(max_line=10)
        assert next(it) == b"short"
        try:
            next(it)
            raise AssertionError("no LimitExceeded")
        except LimitExceeded:
            pass
        assert r.read() == b"z" * 300
        assert conn.request("GET", "/raw/lines").read() == LINES  # the connection goes on
    finally:
        conn.close()


def test_read_after_line_over_limit_aio():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import LimitExceeded

    async def over(r, max_line, want):
        got = []
        try:
            async for line in r.iter_lines(max_line=max_line):
                got.append(line)
            raise AssertionError("no LimitExceeded")
        except LimitExceeded:
            pass
        assert got == want, got
        return await r.read()

    async def main():
        host, port = server("raw")
        conn = aio.Connection(host, port, timeout=10)
        try:
            r = await conn.request("GET", "/raw/lines")
            assert await over(r, 4, []) == LINES
            r = await conn.request("GET", "/raw/long-line")
            assert await over(r, 10, [b"short"]) == b"z" * 300
            r = await conn.request("GET", "/raw/lines")
            assert await r.read() == LINES
        finally:
            await conn.close()

    asyncio.run(main())
