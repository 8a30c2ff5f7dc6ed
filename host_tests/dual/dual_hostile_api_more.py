"""More of what a careless application or a hostile server found in the public API, each on both runtimes:

- a redirect to ws:// or wss:// was followed as plain HTTP, Authorization kept (every layer), and a
  Location with a control character was the caller's UsageError, raised as the next hop's head was
  built (poll: on_err without the on_complete(resp, False) its 3xx head had earned).  Both are the
  server's fault now, a ProtocolError, decided with the redirect on every layer;
- the one-call API raised a bare TypeError for a TLS setting that can't be a pool key (cadata=["x"],
  ssl_context=[], verify=[]; cadata=bytearray(...) too, which a Connection takes);
- query= and form= values True/False went out as "True"/"False" on CPython and were refused with a
  misleading message on MicroPython;
- poll.reconnect took on_open=5 (TypeError at each open, retried forever) and, for a bad upgrade
  keyword, raised but left the connection it had made in the engine (run() never returned);
- auth= with an Authorization header sent two Authorization fields (auth= wins now, as in requests);
- Engine.connect(buffer_size=N) raised a bare TypeError (the Engine's connections share its buffer);
- the blocking request() refused a ready Request, which the other layers' take.
"""

import json

from check import raises, server, tls_ca
from pumps_http import expect, open_client, per_layer


def _http(layer, **kw):
    host, port = server("http")
    return open_client(layer, host, port, timeout=10, **kw)


def _location_that_is_not_http(layer):
    from microhttpc.errors import ProtocolError

    host, port = server("http")
    c = _http(layer, follow_redirects=3)
    try:
        for to in ("ws://%s:%d/echo" % (host, port), "WSS://%s:%d/echo" % (host, port), "/fi\tnal"):
            e = expect(ProtocolError, c.request, "GET", "/redirect/302", query={"to": to}, auth=("u", "p"))
            assert "can't be followed" in str(e), e
        assert c.request("GET", "/hello").body == b"hello world"  # the connection carries on
    finally:
        c.close()


per_layer(globals(), "location_that_is_not_http", _location_that_is_not_http)


def test_poll_location_with_a_control_character_completes_after_on_err():
    from microhttpc.errors import ProtocolError
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    c = e.connect(h, p, follow_redirects=3)
    log = []
    e.request(c, "GET", "/redirect/302", query={"to": "/fi\tnal"}, on_err=log.append,
              on_complete=lambda r, ok: log.append((r.status, ok)))
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: log.append((r.body, ok)))
    assert e.run(until=lambda: len(log) == 3, timeout=5), log
    assert isinstance(log[0], ProtocolError) and log[1:] == [(302, False), (b"hello world", True)], log
    e.close_all()
    assert e.run(timeout=5)


def _tls_settings_of_a_wrong_type(get, pool):
    from microhttpc.errors import UsageError

    h, p = server("http")
    url = "https://%s:%d/" % (h, p)  # (never reached: refused before a connection is made)
    n = len(pool)
    for kw in ({"cadata": ["x"]}, {"ssl_context": []}, {"verify": []}, {"cadata": {"a": 1}}):
        e = raises(UsageError, get, url, **kw)
        assert "cadata" in str(e), e
        assert len(pool) == n, pool  # nothing made, nothing kept


def test_one_call_tls_settings_of_a_wrong_type_are_usage_errors():
    import microhttpc
    from microhttpc import api

    h, p = server("http")
    try:
        _tls_settings_of_a_wrong_type(microhttpc.get, api._POOL)  # an empty pool
        assert microhttpc.get("http://%s:%d/hello" % (h, p)).read() == b"hello world"
        _tls_settings_of_a_wrong_type(microhttpc.get, api._POOL)  # a pool in use
    finally:
        microhttpc.close_all()


def test_aio_one_call_tls_settings_of_a_wrong_type_are_usage_errors():
    import asyncio

    from microhttpc import aio, aioapi

    h, p = server("http")

    async def main():
        try:
            assert (await aio.get("http://%s:%d/hello" % (h, p))).status == 200
            from microhttpc.errors import UsageError

            # (a pool in use: a bare TypeError as the key was looked up)
            for kw in ({"cadata": ["x"]}, {"ssl_context": []}, {"verify": []}):
                try:
                    await aio.get("https://%s:%d/" % (h, p), **kw)
                except UsageError as e:
                    assert "cadata" in str(e), e
                else:
                    raise AssertionError("no UsageError for %r" % (kw,))
            assert len(await aioapi._pool()) == 1
        finally:
            await aio.close_all()

    asyncio.run(main())


def test_one_call_takes_cadata_as_a_bytearray():
    # (As a Connection does; the one-call pool's key held the bytearray: TypeError after the request.)
    import microhttpc

    h, p = server("tls")
    try:
        r = microhttpc.get("https://%s:%d/hello" % (h, p), cadata=bytearray(tls_ca()), timeout=10)
        assert (r.status, r.read()) == (200, b"hello world")
    finally:
        microhttpc.close_all()


def test_a_bool_in_a_query_or_form_is_a_usage_error():
    from microhttpc.client import Connection
    from microhttpc.errors import UsageError

    h, p = server("http")
    c = Connection(h, p, timeout=10)
    try:
        for kw in ({"query": {"flag": True}}, {"query": {"tag": ["a", False]}}, {"query": [(True, "x")]},
                   {"form": {"flag": False}}, {"form": {"flag": True}, "multipart": True}):
            e = raises(UsageError, c.request, "POST", "/echo", **kw)
            assert "query or form" in str(e) and "bool" in str(e), (kw, e)
        d = c.request("POST", "/echo", query={"n": 1}, form={"flag": "true"}).json()
        assert d["raw_path"] == "/echo?n=1" and d["body"] == "flag=true", d
    finally:
        c.close()


def test_engine_connect_refuses_a_buffer_size():
    # The Engine's connections share its one receive buffer (Engine(buffer_size=)): a buffer_size of
    # connect() was a bare TypeError (passed twice to the session), now UsageError, as any keyword of
    # connect() it does not take; None (the default, as on Connection) is taken.
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    for kw in ({"buffer_size": 2048}, {"buffer_size": "x"}, {"bufer_size": 1}):
        exc = raises(UsageError, e.connect, h, p, **kw)
        assert list(kw)[0] in str(exc), (kw, exc)
        assert not e.connections, (kw, e.connections)
    c = e.connect(h, p, buffer_size=None)
    got = []
    e.request(c, "GET", "/hello", on_complete=lambda resp, ok: got.append((resp.status, resp.body, ok)))
    e.run(until=lambda: got, timeout=5)
    assert got == [(200, b"hello world", True)], got
    e.close_all()


def test_blocking_request_takes_a_ready_request():
    # aio's request() and Engine.request take a ready Request; the blocking one said "the method and
    # the target are str" (an outside parity hunt): it sends it as it is, as send() does.
    from microhttpc import Connection
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    h, p = server("http")
    c = Connection(h, p, timeout=5)
    try:
        r = c.request(Request("POST", "/echo", body=b"ready", headers={"X-R": "1"}))
        d = r.json()
        assert (r.status, d["method"], d["body"]) == (200, "POST", "ready"), d
        assert ["X-R", "1"] in d["headers"] or ("X-R", "1") in d["headers"], d["headers"]
        # with anything else given besides it: UsageError, as poll's said (it was dropped unseen), and the
        # connection goes on
        for kw in ({"target": "/x"}, {"headers": {"A": "b"}}, {"body": b"x"}, {"query": {"q": 1}}):
            raises(UsageError, c.request, Request("GET", "/hello"), **kw)
        assert c.request("GET", "/hello").read() == b"hello world"
    finally:
        c.close()


def test_aio_request_with_a_ready_request_takes_nothing_else():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    async def main():
        h, p = server("http")
        c = await aio.Connection.open(h, p, timeout=5)
        try:
            for kw in ({"target": "/x"}, {"headers": {"A": "b"}}, {"body": b"x"}, {"query": {"q": 1}}):
                try:
                    await c.request(Request("GET", "/hello"), **kw)
                    raise AssertionError("taken: %r" % (kw,))
                except UsageError:
                    pass
            return await (await c.request(Request("GET", "/hello"))).read()
        finally:
            await c.close()

    assert asyncio.run(main()) == b"hello world"


def test_engine_request_with_a_ready_request_takes_nothing_else():
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine
    from microhttpc.request import Request

    h, p = server("http")
    e = Engine(timeout=5)
    c = e.connect(h, p)
    for kw in ({"target": "/x"}, {"headers": {"A": "b"}}, {"body": b"x"}, {"query": {"q": 1}}):
        raises(UsageError, e.request, c, Request("GET", "/hello"), **kw)
    # deadline= is a Request keyword: it was written into the ready Request (a later send of it on
    # another layer timed out by it), refused with it now, as on the other layers
    r = Request("GET", "/hello")
    raises(UsageError, e.request, c, r, deadline=0.5)
    assert r.deadline is None, r.deadline
    # user_data= and on_body= too, Request keywords on the other layers: poll took them beside a ready
    # Request, and its response's user_data was not the request's (an outside parity hunt)
    raises(UsageError, e.request, c, Request("GET", "/hello", user_data=7), user_data=5)
    raises(UsageError, e.request, c, r, on_body=print)
    got = []
    e.request(c, r, on_complete=lambda resp, ok: got.append((resp.body, ok)))
    e.request(c, Request("GET", "/hello", user_data=7), on_complete=lambda resp, ok: got.append(resp.user_data))
    e.request(c, "GET", "/hello", user_data=5, on_complete=lambda resp, ok: got.append(resp.user_data))
    e.run(until=lambda: len(got) == 3, timeout=5)
    assert got == [(b"hello world", True), 7, 5], got
    e.close_all()


def _echoed(layer, req):
    """The body the echo server got for ``req`` sent on ``layer`` (a ready Request)."""
    h, p = server("http")
    if layer == "blocking":
        from microhttpc import Connection

        c = Connection(h, p, timeout=5)
        try:
            return json.loads(c.request(req).read())["body"]
        finally:
            c.close()
    if layer == "aio":
        import asyncio

        from microhttpc import aio

        async def main():
            c = await aio.Connection.open(h, p, timeout=5)
            try:
                return json.loads(await (await c.request(req)).read())["body"]
            finally:
                await c.close()

        return asyncio.run(main())
    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    got = []
    try:
        e.request(e.connect(h, p), req, on_complete=lambda resp, ok: got.append(resp.body))
        e.run(until=lambda: got, timeout=5)
    finally:
        e.close_all()
    return json.loads(got[0])["body"]


def _an_iterator_body_is_sent_once(layer):
    # A ready Request whose body is read as it is sent (an iterator, a list of chunks, a form value
    # from an iterator), sent twice: the second went out with an empty body, silently (outside reviews).
    # UsageError now, before anything is sent; bytes are sent again as they are.
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    for body in ((c for c in (b"ab", b"cd")), [b"ab", b"cd"]):
        req = Request("POST", "/echo", body=body)
        assert _echoed(layer, req) == "abcd"
        raises(UsageError, _echoed, layer, req)
    req = Request("POST", "/echo", form=[("a", (c for c in (b"ab", b"cd")))], multipart=True)
    assert "abcd" in _echoed(layer, req)
    raises(UsageError, _echoed, layer, req)
    req = Request("POST", "/echo", body=b"abcd")
    assert _echoed(layer, req) == "abcd" and _echoed(layer, req) == "abcd"


per_layer(globals(), "an_iterator_body_is_sent_once", _an_iterator_body_is_sent_once)


def test_engine_a_ready_request_queued_twice():
    # Both queued before the first went out: the first read the iterator, the second went out with
    # an empty body (an outside review).  It fails alone now, with UsageError, at its turn.
    import json as _json

    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine
    from microhttpc.request import Request

    h, p = server("http")
    e = Engine(timeout=5)
    c = e.connect(h, p)
    req = Request("POST", "/echo", body=(b for b in (b"ab", b"cd")))
    got, errs = [], []
    for _ in range(2):
        e.request(c, req, on_complete=lambda resp, ok: got.append(_json.loads(resp.body)["body"]),
                  on_err=lambda exc: errs.append(type(exc)))
    e.run(until=lambda: len(got) + len(errs) == 2, timeout=5)
    assert got == ["abcd"] and errs == [UsageError], (got, errs)
    e.request(c, "GET", "/hello", on_complete=lambda resp, ok: got.append(resp.body))  # (it failed alone)
    e.run(until=lambda: len(got) == 2, timeout=5)
    assert got == ["abcd", b"hello world"], got
    e.close_all()


def test_aio_a_ready_request_sent_twice_at_once():
    # Two tasks, two connections, one Request with an iterator body: both passed the check before either
    # read a piece, and its pieces were shared out between them ("hello " and "world"), both 200 (a
    # review).  The second to read it gets UsageError at its first piece; the first sends it whole.
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    h, p = server("http")
    req = Request("POST", "/echo", body=iter([b"hello ", b"world"]))

    async def send():
        c = aio.Connection(h, p, timeout=5)  # (connected by the request, after its check)
        try:
            return json.loads(await (await c.request(req)).read())["body"]
        except UsageError as exc:
            return exc
        finally:
            await c.close()

    async def main():
        return await asyncio.gather(send(), send())

    got = asyncio.run(main())
    assert "hello world" in got and [type(x) for x in got if x != "hello world"] == [UsageError], got


def _authorization(echo):
    return [v for k, v in echo["headers"] if k.lower() == "authorization"]


def _auth_replaces_an_authorization_header(layer):
    c = _http(layer)
    try:
        for hdrs in ({"Authorization": "Bearer t0k"}, [("X-A", "1"), ("authorization", "Bearer t0k")]):
            d = json.loads(c.request("GET", "/echo", auth=("u", "p"), headers=hdrs).body)
            assert _authorization(d) == ["Basic dTpw"], d["headers"]
        d = json.loads(c.request("GET", "/echo", headers={"Authorization": "Bearer t0k"}).body)
        assert _authorization(d) == ["Bearer t0k"], d["headers"]  # (without auth=: theirs)
    finally:
        c.close()


per_layer(globals(), "auth_replaces_an_authorization_header", _auth_replaces_an_authorization_header)
