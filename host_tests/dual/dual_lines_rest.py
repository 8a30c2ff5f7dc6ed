"""Reading a body on after iter_lines() stopped early, and readinto() an array of bytes, on the
blocking and asyncio layers (both runtimes).  /raw/lines: "alpha\\r\\nbeta\\n\\ngamma" in chunks that end
inside lines ("ta\\n\\ngam"), so the line splitter holds bytes past the line it gave."""

from check import server

REST = b"\ngamma"  # after "alpha" and "beta"


def test_read_after_iter_lines_stopped_blocking():
    # The bytes the splitter had read past "beta" were lost to read() (it gave b"ma", silently); they
    # are the response's again while a line is out with the caller.
    from array import array

    from microhttpc import Connection

    host, port = server("raw")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/raw/lines")
        it = r.iter_lines()
        assert (next(it), next(it)) == (b"alpha", b"beta")
        assert r.read() == REST
        r = conn.request("GET", "/raw/lines")
        it = r.iter_lines()
        assert (next(it), next(it)) == (b"alpha", b"beta")
        assert r.read(2) == b"\ng"  # a read in between: the lines go on after it
        assert list(it) == [b"amma"]
        # An array of bytes is a writable buffer like a bytearray (CPython refused it: UsageError).
        r = conn.request("GET", "/raw/lines")
        a = array("B", bytes(4))
        got = b""
        while True:
            n = r.readinto(a)
            if not n:
                break
            got += bytes(a)[:n]
        assert got == b"alpha\r\nbeta\n\ngamma", got
    finally:
        conn.close()


def test_read_after_iter_lines_stopped_aio():
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("raw")
        conn = aio.Connection(host, port, timeout=10)
        try:
            r = await conn.request("GET", "/raw/lines")
            lines = []
            async for line in r.iter_lines():
                lines.append(line)
                if len(lines) == 2:
                    break
            return lines, await r.read()
        finally:
            await conn.close()

    lines, rest = asyncio.run(main())
    assert lines == [b"alpha", b"beta"] and rest == REST, (lines, rest)
