"""Unusual but valid responses from the raw scripted server (MHC_RAW) that HTTPc rejects and this
client must accept; a stale keep-alive connection; connect and resolution failures."""

import microhttpc
from microhttpc.errors import ConnectError, TimeoutError
from check import raises, server


def conn(**kw):
    host, port = server("raw")
    kw.setdefault("timeout", 5)
    return microhttpc.Connection(host, port, **kw)


def test_http10_and_read_until_close():
    c = conn()
    r = c.request("GET", "/raw/http10")
    assert r.version == "HTTP/1.0" and r.content_length is None and r.read() == b"old style body"
    assert not c.is_open  # HTTP/1.0 without keep-alive: closed after the body
    r = c.request("GET", "/raw/until-close")
    assert r.version == "HTTP/1.1" and r.read() == b"body until close" and not c.is_open
    c.close()


def test_chunk_extensions_and_trailers():
    c = conn()
    r = c.request("GET", "/raw/chunk-ext")
    assert r.read() == b"hello world"
    assert r.trailers["x-trailer"] == "done" and r.trailers.get("X-OTHER") == "2"
    assert c.is_open  # and the connection is reusable after the trailers
    assert c.request("GET", "/raw/chunk-ext").read() == b"hello world"
    c.close()


def test_reason_phrase_as_sent_and_empty():
    c = conn()
    r = c.request("GET", "/raw/reason")
    assert r.status == 299 and r.reason == "Custom Reason  Phrase" and r.read() == b""
    r = c.request("GET", "/raw/no-reason")
    assert r.status == 200 and r.reason == "" and r.read() == b"ok"
    c.close()


def test_interim_responses_skipped():
    c = conn()
    r = c.request("GET", "/raw/interim")
    assert r.status == 200 and r.read() == b"final"
    c.close()


def test_no_body_for_204_304_even_with_content_length():
    c = conn()
    r = c.request("GET", "/raw/204")
    assert r.status == 204 and r.complete and r.read() == b""
    r = c.request("GET", "/raw/304")  # Content-Length 50 describes the resource, not this message
    assert r.status == 304 and r.headers["etag"] == '"x"' and r.read() == b""
    assert c.request("GET", "/raw/204").status == 204  # framing intact on the same connection
    c.close()


def test_folded_and_multi_token_headers():
    c = conn()
    r = c.request("GET", "/raw/fold")
    assert r.headers["x-folded"] == "first second"
    r = c.request("GET", "/raw/multi-connection")
    assert r.read() == b"k" and c.is_open  # "keep-alive, X-Other" is not an error
    c.close()


def test_transfer_encoding_wins_over_content_length_then_close():
    c = conn()
    r = c.request("GET", "/raw/te-and-cl")
    assert r.read() == b"hello" and not c.is_open  # framed by chunked; not trusted for reuse
    c.close()


def test_connect_timeout_and_refused():
    host, port = server("full")  # a listener whose backlog is full: the handshake never completes
    c = microhttpc.Connection(host, port, connect_timeout=0.3)
    exc = raises(TimeoutError, c.open)
    assert "connect" in str(exc)
    host, port = server("closed")  # nothing listens there
    raises(ConnectError, microhttpc.Connection(host, port, connect_timeout=2).open)


def test_unresolvable_name():
    exc = raises(ConnectError, microhttpc.Connection("no-such-host.invalid", 80, connect_timeout=5).open)
    assert "no-such-host.invalid" in str(exc)
