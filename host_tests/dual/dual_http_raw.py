"""Malformed and hostile responses from the raw scripted server (tools/servers.py RAW, MHC_RAW): each
gives a specific error, never a hang and never an allocation sized by the peer."""

import microhttpc
from microhttpc.errors import ConnectionLost, LimitExceeded, ProtocolError, TimeoutError
from check import raises, server


def conn(**kw):
    host, port = server("raw")
    kw.setdefault("timeout", 5)
    return microhttpc.Connection(host, port, **kw)


def get(path, c=None, **kw):
    """The whole response to GET ``path`` (the body read too), on ``c`` or a fresh connection.  A
    connection that failed reopens by itself on its next request, so tests reuse one: each new
    Connection costs a receive buffer, and a board's heap is small."""
    own = c is None
    if own:
        c = conn(**kw)
    try:
        r = c.request("GET", path)
        return r, r.read()
    finally:
        if own:
            c.close()


def test_line_too_long():
    raises(LimitExceeded, get, "/raw/long-status")
    raises(LimitExceeded, get, "/raw/long-header")
    # the limits are the caller's: a larger line limit accepts the long header
    r, _ = get("/raw/long-header", max_line=6000, max_header_bytes=9000)
    assert len(r.headers["x-long"]) == 5000


def test_header_count_and_block_size():
    c = conn()
    exc = raises(LimitExceeded, get, "/raw/many-headers", c)
    assert "40" in str(exc)
    raises(LimitExceeded, get, "/raw/big-headers", c)  # 9 lines of 1 KB: over max_header_bytes=8192
    c.close()
    r, _ = get("/raw/many-headers", max_headers=60)
    assert len(r.headers) == 60


def test_header_block_limit_is_the_callers():
    raises(LimitExceeded, get, "/raw/big-headers", max_header_bytes=4000)
    r, _ = get("/raw/big-headers", max_header_bytes=10000)
    assert len(r.headers) == 9 and len(r.headers["x-b8"]) == 1000


def test_malformed_heads():
    c = conn()
    for path in ("/raw/bad-status", "/raw/bad-version", "/raw/garbage", "/raw/bad-header",
                 "/raw/bad-header-name", "/raw/bad-cl", "/raw/conflict-cl"):
        exc = raises(ProtocolError, get, path, c)
        assert not isinstance(exc, LimitExceeded), path
    c.close()


def test_malformed_chunked_bodies():
    c = conn()
    raises(ProtocolError, get, "/raw/bad-chunk", c)
    raises(ProtocolError, get, "/raw/chunk-no-crlf", c)
    raises(LimitExceeded, get, "/raw/long-chunk-line", c)
    c.close()
    r, body = get("/raw/long-chunk-line", max_chunk_line=2000)
    assert body == b"hello"


def test_huge_declared_sizes_allocate_nothing():
    # Content-Length of ~1 PB: refused by the whole-body limit before a byte is read
    c = conn()
    r = c.request("GET", "/raw/huge-cl")
    assert r.content_length == 999999999999999
    raises(LimitExceeded, r.read)
    c.close()
    # a chunk of ~4.5e15 bytes: streamed in the pieces that really arrive, bounded by max_body
    c = conn(max_body=2000)
    r = c.request("GET", "/raw/huge-chunk")
    raises(LimitExceeded, r.read)
    c.close()
    c = conn()
    r = c.request("GET", "/raw/huge-chunk")
    total = 0
    for piece in r.iter_chunks():  # the server sends 3000 bytes and closes: the stream ends as lost
        total += len(piece)
        if total >= 3000:
            break
    assert total == 3000
    c.close()


def test_truncated_bodies_are_connection_lost():
    c = conn()
    raises(ConnectionLost, get, "/raw/short-body", c)
    raises(ConnectionLost, get, "/raw/short-chunked", c)
    exc = raises(ConnectionLost, get, "/raw/empty-close", c)
    c.close()
    assert "before a response" in str(exc)


def test_silent_server_times_out():
    c = conn(timeout=0.3)
    for path in ("/raw/silent", "/raw/stall-head"):
        exc = raises(TimeoutError, get, path, c)
        assert "0.3" in str(exc)
    r = c.request("GET", "/raw/stall-body")  # the head arrives, the body stops
    assert r.status == 200 and r.read(3) == b"abc"
    raises(TimeoutError, r.read)
    assert not c.is_open  # a timed-out connection is not reused
    r = c.request("GET", "/raw/stall-chunked")
    raises(TimeoutError, r.read)
    c.close()


def test_connection_usable_after_errors():
    c = conn()
    raises(ProtocolError, c.request, "GET", "/raw/bad-status")
    assert not c.is_open
    r = c.request("GET", "/raw/204")  # reopened on demand
    assert r.status == 204
    c.close()
