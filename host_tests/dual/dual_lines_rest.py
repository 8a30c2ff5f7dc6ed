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


def test_no_byte_handed_out_twice_after_a_whole_read():
    # read() of what was left after read(n) or iter_lines() kept it to be handed out once more: the lines
    # it returned came out of iter_lines() again, and read(5) after read(3), read() gave bytes 4 to 8
    # again.  Only a body read whole from its first byte is handed out once more (get(url).iter_chunks()).
    import asyncio

    from microhttpc import Connection, aio

    body = b"alpha\r\nbeta\n\ngamma"
    host, port = server("raw")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/raw/lines")
        it = r.iter_lines()
        assert (next(it), next(it)) == (b"alpha", b"beta")
        assert r.read() == REST
        assert list(it) == [] and r.read(5) == b""
        r = conn.request("GET", "/raw/lines")
        assert r.read(3) == body[:3] and r.read() == body[3:] and r.read(5) == b"" and r.read() == body[3:]
        r = conn.request("GET", "/raw/lines")
        assert r.read() == body and b"".join(r.iter_chunks()) == body and r.read(5) == b""
    finally:
        conn.close()

    async def main():
        c = aio.Connection(host, port, timeout=10)
        try:
            r = await c.request("GET", "/raw/lines")
            got = [await r.read(3), await r.read(), await r.read(5)]
            r = await c.request("GET", "/raw/lines")
            whole = [await r.read(), await r.read(5), await r.read(50), await r.read(5)]
            return got, whole
        finally:
            await c.close()

    got, whole = asyncio.run(main())
    assert got == [body[:3], body[3:], b""], got
    assert whole == [body, body[:5], body[5:], b""], whole


def test_lines_take_the_body_on_poll_too():
    # poll's iter_lines() read its collected body whole: read(), text() and a second iter_lines() after
    # it handed all of the body out again, where the other layers give what the lines left (an outside
    # hunt).  Now the lines take it as theirs do: the rest after lines that stopped early, nothing after all.
    from microhttpc.poll import Engine

    body = b"alpha\r\nbeta\n\ngamma"
    host, port = server("raw")
    e = Engine(timeout=10)
    conn = e.connect(host, port)
    try:
        got = []
        for _ in range(4):
            e.request(conn, "GET", "/raw/lines", on_complete=lambda r, ok: got.append((r, ok)))
        e.run(until=lambda: len(got) == 4, timeout=10)
        assert [ok for _, ok in got] == [True] * 4, got
        r = got[0][0]
        assert list(r.iter_lines()) == [b"alpha", b"beta", b"", b"gamma"]
        assert (r.read(), r.text(), list(r.iter_lines()), r.read(5)) == (b"", "", [], b"")
        r = got[1][0]
        it = r.iter_lines()
        assert (next(it), next(it)) == (b"alpha", b"beta")
        assert r.read() == REST and r.read(5) == b"" and list(it) == []
        r = got[2][0]
        assert r.read(3) == body[:3]
        it = r.iter_lines()
        assert next(it) == b"ha"
        assert r.read(2) == b"be" and list(it) == [b"ta", b"", b"gamma"] and r.read() == b""
        assert r.body == body  # (the collected attribute stays as it came)
        # after read(n) and a whole read() of the rest: that rest again, as text() reads it (an outside
        # review: the lines gave nothing there)
        r = got[3][0]
        assert (r.read(3), r.read(), r.text()) == (body[:3], body[3:], body[3:].decode())
        assert list(r.iter_lines()) == [b"ha", b"beta", b"", b"gamma"] == list(r.iter_lines())
    finally:
        e.close_all()
        e.run(timeout=2)
