"""Redirects through the three I/O layers (one scenario, three pumps), against the real aiohttp server
(/redirect/{code}?to=..., /redirect-chain/{n}), a second origin on another port (MHC_HTTP2) and the raw
scripted server: the session decides (``Session.redirect``, the rules of ``urls``), each layer only
moves the request (poll: ``pollhop``)."""

import json

from check import server
from microhttpc.errors import TooManyRedirects
from pumps_http import expect, open_client, per_layer

# A pass that ran each MicroPython test with 1 to 8 KiB less heap found these failing 1 to 2 KiB under
# 128K (a CI run here is as close: a few hundred bytes of the package's growth would fail them)
MICROPYTHON_HEAPS = {
    "test_a_3xx_that_ends_its_connection_poll": "136K",  # (the second request's 2 KiB read)
    "test_https_hop_without_tls_settings_fails_the_request_aio": "136K",  # (the https hop's 3 KB SSL context)
}


def _http(layer, **kw):
    host, port = server("http")
    return open_client(layer, host, port, timeout=10, **kw)


def _header(d, name):
    return [v for k, v in d["headers"] if k.lower() == name.lower()]


def _chain_on_one_connection(layer):
    """Relative references, three hops, on the connection the chain began on; r.url and r.history
    say where it went; a 3xx without follow_redirects comes back as it is."""
    host, port = server("http")
    c = _http(layer, follow_redirects=5)
    try:
        peer = c.request("GET", "/peer").body
        r = c.request("GET", "/redirect-chain/3")
        assert r.status == 200 and json.loads(r.body)["path"] == "/redirect-chain/0", r
        assert [s for s, _ in r.raw.history] == [302, 302, 302], r.raw.history
        assert r.raw.url == "http://%s:%d/redirect-chain/0" % (host, port)
        assert c.request("GET", "/peer").body == peer  # the same TCP connection all along
        r = c.request("GET", "/redirect/302", query={"to": "/hello"}, follow_redirects=0)
        assert r.status == 302 and r.body == b"see elsewhere" and r.raw.history == []
    finally:
        c.close()


def _too_many(layer):
    c = _http(layer)
    try:
        exc = expect(TooManyRedirects, c.request, "GET", "/redirect-chain/5", follow_redirects=2)
        assert exc.response.status == 302
        # the two hops taken (it was [] on every layer: an outside hunt)
        assert [h[0] for h in exc.response.history] == [302, 302], exc.response.history
        assert c.request("GET", "/redirect-chain/2", follow_redirects=2).status == 200
    finally:
        c.close()


def _methods_and_bodies(layer):
    """303 (and 301/302 after a POST) become GET without a body; 307/308 keep the method and body."""
    c = _http(layer, follow_redirects=1)
    try:
        d = json.loads(c.request("POST", "/redirect/303", query={"to": "/echo"}, body=b"form=data",
                                 content_type="application/x-www-form-urlencoded").body)
        assert d["method"] == "GET" and d["body"] == "" and not _header(d, "Content-Type"), d
        d = json.loads(c.request("POST", "/redirect/307", query={"to": "/echo"}, body=b"keep me",
                                 content_type="text/plain").body)
        assert d["method"] == "POST" and d["body"] == "keep me" and _header(d, "Content-Type") == ["text/plain"]
    finally:
        c.close()


def _other_origin(layer):
    """Another origin gets a one-request connection of its own (Connection: close) without the
    credentials; the connection the chain began on is not disturbed."""
    host2, port2 = server("http2")
    c = _http(layer, follow_redirects=3)
    try:
        peer = c.request("GET", "/peer").body
        creds = {"Authorization": "Bearer secret", "X-Keep": "yes"}
        r = c.request("GET", "/redirect/302", query={"to": "http://%s:%d/echo" % (host2, port2)}, headers=creds)
        d = json.loads(r.body)
        assert _header(d, "Host") == ["%s:%d" % (host2, port2)] and _header(d, "Connection") == ["close"]
        assert not _header(d, "Authorization") and _header(d, "X-Keep") == ["yes"], d
        assert r.raw.url == "http://%s:%d/echo" % (host2, port2)
        # and back: a chain that leaves and returns to this origin
        back = "http://%s:%d/redirect/302?to=%s" % (host2, port2, "http://%s:%d/echo" % server("http"))
        d = json.loads(c.request("GET", "/redirect/302", query={"to": back}, headers=creds).body)
        assert _header(d, "Host") == ["%s:%d" % server("http")] and not _header(d, "Authorization"), d
        assert c.request("GET", "/peer").body == peer
    finally:
        c.close()


def _a_large_3xx_body_is_not_read_to_the_end(layer):
    """A 302 with 10,000 body bytes: over drain_limit (4096), its connection ends and the redirect
    goes on a new one."""
    c = open_client(layer, timeout=5, follow_redirects=1)
    try:
        r = c.request("GET", "/raw/redirect-big")
        assert r.status == 200 and r.body == b"ok" and [s for s, _ in r.raw.history] == [302], r
    finally:
        c.close()


def _a_3xx_that_ends_its_connection(layer):
    """A 302 with Connection: close, and a 302 whose body is over drain_limit followed by another
    same-origin 302: each next hop goes on a new connection (poll queued it on the closed one, which
    failed it or lost it without a callback)."""
    c = open_client(layer, timeout=5, follow_redirects=3)
    try:
        r = c.request("GET", "/raw/redirect-close")
        assert r.status == 200 and r.body == b"ok" and [s for s, _ in r.raw.history] == [302], r
    finally:
        c.close()
    c = open_client(layer, timeout=5, follow_redirects=3)
    try:
        r = c.request("GET", "/raw/redirect-big-then")
        assert r.status == 200 and r.body == b"ok" and [s for s, _ in r.raw.history] == [302, 302], r
    finally:
        c.close()


def _a_3xx_with_a_broken_body_is_followed(layer):
    """A 302 whose own body is broken (a bad chunk size, cut short by a close or a reset): it is
    dropped anyway, so the redirect goes on, on a new connection (poll failed the request with the
    body's ProtocolError or ConnectionLost; the other layers followed)."""
    for path in ("/raw/redirect-bad-chunk", "/raw/redirect-cut", "/raw/redirect-reset"):
        c = open_client(layer, timeout=5, follow_redirects=1)
        try:
            r = c.request("GET", path)
            assert r.status == 200 and r.body == b"ok" and [s for s, _ in r.raw.history] == [302], (path, r)
        finally:
            c.close()


per_layer(globals(), "chain_on_one_connection", _chain_on_one_connection)
per_layer(globals(), "a_3xx_with_a_broken_body_is_followed", _a_3xx_with_a_broken_body_is_followed)
per_layer(globals(), "a_3xx_that_ends_its_connection", _a_3xx_that_ends_its_connection)
per_layer(globals(), "too_many", _too_many)
per_layer(globals(), "methods_and_bodies", _methods_and_bodies)
per_layer(globals(), "other_origin", _other_origin)
per_layer(globals(), "a_large_3xx_body_is_not_read_to_the_end", _a_large_3xx_body_is_not_read_to_the_end)


def test_poll_close_ends_a_redirect_pending_on_another_origin():
    """Engine.close(conn) while the request's redirect waits on a connection to another origin (the
    raw server holds the answer): the request gets on_err(ConnectionLost), as one still on ``conn``
    does (it used to complete from the other connection), and no connection is left."""
    from microhttpc.errors import ConnectionLost
    from microhttpc.poll import Engine

    host, port = server("http")
    rh, rp = server("raw")
    e = Engine(timeout=10)
    out = []
    conn = e.connect(host, port, follow_redirects=2, on_close=lambda c, x: out.append(("close", x)))
    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/raw/stall-head" % (rh, rp)},
              on_complete=lambda r, ok: out.append(("complete", ok)), on_err=lambda x: out.append(("err", x)))
    e.run(until=lambda: len(e.connections) == 2, timeout=5)  # the hop's connection is up
    e.run(until=lambda: False, timeout=0.2)
    assert len(e.connections) == 2 and not out, (e.connections, out)
    e.close(conn)
    assert e.run(until=lambda: not e.connections and len(out) == 3, timeout=5), (e.connections, out)
    # the request's end before its connection's (on_close came first, and the request's end after it);
    # on_complete(302, False) after on_err: the 3xx's head had come
    assert out[0][0] == "err" and isinstance(out[0][1], ConnectionLost), out
    assert out[1:] == [("complete", False), ("close", None)], out


def test_poll_a_hop_that_fails_to_connect_completes_its_request():
    """A redirect whose next hop can't connect (nothing listens there): on_err(ConnectError), then
    on_complete(the 3xx, False), as every request whose head had come ends (it got on_err only; a
    Location refused before the hop got both: an outside parity hunt)."""
    from microhttpc.errors import ConnectError
    from microhttpc.poll import Engine

    host, port = server("http")
    ch, cp = server("closed")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(host, port, follow_redirects=2)
    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/x" % (ch, cp)},
              on_complete=lambda r, ok: out.append(("complete", r.status, ok)), on_err=lambda x: out.append(("err", x)))
    assert e.run(until=lambda: len(out) == 2, timeout=10), out
    assert out[0][0] == "err" and isinstance(out[0][1], ConnectError) and out[1] == ("complete", 302, False), out
    # A hop on the kept-alive connection that the server closed (sent again once, on a new connection,
    # closed again): the same (the resend dropped the 3xx: on_err only; an outside review)
    from microhttpc.errors import ConnectionLost

    rh, rp = server("raw")
    out = []
    c = e.connect(rh, rp, follow_redirects=2)
    t = e.request(c, "GET", "/raw/redirect-to-nothing", on_complete=lambda r, ok: out.append(("complete", r.status, ok)),
                  on_err=lambda x: out.append(("err", x)))
    assert e.run(until=lambda: len(out) == 2, timeout=10), out
    assert out[0][0] == "err" and isinstance(out[0][1], ConnectionLost) and out[1] == ("complete", 302, False), out
    assert t.response.status == 302
    e.close_all()
    e.run(timeout=2)


def test_poll_queued_request_behind_a_cut_3xx_body():
    """A same-origin 302 whose body the server cuts (3 of its 10 bytes, then the close) with a request
    queued behind it: the redirect goes on on a new connection, and so does the queued request (it
    failed with ConnectionLost, the connection reported an error and closed before the redirected
    request completed)."""
    from microhttpc.poll import Engine

    e = Engine(timeout=10)
    out = []
    h, p = server("raw")
    conn = e.connect(h, p, follow_redirects=2, on_close=lambda c, x: out.append(("close", x)),
                     on_err=lambda c, x: out.append(("conn-err", x)))
    for path in ("/raw/redirect-cut", "/raw/genuine"):
        e.request(conn, "GET", path, on_complete=lambda r, ok, path=path: out.append((path, r.status, r.body, ok)),
                  on_err=lambda x, path=path: out.append((path, "err", x)))
    assert e.run(until=lambda: len(out) >= 2, timeout=5), out
    out.sort(key=str)
    assert out == [("/raw/genuine", 200, b"genuine", True), ("/raw/redirect-cut", 200, b"ok", True)], out
    e.close(conn)
    assert e.run(timeout=5)


def _https_hop_without_tls_settings(layer):
    """A redirect to https:// for which no TLS context can be made (cadata that is no certificate):
    the request fails with TLSError, once (poll lost it: no on_err, no on_complete, until run() gave
    up), and the connection it came on carries the next request."""
    from microhttpc.errors import TLSError

    host, port = server("http")
    c = _http(layer, follow_redirects=3, cadata=b"not a certificate")
    try:
        expect(TLSError, c.request, "GET", "/redirect/302", query={"to": "https://%s:%d/x" % (host, port)})
        assert c.request("GET", "/hello").body == b"hello world"
    finally:
        c.close()


per_layer(globals(), "https_hop_without_tls_settings_fails_the_request", _https_hop_without_tls_settings)


def _deadline_takes_the_3xx_drain_in(layer):
    """deadline= bounds a redirect chain as a whole: the time spent draining a 3xx's dribbled body
    counts (the next hop got what was left before the drain: TimeoutError at 2.5 s for 1.5)."""
    from microhttpc.errors import TimeoutError
    from pumps_http import now

    c = open_client(layer, timeout=5, follow_redirects=3)
    try:
        t0 = now()
        e = expect(TimeoutError, c.request, "GET", "/raw/redirect-dribble", deadline=1.5)
        took = now() - t0
        assert 1.4 <= took < 2.2, (took, e)
    finally:
        c.close()


def _deadline_bounds_a_hops_connect(layer):
    """deadline= bounds the connect of a connection made for a redirect to another origin (it waited
    for the whole connect_timeout)."""
    from microhttpc.errors import TimeoutError
    from pumps_http import now

    host, port = server("full")  # a connect there never completes
    c = _http(layer, follow_redirects=3, connect_timeout=4)
    try:
        t0 = now()
        expect(TimeoutError, c.request, "GET", "/redirect/302", query={"to": "http://%s:%d/x" % (host, port)},
               deadline=1)
        took = now() - t0
        assert 0.9 <= took < 1.8, took
    finally:
        c.close()


per_layer(globals(), "deadline_takes_the_3xx_drain_in", _deadline_takes_the_3xx_drain_in)
per_layer(globals(), "deadline_bounds_a_hops_connect", _deadline_bounds_a_hops_connect)


def _unframed_3xx_body_is_drained_within_drain_timeout(layer):
    """A 3xx whose body ends only with a connection the server keeps open: drained for drain_timeout,
    then the redirect goes on a new connection, on every layer (poll waited for its body until
    ``timeout``, then failed the request)."""
    from pumps_http import now

    c = open_client(layer, timeout=5, follow_redirects=3, drain_timeout=0.5)
    try:
        t0 = now()
        r = c.request("GET", "/raw/redirect-unframed")
        took = now() - t0
        assert r.status == 200 and r.body == b"ok", r
        assert 0.4 <= took < 2.5, took
    finally:
        c.close()


per_layer(globals(), "unframed_3xx_body_is_drained_within_drain_timeout",
          _unframed_3xx_body_is_drained_within_drain_timeout)


def _a_location_that_cannot_be_followed(layer):
    """A Location the client can't follow (another scheme, a bad port) is the server's error: a
    ProtocolError (it was a UsageError, the caller's class), and the connection carries on."""
    from microhttpc.errors import ProtocolError

    c = _http(layer, follow_redirects=3)
    try:
        for to in ("ftp://127.0.0.1/x", "http://127.0.0.1:99999/x"):
            expect(ProtocolError, c.request, "GET", "/redirect/302", query={"to": to})
        assert c.request("GET", "/hello").body == b"hello world"
    finally:
        c.close()


per_layer(globals(), "a_location_that_cannot_be_followed", _a_location_that_cannot_be_followed)


def _an_unfollowable_location_with_a_dribbled_body(layer):
    """A Location the client can't follow, whose 3xx body comes a byte every 0.1 s: the ProtocolError
    once drain_timeout (0.5 s) has passed, on every layer (poll gave it at the body's end, 5 s)."""
    from microhttpc.errors import ProtocolError
    from pumps_http import now

    c = open_client(layer, timeout=5, follow_redirects=3, drain_timeout=0.5)
    try:
        t0 = now()
        expect(ProtocolError, c.request, "GET", "/raw/redirect-dribble-ws")
        took = now() - t0
        assert 0.4 <= took < 2.5, took
    finally:
        c.close()


per_layer(globals(), "an_unfollowable_location_with_a_dribbled_body", _an_unfollowable_location_with_a_dribbled_body)


def _a_location_to_a_name_with_no_idna_form(layer):
    """A Location whose host has no IDNA form ("a..\xe9x"): ConnectError (cannot resolve) on both
    runtimes, as MicroPython's resolver says; CPython raised UsageError, the caller's class."""
    from microhttpc.errors import ConnectError

    c = open_client(layer, timeout=5, follow_redirects=3)
    try:
        expect(ConnectError, c.request, "GET", "/raw/redirect-idna")
        assert c.request("GET", "/raw/genuine").status == 200
    finally:
        c.close()


per_layer(globals(), "a_location_to_a_name_with_no_idna_form", _a_location_to_a_name_with_no_idna_form)
