"""A body with a content coding (Content-Encoding: gzip), which the package neither asks for nor undoes:
text() and json() say so (a gzip body came out of text() as garbage, silently, and json() blamed "not
UTF-8"; an outside hunt), and read() gives the body as it came.  Every layer, both runtimes (raw path
/raw/gzip).  A coding named for no coded bytes is none: an empty body (a 204, Content-Length 0) reads as
"" (text() raised HTTPCError "the body is gzip-coded"), and "identity, identity," as plain (an outside
hunt; raw paths /raw/gzip204, /raw/gzip0, /raw/identity2)."""

from check import raises, server

GZ = b"\x1f\x8b"


def _check(r, body_read):
    from microhttpc.errors import HTTPCError, JSONDecodeError

    assert r.status == 200 and r.headers.get("content-encoding") == "gzip"
    e = raises(HTTPCError, r.text)
    assert "gzip" in str(e) and "Content-Encoding" in str(e), e
    e = raises(JSONDecodeError, r.json)
    assert "gzip" in str(e), e
    got = body_read()
    assert got[:2] == GZ, got[:8]


def test_blocking_and_poll():
    from microhttpc import Connection
    from microhttpc.poll import Engine

    h, p = server("raw")
    c = Connection(h, p, timeout=5)
    try:
        r = c.request("GET", "/raw/gzip")
        _check(r, r.read)
    finally:
        c.close()
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    got = []
    e.request(conn, "GET", "/raw/gzip", on_complete=lambda r, ok: got.append(r))
    assert e.run(until=lambda: got, timeout=5)
    _check(got[0], got[0].read)
    e.close_all()
    e.run(timeout=2)


def test_aio():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import HTTPCError, JSONDecodeError

    async def main():
        h, p = server("raw")
        c = await aio.Connection.open(h, p, timeout=5)
        try:
            r = await c.request("GET", "/raw/gzip")
            out = []
            for fn, cls in ((r.text, HTTPCError), (r.json, JSONDecodeError)):
                try:
                    await fn()
                    out.append("taken")
                except cls as exc:
                    out.append("gzip" in str(exc))
            out.append((await r.read())[:2])
            return out
        finally:
            await c.close()

    assert asyncio.run(main()) == [True, True, GZ]


def _plain(out):
    # (text(), json()'s error class or value) for /raw/gzip204, /raw/gzip0, /raw/identity2
    assert out == [("", "JSONDecodeError"), ("", "JSONDecodeError"), ('{"a": 1}', {"a": 1})], out


def _json(fn):
    from microhttpc.errors import JSONDecodeError

    try:
        return fn()
    except JSONDecodeError as e:
        assert "coded" not in str(e), e
        return "JSONDecodeError"


PLAIN = ("/raw/gzip204", "/raw/gzip0", "/raw/identity2")


def test_a_coding_named_for_no_coded_bytes_blocking_and_poll():
    from microhttpc import Connection
    from microhttpc.poll import Engine

    h, p = server("raw")
    c = Connection(h, p, timeout=5)
    try:
        out = []
        for path in PLAIN:
            r = c.request("GET", path)
            out.append((r.text(), _json(r.json)))
        _plain(out)
    finally:
        c.close()
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    got = []
    for path in PLAIN:
        e.request(conn, "GET", path, on_complete=lambda r, ok: got.append(r))
    assert e.run(until=lambda: len(got) == 3, timeout=5)
    _plain([(r.text(), _json(r.json)) for r in got])
    e.close_all()
    e.run(timeout=2)


def test_a_coding_named_for_no_coded_bytes_aio():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import JSONDecodeError

    async def main():
        h, p = server("raw")
        c = await aio.Connection.open(h, p, timeout=5)
        try:
            out = []
            for path in PLAIN:
                r = await c.request("GET", path)
                t = await r.text()
                try:
                    j = await r.json()
                except JSONDecodeError as exc:
                    assert "coded" not in str(exc), exc
                    j = "JSONDecodeError"
                out.append((t, j))
            return out
        finally:
            await c.close()

    _plain(asyncio.run(main()))
