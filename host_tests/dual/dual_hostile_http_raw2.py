"""Unusual but valid responses from the raw scripted server (MHC_RAW) that this client must accept, a
stale keep-alive connection, connect and resolution failures, through the three I/O layers.  (The
scenarios of dual_http_raw2.py, one scenario, three pumps.)"""

from microhttpc.errors import ConnectError, ConnectionLost, TimeoutError, UsageError
from check import server
from pumps_http import expect, get, open_client, per_layer, raw


def _gone(c):
    """After a response that ends its connection: closed (poll: once the engine saw it, on_close)."""
    if c.layer == "poll":
        c.wait(0.05)
        assert c.closes, "poll: no on_close"
    assert not c.is_open()


def _http10_and_read_until_close(layer):
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/http10")
        assert r.version == "HTTP/1.0" and r.header("content-length") is None and r.body == b"old style body"
        _gone(c)  # HTTP/1.0 without keep-alive: closed after the body
    finally:
        c.close()
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/until-close")
        assert r.version == "HTTP/1.1" and r.body == b"body until close"
        _gone(c)
    finally:
        c.close()


def _chunk_extensions_and_trailers(layer):
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/chunk-ext")
        assert r.body == b"hello world"
        t = {k.lower(): v for k, v in r.trailers}
        assert t["x-trailer"] == "done" and t["x-other"] == "2", r.trailers
        assert c.is_open()  # and the connection is reusable after the trailers
        assert c.request("GET", "/raw/chunk-ext").body == b"hello world"
    finally:
        c.close()


def _reason_phrase_as_sent_and_empty(layer):
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/reason")
        assert r.status == 299 and r.reason == "Custom Reason  Phrase" and r.body == b""
        r = c.request("GET", "/raw/no-reason")
        assert r.status == 200 and r.reason == "" and r.body == b"ok"
    finally:
        c.close()


def _interim_responses_skipped(layer):
    r = get(layer, "/raw/interim")
    assert r.status == 200 and r.body == b"final"


def _no_body_for_204_304_even_with_content_length(layer):
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/204")
        assert r.status == 204 and r.body == b""
        r = c.request("GET", "/raw/304")  # Content-Length 50 describes the resource, not this message
        assert r.status == 304 and r.header("etag") == '"x"' and r.body == b""
        assert c.request("GET", "/raw/204").status == 204  # framing intact on the same connection
        assert c.is_open()
    finally:
        c.close()


def _folded_and_multi_token_headers(layer):
    c = open_client(layer, timeout=5)
    try:
        assert c.request("GET", "/raw/fold").header("x-folded") == "first second"
        r = c.request("GET", "/raw/multi-connection")
        assert r.body == b"k" and c.is_open()  # "keep-alive, X-Other" is not an error
    finally:
        c.close()


def _transfer_encoding_wins_over_content_length_then_close(layer):
    c = open_client(layer, timeout=5)
    try:
        assert c.request("GET", "/raw/te-and-cl").body == b"hello"  # framed by chunked
        _gone(c)  # not trusted for reuse
    finally:
        c.close()


def _stale_keep_alive_connection(layer):
    """The server answers and closes at once.  Blocking and aio see the close before the next request
    goes out and send it on a new connection (even a POST: nothing went out on the closed one).  poll:
    the Conn sees the EOF from its engine loop, closes, and refuses the next request."""
    c = open_client(layer, timeout=5)
    try:
        assert c.request("GET", "/raw/chunk-ext").body == b"hello world"
        assert c.request("GET", "/raw/then-close").body == b"once"
        if layer == "poll":
            _gone(c)
            expect(UsageError, c.request, "GET", "/raw/reason")
            return
        c.wait(0.2)  # the server's close has arrived by now
        assert c.request("GET", "/raw/reason").status == 299
        assert c.request("GET", "/raw/then-close").body == b"once"
        c.wait(0.2)
        assert c.request("POST", "/raw/reason", body=b"x").status == 299
    finally:
        c.close()


def _closed_while_the_request_went_out(layer):
    """The server reads the next request on a kept-alive connection and closes without answering (it
    had closed it idle at the same moment): an idempotent request is sent again on a new connection, a
    POST is not (RFC 9110 section 9.2.2; RFC 9112 section 9.3.1).  (poll: the Conn reconnects.)"""
    c = open_client(layer, timeout=5)
    try:
        assert c.request("GET", "/raw/then-drop").body == b"once"
        assert c.request("GET", "/raw/reason").status == 299
        assert c.request("GET", "/raw/then-drop").body == b"once"
        # sent again with its query, given as an iterator (the resend went out without it: "/raw/target")
        assert c.request("GET", "/raw/target", query=iter([("q", "1")])).body == b"/raw/target?q=1"
        assert c.request("GET", "/raw/then-drop").body == b"once"
        expect(ConnectionLost, c.request, "POST", "/raw/reason", body=b"x")
    finally:
        c.close()


def _connect_timeout_and_refused(layer):
    from check import server

    host, port = server("full")  # a listener whose backlog is full: the handshake never completes
    c = open_client(layer, host, port, connect_timeout=0.3)
    try:
        exc = expect(TimeoutError, c.request, "GET", "/")
        assert "connect" in str(exc), exc
    finally:
        c.close()
    host, port = server("closed")  # nothing listens there
    c = open_client(layer, host, port, connect_timeout=2)
    try:
        expect(ConnectError, c.request, "GET", "/")
    finally:
        c.close()


def _status_outside_100_599_is_a_server_error(layer):
    """RFC 9110 section 15: a status outside 100-599 is invalid and processed as a 5xx: the response
    arrives as sent (its body framed as any final response's) and raise_for_status() raises."""
    from microhttpc.errors import HTTPStatusError

    c = open_client(layer, timeout=5)
    try:
        for path, status in (("/raw/status-000", 0), ("/raw/status-099", 99)):
            r = c.request("GET", path)
            assert r.status == status and r.body == b"ok", r
            expect(HTTPStatusError, r.raw.raise_for_status)
        assert c.request("GET", "/raw/no-reason").body == b"ok"  # and the connection goes on
    finally:
        c.close()


def _ports_outside_1_65535_are_refused(layer):
    """A port of 65536 + P used to reach port P (and CPython's asyncio raised OverflowError)."""
    host, port = raw()
    for bad in (port + 65536, -1, 70000, "80", 80.0):
        expect(UsageError, open_client, layer, host, bad, timeout=5)


def _a_name_idna_refuses_is_a_connect_error(layer):
    """CPython: an empty label or one over 63 characters fails in the IDNA codec (UnicodeError),
    before any resolver: ConnectError like any unresolvable name (aio said TLSError, poll let the
    UnicodeError out)."""
    for name in ("a..b.invalid", "a" * 64 + ".invalid"):
        c = open_client(layer, name, 80, connect_timeout=5)
        try:
            expect(ConnectError, c.request, "GET", "/")
        finally:
            c.close()


def _request_hooks_and_an_absolute_target(layer):
    """The Request's ``on_header`` gets every header of the response and ``on_body`` its body (aio
    ignored both, poll ``on_header``); an absolute URI of the connection's own origin is sent as its
    path (poll refused it)."""
    c = open_client(layer, timeout=5)
    try:
        hdrs, chunks = [], []
        r = c.request("GET", "/raw/chunk-ext", on_header=lambda k, v: hdrs.append((k.lower(), v)),
                      on_body=lambda b: chunks.append(bytes(b)))
        assert ("transfer-encoding", "chunked") in hdrs and len(hdrs) == len(r.headers), hdrs
        assert b"".join(chunks) == b"hello world" and not r.body, (chunks, r.body)
        host, port = raw()
        r = c.request("GET", "http://%s:%d/raw/no-reason" % (host, port))
        assert r.status == 200 and r.body == b"ok", r
    finally:
        c.close()


def _unresolvable_name(layer):
    c = open_client(layer, "no-such-host.invalid", 80, connect_timeout=5)
    try:
        exc = expect(ConnectError, c.request, "GET", "/")
        assert "no-such-host.invalid" in str(exc), exc
    finally:
        c.close()


per_layer(globals(), "http10_and_read_until_close", _http10_and_read_until_close)
per_layer(globals(), "chunk_extensions_and_trailers", _chunk_extensions_and_trailers)
per_layer(globals(), "reason_phrase_as_sent_and_empty", _reason_phrase_as_sent_and_empty)
per_layer(globals(), "interim_responses_skipped", _interim_responses_skipped)
per_layer(globals(), "no_body_for_204_304_even_with_content_length", _no_body_for_204_304_even_with_content_length)
per_layer(globals(), "folded_and_multi_token_headers", _folded_and_multi_token_headers)
per_layer(globals(), "transfer_encoding_wins_over_content_length_then_close",
          _transfer_encoding_wins_over_content_length_then_close)
per_layer(globals(), "stale_keep_alive_connection", _stale_keep_alive_connection)
per_layer(globals(), "closed_while_the_request_went_out", _closed_while_the_request_went_out)
per_layer(globals(), "connect_timeout_and_refused", _connect_timeout_and_refused)
per_layer(globals(), "unresolvable_name", _unresolvable_name)
per_layer(globals(), "request_hooks_and_an_absolute_target", _request_hooks_and_an_absolute_target)
per_layer(globals(), "status_outside_100_599_is_a_server_error", _status_outside_100_599_is_a_server_error)
per_layer(globals(), "ports_outside_1_65535_are_refused", _ports_outside_1_65535_are_refused)
per_layer(globals(), "a_name_idna_refuses_is_a_connect_error", _a_name_idna_refuses_is_a_connect_error)


def _plain_http_on_a_tls_connection(layer):
    """tls=True to a server that speaks plain HTTP: TLSError on every layer and runtime (MicroPython's
    mbedTLS reported it as an OSError with a negative code: ConnectionLost on poll and aio, which a
    reconnect loop retries forever)."""
    from check import server
    from microhttpc.errors import TLSError

    host, port = server("http")
    c = open_client(layer, host, port, tls=True, verify=False, connect_timeout=5, timeout=5)
    try:
        expect(TLSError, c.request, "GET", "/hello")
    finally:
        c.close()


per_layer(globals(), "plain_http_on_a_tls_connection", _plain_http_on_a_tls_connection)


def _upload(n):
    """A request body of ``n`` x 4 KiB in pieces of 1 KiB (an iterator: streamed, never whole in memory).
    (MicroPython at 128K: a 4 KiB piece, made as the upload started, sometimes found no hole that large
    left, and the MemoryError was the test's own.)"""
    piece = b"u" * 1024
    for _ in range(4 * n):
        yield piece


def _early_answer_to_an_upload(layer):
    """A server that answers (413) as soon as the head came and never reads the body (RFC 9112 section
    9.5), then closes (the next write meets a reset) or stops reading (the write times out): the answer
    is delivered, and the connection closes after it.  (Blocking and aio raised the write's
    ConnectionLost / TimeoutError; poll delivered it.)"""
    import sys

    bodies = [lambda: _upload(4096)]  # 16 MiB: more than the socket buffers take
    if sys.implementation.name != "micropython":  # (not in a board's heap: 8 MB at once)
        # A bytes body over 1 KiB goes out apart from the head: poll's check of what was unsent saw only
        # a streamed body's pieces, and the connection carried on, the rest of the body queued ahead of
        # the next request's head (which timed out).
        bodies.append(lambda: b"x" * 8000000)
    for path, body in [(p, b) for p in ("/raw/early-close", "/raw/early-hold", "/raw/early-keep") for b in bodies]:
        c = open_client(layer, timeout=1)
        try:
            r = c.request("POST", path, body=body())
            assert (r.status, r.body) == (413, b"too large"), (path, r.status, r.body)
            if layer == "poll":
                c.wait(0.05)
            assert not c.is_open(), path
            if layer != "poll":  # the next request gets a new connection (a poll Conn ends here)
                assert c.request("GET", "/raw/no-reason").body == b"ok"
        finally:
            c.close()


per_layer(globals(), "early_answer_to_an_upload", _early_answer_to_an_upload)


def _rest_of_a_partly_read_body(layer):
    """Part of a body read, then the next request on the same client: the rest (under drain_limit)
    is drained and kept for read(), also when that response ends its connection (Connection: close,
    or a body read until the close).  The drain reached the end, the connection closed, and the
    drained bytes went with it: read() gave b"" with no error.  (Blocking and aio: poll collects
    every body whole.)"""
    for path, body in (("/raw/close-50", bytes(range(65, 115))), ("/raw/until-close", b"body until close")):
        c = open_client(layer, timeout=5)
        try:
            r1 = c.request("GET", path, read=False)
            part = c.read_part(r1, 5)
            assert c.request("GET", "/raw/no-reason").body == b"ok"
            assert part + c.read(r1) == body, path
        finally:
            c.close()


for _layer in ("blocking", "aio"):
    globals()["test_rest_of_a_partly_read_body_" + _layer] = (lambda l: lambda: _rest_of_a_partly_read_body(l))(_layer)


def _a_slow_upload_is_not_a_silent_server(layer):
    """An upload that progresses all the time but takes longer than ``timeout`` (a server reading
    64 KiB every 10 ms), answered right after its last byte: 200 on every layer.  The response head's
    bound (``timeout`` as a whole) ran from the start of the request, so the upload's own time counted
    and it failed with "no response within" (and CPython's sendall bounded a whole bytes body by it)."""
    from pumps_http import MICROPYTHON, now

    # 16 MiB: longer than the timeout at that rate (at most 6.4 MB/s: 2.6 s); the timeout: longer than
    # what the socket buffers (up to 4 MiB on Linux) take to drain after the last write (0.65 s at that
    # rate, more on a loaded machine: with 1 s, and 8 MiB, the drain met the timeout's edge).
    size = 16 << 20
    for body in (_upload(size >> 12), None if MICROPYTHON else bytes(size)):  # (16 MiB: not in 128K)
        if body is None:
            continue
        c = open_client(layer, timeout=2.0)
        try:
            t0 = now()
            r = c.request("POST", "/raw/slow-read", body=body, content_length=size)
            assert (r.status, r.body) == (200, b"%d" % size), (r.status, r.body)
            assert now() - t0 > 2.0, now() - t0  # (the test's premise: longer than the timeout)
        finally:
            c.close()
        body = None


per_layer(globals(), "a_slow_upload_is_not_a_silent_server", _a_slow_upload_is_not_a_silent_server)


def _deadline_during_an_upload(layer):
    """``deadline=`` ends an upload that progresses all the time but takes longer (32 MiB to a server
    reading 64 KiB every 10 ms), on time and by its name.  (The blocking layer said "the server did not
    accept data within 0.27 s", the slice of the deadline its last write had; on MicroPython a write
    restarted that slice at each wait inside it.)"""
    from pumps_http import now

    c = open_client(layer, timeout=5.0)
    try:
        t0 = now()
        exc = expect(TimeoutError, c.request, "POST", "/raw/slow-read", body=_upload(8192), content_length=32 << 20,
                     deadline=0.5)
        assert now() - t0 < 1.5, now() - t0
        assert "0.5 s deadline" in str(exc), exc
    finally:
        c.close()


per_layer(globals(), "deadline_during_an_upload", _deadline_during_an_upload)


def _bodies_that_are_not_text_or_json(layer):
    # A body that is not UTF-8 reads through text(), each ill-formed part one U+FFFD (as requests and
    # CPython's "replace": a lone FF, a cut E2 82, an encoded surrogate ED A0 80 is three); one that is
    # not JSON raises JSONDecodeError: a microhttpc error (on CPython a ValueError too), not the
    # parser's ValueError (nested too deep: dual_text_json).  The connection carries on.
    from microhttpc.errors import HTTPCError, JSONDecodeError
    from microhttpc.rt import MICROPYTHON

    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/bad-utf8")
        assert c.call(r, "text") == "ok \ufffd \ufffd \ufffd\ufffd\ufffd \xe9", repr(c.call(r, "text"))
        r = c.request("GET", "/raw/bad-json")
        e = expect(JSONDecodeError, c.call, r, "json")
        assert isinstance(e, HTTPCError) and (MICROPYTHON or isinstance(e, ValueError)), e
        assert c.request("GET", "/raw/genuine").body == b"genuine" and c.is_open()
    finally:
        c.close()


per_layer(globals(), "bodies_that_are_not_text_or_json", _bodies_that_are_not_text_or_json)
