"""The shortcuts users know from requests/httpx: json= and auth= on every layer, raise_for_status(),
iter_lines() (blocking and aio), and the one-call functions (microhttpc.get ..., aio.get ...) with
their per-origin keep-alive connections."""

import json

import microhttpc
from microhttpc import Connection, errors
from check import server, url

BASIC = "Basic dXNlcjpww6Fz"  # base64 of "user:pás" in UTF-8


def _hdr(echo, name):
    for k, v in echo["headers"]:
        if k.lower() == name:
            return v
    return None


def test_json_and_auth_blocking():
    host, port = server("http")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("POST", "/echo", json={"a": [1, 2], "b": "x"}, auth=("user", "pás"))
        e = r.json()
        assert e["body"] == '{"a":[1,2],"b":"x"}' or json.loads(e["body"]) == {"a": [1, 2], "b": "x"}, e["body"]
        assert " " not in e["body"]  # compact
        assert _hdr(e, "content-type") == "application/json"
        assert _hdr(e, "authorization") == BASIC
        # the caller's Content-Type wins, from content_type= or from the headers
        e = conn.request("PUT", "/echo", json=[1], content_type="application/vnd.x+json").json()
        assert _hdr(e, "content-type") == "application/vnd.x+json" and e["body"] == "[1]"
        e = conn.request("PUT", "/echo", json=None, body="raw").json()
        assert e["body"] == "raw" and _hdr(e, "authorization") is None
        e = conn.request("PATCH", "/echo", json="s", headers={"Content-Type": "text/x-json"}).json()
        assert [k for k, _ in e["headers"] if k.lower() == "content-type"] == ["Content-Type"]
        assert _hdr(e, "content-type") == "text/x-json" and e["body"] == '"s"'
        try:
            conn.request("POST", "/echo", json={}, body=b"x")
            raise AssertionError("json= and body= together were accepted")
        except errors.UsageError:
            pass
    finally:
        conn.close()


def test_auth_dropped_on_cross_origin_redirect():
    host, port = server("http")
    conn = Connection(host, port, timeout=10, follow_redirects=3)
    try:
        same = "/redirect/302?to=/echo"
        e = conn.request("GET", same, auth=("user", "pás")).json()
        assert _hdr(e, "authorization") == BASIC  # same origin: kept
        other = "/redirect/302?to=" + url("http", "http", "/echo").replace("127.0.0.1", "localhost")
        r = conn.request("GET", other, auth=("user", "pás"))
        e = r.json()
        assert r.history and _hdr(e, "authorization") is None, e["headers"]
    finally:
        conn.close()


def test_raise_for_status_every_layer():
    host, port = server("http")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/hello")
        assert r.raise_for_status() is r and r.read() == b"hello world"
        for code in (404, 500):
            r = conn.request("GET", "/status/%d" % code)
            try:
                r.raise_for_status()
                raise AssertionError("no error for %d" % code)
            except errors.HTTPStatusError as e:
                assert e.response is r and str(code) in str(e) and not isinstance(e, errors.ProtocolError)
            assert r.read() == b"status %d" % code  # the body is still there
        assert conn.request("GET", "/redirect/302?to=/hello").raise_for_status().status == 302
    finally:
        conn.close()

    from microhttpc.poll import Engine

    eng = Engine(timeout=10)
    got = []
    c = eng.connect(host, port)
    eng.request(c, "POST", "/status/418", json={"k": 1}, auth=("user", "pás"),
                on_complete=lambda r, ok: got.append(r))
    eng.request(c, "POST", "/echo", json={"k": 1}, auth=("user", "pás"), on_complete=lambda r, ok: got.append(r))
    assert eng.run(until=lambda: len(got) == 2, timeout=10)
    try:
        got[0].raise_for_status()
        raise AssertionError("no error for 418")
    except errors.HTTPStatusError as e:
        assert e.response.status == 418
    e = got[1].raise_for_status().json()
    # poll: the collected body, one line (after json(), a whole read: handed out again, as on every layer)
    assert list(got[1].iter_lines()) == [got[1].body]
    assert e["body"] == '{"k":1}' and _hdr(e, "authorization") == BASIC
    assert _hdr(e, "content-type") == "application/json"
    eng.close(c)
    eng.run(timeout=2)


def test_iter_lines_blocking():
    host, port = server("raw")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/raw/lines")
        assert list(r.iter_lines()) == [b"alpha", b"beta", b"", b"gamma"]
        r = conn.request("GET", "/raw/lines")
        r.read()  # a body read whole is split from memory
        assert list(r.iter_lines()) == [b"alpha", b"beta", b"", b"gamma"]
        r = conn.request("GET", "/raw/long-line")
        it = r.iter_lines(max_line=100)
        assert next(it) == b"short"
        try:
            next(it)
            raise AssertionError("a 300-byte line passed max_line=100")
        except errors.LimitExceeded as e:
            assert e.limit == "max_line" and e.value == 100 and e.size > 100
        r = conn.request("GET", "/raw/long-line")
        assert [len(x) for x in r.iter_lines(max_line=300)] == [5, 300]
    finally:
        conn.close()


def test_iter_lines_and_json_aio():
    import asyncio
    from microhttpc import aio

    async def main():
        host, port = server("raw")
        conn = aio.Connection(host, port, timeout=10)
        r = await conn.request("GET", "/raw/lines")
        lines = []
        async for line in r.iter_lines():
            lines.append(line)
        r = await conn.request("GET", "/raw/long-line")
        err = None
        try:
            async for line in r.iter_lines(max_line=100):
                lines.append(line)
        except errors.LimitExceeded as e:
            err = e
        await conn.close()
        h, p = server("http")
        conn = aio.Connection(h, p, timeout=10)
        r = await conn.request("POST", "/echo", json=[1, {"z": None}], auth=("user", "pás"))
        e = await r.json()
        r2 = await conn.request("GET", "/status/503")
        await r2.read()
        await conn.close()
        return lines, err, e, r2

    lines, err, e, r2 = asyncio.run(main())
    assert lines == [b"alpha", b"beta", b"", b"gamma", b"short"], lines
    assert err is not None and (err.limit, err.value) == ("max_line", 100)
    assert e["body"] == '[1,{"z":null}]' and _hdr(e, "authorization") == BASIC
    assert _hdr(e, "content-type") == "application/json"
    try:
        r2.raise_for_status()
        raise AssertionError("no error for 503")
    except errors.HTTPStatusError as x:
        assert x.response is r2


def test_one_call_functions_blocking():
    from microhttpc import api

    try:
        r = microhttpc.get(url("http", "http", "/echo"), query={"q": "1 2"})
        e = r.json()  # the body was read before the call returned
        assert r.status == 200 and e["method"] == "GET" and e["query"] == [["q", "1 2"]]
        assert len(api._POOL) == 1
        conn = list(api._POOL.values())[0]
        peer = microhttpc.get(url("http", "http", "/peer")).text()
        assert microhttpc.get(url("http", "http", "/peer")).text() == peer  # the same keep-alive connection
        assert list(api._POOL.values())[0] is conn
        e = microhttpc.post(url("http", "http", "/echo"), json={"a": 1}, auth=("user", "pás")).json()
        assert e["method"] == "POST" and e["body"] == '{"a":1}' and _hdr(e, "authorization") == BASIC
        assert microhttpc.put(url("http", "http", "/echo"), body="p").json()["method"] == "PUT"
        assert microhttpc.patch(url("http", "http", "/echo")).json()["method"] == "PATCH"
        assert microhttpc.delete(url("http", "http", "/echo")).json()["method"] == "DELETE"
        r = microhttpc.head(url("http", "http", "/hello"))
        assert r.status == 200 and r.read() == b""
        assert api.request("OPTIONS", url("http", "http", "/echo")).json()["method"] == "OPTIONS"
        # redirects are followed by default, not with follow_redirects=0
        r = microhttpc.get(url("http", "http", "/redirect-chain/3"))
        assert r.status == 200 and len(r.history) == 3
        assert microhttpc.get(url("http", "http", "/redirect/302?to=/hello"), follow_redirects=0).status == 302
        # (None is the default, as for a request's own follow_redirects=: it returned the 302 unfollowed)
        assert microhttpc.get(url("http", "http", "/redirect/302?to=/hello"), follow_redirects=None).status == 200
        r = microhttpc.get(url("http", "http", "/status/404"))
        assert r.status == 404 and r.text() == "status 404"
        try:
            r.raise_for_status()
            raise AssertionError("no error for 404")
        except errors.HTTPStatusError:
            pass
        # a connection the server closed is replaced on the next call
        assert microhttpc.get(url("http", "http", "/close")).text() == "closing"
        assert microhttpc.get(url("http", "http", "/hello")).text() == "hello world"
        # another origin: its own connection
        assert microhttpc.get(url("http", "raw", "/raw/genuine")).read() == b"genuine"
        assert len(api._POOL) == 2
        try:
            microhttpc.get("ws://example.com/")
            raise AssertionError("a ws:// URL was accepted")
        except errors.UsageError:
            pass
        host, port = server("closed")
        try:
            microhttpc.get("http://%s:%d/" % (host, port), connect_timeout=2)
            raise AssertionError("connected to a closed port")
        except OSError as x:
            assert isinstance(x, errors.ConnectError)
    finally:
        microhttpc.close_all()
    assert not api._POOL and not conn.is_open


def test_one_call_functions_aio():
    import asyncio
    from microhttpc import aio, aioapi

    async def main():
        try:
            e = await (await aio.get(url("http", "http", "/echo"), query={"x": 1})).json()
            body = await (await aio.post(url("http", "http", "/echo"), json=[True], auth=("user", "pás"))).json()
            p1 = await (await aio.get(url("http", "http", "/peer"))).text()
            p2 = await (await aio.get(url("http", "http", "/peer"))).text()
            r = await aio.request("DELETE", url("http", "http", "/echo"))
            m = (await r.json())["method"]
            r = await aio.get(url("http", "http", "/redirect-chain/2"))
            hist = len(r.history)
            r = await aio.get(url("http", "http", "/redirect-chain/2"), follow_redirects=None)  # (as above)
            hist += len(r.history)
            h = await aio.head(url("http", "http", "/hello"))
            n = len(await aioapi._pool())
        finally:
            await aio.close_all()
        left = len(await aioapi._pool())
        return e, body, p1, p2, m, hist, h.status, n, left

    e, body, p1, p2, m, hist, hs, n, left = asyncio.run(main())
    assert e["method"] == "GET" and e["query"] == [["x", "1"]]
    assert body["body"] == "[true]" and _hdr(body, "authorization") == BASIC
    assert p1 == p2 and m == "DELETE" and hist == 4 and hs == 200 and n == 1 and left == 0
    # a new event loop: the pool of the old one is dropped, a new connection made
    assert asyncio.run(aio.get(url("http", "http", "/hello"))).status == 200
    asyncio.run(aio.close_all())

