"""Malformed and hostile responses from the raw scripted server (tools/servers.py RAW, MHC_RAW), through
the three I/O layers: each gives a specific error, never a hang and never an allocation sized by the
peer.  (The scenarios of dual_http_raw.py, one scenario, three pumps.)"""

from microhttpc.errors import ConnectionLost, LimitExceeded, ProtocolError, TimeoutError, UsageError
from pumps_http import GENUINE, expect, get, open_client, per_layer


def _line_too_long(layer):
    expect(LimitExceeded, get, layer, "/raw/long-status")
    expect(LimitExceeded, get, layer, "/raw/long-header")
    # the limits are the caller's: a larger line limit accepts the long header
    r = get(layer, "/raw/long-header", max_line=6000, max_header_bytes=9000)
    assert len(r.header("x-long")) == 5000


def _header_count_and_block_size(layer):
    exc = expect(LimitExceeded, get, layer, "/raw/many-headers")
    assert "40" in str(exc), exc
    expect(LimitExceeded, get, layer, "/raw/big-headers")  # 9 lines of 1 KB: over max_header_bytes=8192
    r = get(layer, "/raw/many-headers", max_headers=60)
    assert len(r.headers) == 60


def _header_block_limit_is_the_callers(layer):
    expect(LimitExceeded, get, layer, "/raw/big-headers", max_header_bytes=4000)
    r = get(layer, "/raw/big-headers", max_header_bytes=10000)
    assert len(r.headers) == 9 and len(r.header("x-b8")) == 1000


def _malformed_heads(layer):
    for path in ("/raw/bad-status", "/raw/bad-version", "/raw/garbage", "/raw/bad-header",
                 "/raw/bad-header-name", "/raw/bad-cl", "/raw/conflict-cl"):
        exc = expect(ProtocolError, get, layer, path)
        assert not isinstance(exc, LimitExceeded), (path, exc)


def _malformed_chunked_bodies(layer):
    expect(ProtocolError, get, layer, "/raw/bad-chunk")
    expect(ProtocolError, get, layer, "/raw/chunk-no-crlf")
    expect(LimitExceeded, get, layer, "/raw/long-chunk-line")
    assert get(layer, "/raw/long-chunk-line", max_chunk_line=2000).body == b"hello"


def _huge_declared_sizes(layer):
    # Content-Length of ~1 PB: refused by the whole-body limit before a byte is read.  The body stays,
    # to stream (the message says so, dual_read_max_size); the next request does not wait for it: it
    # is over drain_limit, and the connection goes (poll: refused as the head came, its Conn ended)
    expect(LimitExceeded, get, layer, "/raw/huge-cl")
    c = open_client(layer, timeout=5)
    try:
        expect(LimitExceeded, c.request, "GET", "/raw/huge-cl")
        if layer == "poll":  # (its Conn ended with it)
            c.wait(0.05)
            assert not c.is_open()
        else:
            assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()
    # a chunk of ~4.5e15 bytes: collected only as far as it really arrives, bounded by max_body
    expect(LimitExceeded, get, layer, "/raw/huge-chunk", max_body=2000)


def _truncated_bodies(layer):
    expect(ConnectionLost, get, layer, "/raw/short-body")
    expect(ConnectionLost, get, layer, "/raw/short-chunked")
    exc = expect(ConnectionLost, get, layer, "/raw/empty-close")
    assert "before a response" in str(exc), exc


def _silent_server_times_out(layer):
    for path in ("/raw/silent", "/raw/stall-head", "/raw/stall-body", "/raw/stall-chunked"):
        exc = expect(TimeoutError, get, layer, path, timeout=0.3)
        assert "0.3" in str(exc), (path, exc)


def _usable_after_errors(layer):
    """Blocking and aio reopen a connection that failed on the next request; a poll Conn ends with its
    error (on_close) and refuses more requests."""
    c = open_client(layer, timeout=5)
    try:
        expect(ProtocolError, c.request, "GET", "/raw/bad-status")
        assert not c.is_open()
        if layer == "poll":
            assert len(c.closes) == 1 and isinstance(c.closes[0], ProtocolError), c.closes
            expect(UsageError, c.request, "GET", "/raw/204")
        else:
            assert c.request("GET", "/raw/204").status == 204  # reopened on demand
    finally:
        c.close()


per_layer(globals(), "line_too_long", _line_too_long)
per_layer(globals(), "header_count_and_block_size", _header_count_and_block_size)
per_layer(globals(), "header_block_limit_is_the_callers", _header_block_limit_is_the_callers)
per_layer(globals(), "malformed_heads", _malformed_heads)
per_layer(globals(), "malformed_chunked_bodies", _malformed_chunked_bodies)
per_layer(globals(), "huge_declared_sizes", _huge_declared_sizes)
per_layer(globals(), "truncated_bodies", _truncated_bodies)
per_layer(globals(), "silent_server_times_out", _silent_server_times_out)
per_layer(globals(), "usable_after_errors", _usable_after_errors)


def test_poll_a_cut_body_is_not_read_as_an_empty_one():
    """poll: a body the server cut short ends the request with on_err, then on_complete(resp, False);
    resp.read() (and text(), json()) raise ConnectionLost there, as read() does on the other layers
    after the cut (it gave b"" and text() "", a whole empty body to look at)."""
    from check import raises, server
    from microhttpc.poll import Engine

    for path in ("/raw/short-body", "/raw/short-chunked"):
        h, p = server("raw")
        e = Engine(timeout=5)
        conn = e.connect(h, p)
        got = []

        def done(resp, ok):
            got.append((ok, resp.complete, raises(ConnectionLost, resp.read), raises(ConnectionLost, resp.text),
                        raises(ConnectionLost, lambda: list(resp.iter_lines())),  # (iter_lines: none, no error)
                        raises(UsageError, lambda: list(resp.iter_lines(max_line=0)))))  # (checked first)

        e.request(conn, "GET", path, on_complete=done, on_err=lambda x: got.append(type(x).__name__))
        assert e.run(until=lambda: len(got) == 2, timeout=10), got
        assert got[0] == "ConnectionLost" and got[1][:2] == (False, True), (path, got)
        e.close(conn)
