"""Redirects against the real aiohttp server (/redirect/{code}?to=..., /redirect-chain/{n}) and a
second origin on another port (MHC_HTTP2); plus the URL resolution rules on their own."""

import microhttpc
from microhttpc.errors import TooManyRedirects
from microhttpc.urls import resolve_url, redirect_method
from check import raises, server
from microhttpc.rt import MICROPYTHON


# At a fragmentation edge of the 128K heap (the footprint issue's work): a chain of other-origin answers left
# unread (two kept, each with its connection) passes or fails there with the layout of code it does not run
# (measured: 3f76604 passed at 128K and failed at 124K; the move of text() and json() into modules of their
# own, which leaves this path's heap in use unchanged to 100 bytes and its names the same, failed it at 128K
# and 132K; 136K passes).
MICROPYTHON_HEAPS = {
    "test_other_origin_connection_closed_when_its_body_is_left_unread": "136K",
    "test_aio_other_origin_connection_closed_when_its_body_is_left_unread": "136K",
}


def conn(**kw):
    host, port = server("http")
    return microhttpc.Connection(host, port, timeout=10, **kw)


def header(d, name):
    return [v for k, v in d["headers"] if k.lower() == name.lower()]


def test_resolve_url_rfc3986():
    base = "http://a/b/c/d;p?q"
    # RFC 3986 section 5.4.1 normal examples (fragments dropped: never sent)
    for ref, want in (("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"),
                      ("/g", "http://a/g"), ("//g", "http://g/"), ("?y", "http://a/b/c/d;p?y"),
                      ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q"), ("../g", "http://a/b/g"),
                      ("../..", "http://a/"), ("../../g", "http://a/g"), ("", "http://a/b/c/d;p?q"),
                      ("https://x:8443/p", "https://x:8443/p"), ("http://x:80/p", "http://x/p")):
        assert resolve_url(base, ref) == want, (ref, resolve_url(base, ref))
    assert resolve_url("https://h:444/x/y", "//other/z") == "https://other/z"
    # dot segments go from absolute and protocol-relative references too (section 5.2.2: they were sent
    # as given, "/a/../echo", where the same reference as a path gave "/echo")
    for ref in ("/a/../g?y=/../", "http://a/a/./../g?y=/../", "//a/a/b/../../g?y=/../"):
        assert resolve_url(base, ref) == "http://a/g?y=/../", (ref, resolve_url(base, ref))


def test_redirect_method_rules():
    assert redirect_method(303, "POST") == ("GET", False)
    assert redirect_method(303, "HEAD") == ("HEAD", True)
    assert redirect_method(302, "POST") == ("GET", False)
    assert redirect_method(301, "POST") == ("GET", False)
    assert redirect_method(301, "PUT") == ("PUT", True)
    assert redirect_method(307, "POST") == ("POST", True)
    assert redirect_method(308, "PATCH") == ("PATCH", True)


def test_not_followed_unless_asked():
    c = conn()
    r = c.request("GET", "/redirect/302", query={"to": "/hello"})
    assert r.status == 302 and r.headers["location"] == "/hello" and r.history == []
    assert r.read() == b"see elsewhere"
    c.close()


def test_relative_absolute_and_chain():
    host, port = server("http")
    c = conn(follow_redirects=5)
    r = c.request("GET", "/redirect-chain/3")  # Location: "2", "1", "0": relative references
    assert r.status == 200 and r.json()["path"] == "/redirect-chain/0"
    assert [s for s, _ in r.history] == [302, 302, 302]
    assert r.url == "http://%s:%d/redirect-chain/0" % (host, port)
    absolute = "http://%s:%d/echo?via=abs" % (host, port)
    peer = c.request("GET", "/peer").read()
    r = c.request("GET", "/redirect/301", query={"to": absolute})
    assert r.json()["raw_path"] == "/echo?via=abs" and r.url == absolute
    assert c.request("GET", "/peer").read() == peer  # same origin: the same connection all along
    c.close()


def test_too_many_redirects():
    c = conn()
    exc = raises(TooManyRedirects, c.request, "GET", "/redirect-chain/5", follow_redirects=2)
    assert exc.response.status == 302
    assert c.request("GET", "/redirect-chain/2", follow_redirects=2).status == 200
    c.close()


def test_303_and_post_301_302_become_get():
    c = conn(follow_redirects=1)
    for code in (301, 302, 303):
        r = c.request("POST", "/redirect/%d" % code, query={"to": "/echo"}, body=b"form=data",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        d = r.json()
        assert d["method"] == "GET" and d["body"] == "" and r.history[0][0] == code
        assert not header(d, "Content-Type") and not header(d, "Content-Length")
    d = c.request("PUT", "/redirect/303", query={"to": "/echo"}, body=b"x").json()
    assert d["method"] == "GET"
    c.close()


def test_307_308_keep_method_and_body():
    c = conn(follow_redirects=1)
    for code in (307, 308):
        d = c.request("POST", "/redirect/%d" % code, query={"to": "/echo"}, body=b"keep me",
                      content_type="text/plain").json()
        assert d["method"] == "POST" and d["body"] == "keep me"
        assert header(d, "Content-Type") == ["text/plain"]
    d = c.request("PATCH", "/redirect/308", query={"to": "/echo"}, form={"k": "v"}).json()
    assert d["method"] == "PATCH" and d["body"] == "k=v"
    # a body that can't be sent again: the 307 comes back unfollowed
    r = c.request("POST", "/redirect/307", query={"to": "/echo"}, body=iter([b"once"]))
    assert r.status == 307 and r.history == []
    r.read()
    c.close()


def test_other_origin_new_connection_without_credentials():
    host2, port2 = server("http2")
    c = conn(follow_redirects=3)
    peer = c.request("GET", "/peer").read()
    creds = {"Authorization": "Bearer secret", "Cookie": "s=1", "X-Keep": "yes"}
    # absolute, then protocol-relative
    for to in ("http://%s:%d/echo" % (host2, port2), "//%s:%d/echo" % (host2, port2)):
        r = c.request("GET", "/redirect/302", query={"to": to}, headers=creds)
        d = r.json()
        assert header(d, "Host") == ["%s:%d" % (host2, port2)]
        assert not header(d, "Authorization") and not header(d, "Cookie") and header(d, "X-Keep") == ["yes"]
        assert header(d, "Connection") == ["close"]  # a one-request connection to the other origin
        assert r.url == "http://%s:%d/echo" % (host2, port2)
    # same origin keeps the credentials, and this connection was not disturbed
    d = c.request("GET", "/redirect/302", query={"to": "/echo"}, headers=creds).json()
    assert header(d, "Authorization") == ["Bearer secret"] and header(d, "Cookie") == ["s=1"]
    assert c.request("GET", "/peer").read() == peer
    c.close()


ROUNDS = 8


def test_other_origin_connection_closed_when_its_body_is_left_unread():
    # The answer of another origin, its body not read (the response kept): its one-request connection
    # stayed open, one more socket per request, and close() did not release them (20 requests: 20
    # sockets on MicroPython, and on CPython while the responses were referenced).  It is closed with
    # the next request on this connection, or its close(); its body reads up to then.
    from dual_aio_tasks import _open_fds

    host2, port2 = server("http2")
    c = conn(follow_redirects=3)
    q = {"to": "http://%s:%d/bytes/100" % (host2, port2)}
    c.request("GET", "/redirect/302", query=q).read()  # (what a first redirect loads and keeps)
    before = _open_fds()
    kept = []
    for _ in range(ROUNDS):
        r = c.request("GET", "/redirect/302", query=q)
        assert r.status == 200 and r.url.endswith("/bytes/100"), r
        if MICROPYTHON and len(kept) > 1:  # (no collector closes a socket there: the first and the last
            kept.pop()  # are kept, in a 128K heap; CPython's would close those of responses let go)
        kept.append(r)
    assert kept[-1].read() == bytes(range(100))  # (the last one's connection is still there)
    during = _open_fds()
    c.close()
    after = _open_fds()
    # (up to 1 more: the servers' side, when they share the process)
    assert during is None or during - before <= 2, "%d sockets for %d requests" % (during - before, ROUNDS)
    assert after is None or after - before <= 1, "%d sockets left after close()" % (after - before)
    raises(microhttpc.ConnectionLost, kept[0].read)  # (closed by the next request: a cut body, not b"")


def test_aio_other_origin_connection_closed_when_its_body_is_left_unread():
    import asyncio

    from dual_aio_tasks import _open_fds
    from microhttpc import aio

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)
        q = {"to": "http://%s:%d/bytes/100" % (host2, port2)}
        await (await c.request("GET", "/redirect/302", query=q)).read()
        before = _open_fds()
        kept = []
        for _ in range(ROUNDS):
            r = await c.request("GET", "/redirect/302", query=q)
            assert r.status == 200 and r.url.endswith("/bytes/100"), r
            if MICROPYTHON and len(kept) > 1:
                kept.pop()
            kept.append(r)
        assert await kept[-1].read() == bytes(range(100))  # (the last one's connection is still there)
        during = _open_fds()
        # The newest four are kept (another task may be reading them), an older one closed: they piled up
        # until close() (MicroPython's 128K heap ran out after about a dozen)
        assert during is None or during - before <= 5, "%d sockets for %d requests" % (during - before, ROUNDS)
        assert len(c._hop or ()) <= 4, c._hop  # (the kept connections: each with its buffers)
        try:
            await kept[0].read()
            raise AssertionError("a body closed by the next request read as whole")
        except microhttpc.ConnectionLost:
            pass
        await c.close()
        after = _open_fds()
        assert after is None or after - before <= 1, "%d sockets left after close()" % (after - before)
        return True

    assert asyncio.run(main())


def test_aio_other_origin_body_read_by_a_task_while_another_sends():
    # Another task's request on the same connection closed the other origin's connection while the first
    # task read its body there (UsageError part way; ConnectionLost when the task worked on a piece between
    # its reads).  One whose read began is closed at this connection's end now, or by its body's.
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)

        async def reader():
            r = await c.request("GET", "/redirect/302", query={"to": "http://%s:%d/chunked?n=15&d=0.02" % (host2, port2)})
            got = []
            while True:
                piece = await r.read_chunk()
                if piece is None:
                    return b"".join(got)
                got.append(piece)
                await asyncio.sleep(0.01)  # (it reads, and works on each piece between its reads)

        async def other():
            await asyncio.sleep(0.1)
            r = await c.request("GET", "/redirect/302", query={"to": "http://%s:%d/bytes/100" % (host2, port2)})
            body = await r.read()
            return body, await (await c.request("GET", "/hello")).read()

        got = await asyncio.gather(reader(), other())
        await c.close()
        return got

    body, (other, hello) = asyncio.run(main())
    assert body == b"".join(b"chunk %d;" % i for i in range(15)), body
    assert other == bytes(range(100)) and hello == b"hello world", (other, hello)
