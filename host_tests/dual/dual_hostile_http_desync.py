"""Response desynchronisation through the three I/O layers: bytes left after a response (a body on a
204/304/HEAD answer, bytes beyond Content-Length or after the last chunk, a response written while
the connection is idle, bytes after a 101 nobody asked for) end that connection.  The client never
reads them as the next response.

The raw server (tools/servers.py) puts a complete forged response (body "forged") after the genuine
one and taints the connection (later answers on it: "reused"); a new connection gets the honest
/raw/genuine ("genuine").  Blocking and aio: the next request on the same Connection opens a new TCP
connection and gets "genuine".  poll does not reconnect: the Conn closes after delivering the
response, and a request after it (or still queued on it) fails with a microhttpc error.
"""

from microhttpc.errors import HTTPCError, ProtocolError
from pumps_http import FORGED, GENUINE, expect, open_client, per_layer


def _next_is_honest(c):
    """The request after a desynchronised response: never the forged (or "reused") answer."""
    if c.layer == "poll":
        try:
            r = c.request("GET", "/raw/genuine")
        except HTTPCError:
            pass  # UsageError (the Conn already closed) or the error of a request queued on it
        else:
            raise AssertionError("poll answered on the desynchronised Conn: %r" % (r,))
        c.wait(0.1)
        assert not c.is_open() and c.closes, "poll: the Conn should have closed (on_close)"
        return
    r = c.request("GET", "/raw/genuine")
    assert r.body != FORGED, "the forged response was read as the answer to the next request"
    assert r.body == GENUINE, r  # "reused": the desynchronised connection was kept


def _desync(layer, path, method="GET", first=b"", idle=0):
    c = open_client(layer, timeout=5)
    try:
        r = c.request(method, path)
        assert r.status in (200, 204, 304) and r.body == first, r
        if idle:
            c.wait(idle)  # the server writes the forged response meanwhile
        _next_is_honest(c)
    finally:
        c.close()


def _desync_204(layer):
    _desync(layer, "/raw/desync-204")


def _desync_304(layer):
    _desync(layer, "/raw/desync-304")


def _desync_head(layer):
    _desync(layer, "/raw/desync-head", method="HEAD")


def _desync_content_length(layer):
    _desync(layer, "/raw/desync-cl", first=b"hello")


def _desync_after_last_chunk(layer):
    _desync(layer, "/raw/desync-chunked", first=b"hello")


def _desync_idle(layer):
    _desync(layer, "/raw/desync-idle", first=b"hello", idle=0.3)


def _unasked_101(layer):
    """A 101 to a plain GET: ProtocolError for that request, the connection closed with it."""
    c = open_client(layer, timeout=5)
    try:
        expect(ProtocolError, c.request, "GET", "/raw/101-forged")
        _next_is_honest(c)
    finally:
        c.close()


per_layer(globals(), "desync_204", _desync_204)
per_layer(globals(), "desync_304", _desync_304)
per_layer(globals(), "desync_head", _desync_head)
per_layer(globals(), "desync_content_length", _desync_content_length)
per_layer(globals(), "desync_after_last_chunk", _desync_after_last_chunk)
per_layer(globals(), "desync_idle", _desync_idle)
per_layer(globals(), "unasked_101", _unasked_101)


def test_desync_queued_requests_poll():
    """poll: requests queued behind a desynchronised response go out on a new connection, as on the
    other layers (they failed with ConnectionLost), and get their own answers, never the forged one."""
    for path in ("/raw/desync-204", "/raw/desync-cl", "/raw/desync-chunked"):
        c = open_client("poll", timeout=5)
        try:
            first, second = c.request_many([path, "/raw/genuine"])
            assert not isinstance(first, Exception) and first.status in (200, 204), (path, first)
            assert not isinstance(second, Exception) and second.body == b"genuine", (path, second)
            assert not c.closes, (path, c.closes)  # (reopened: no on_close)
        finally:
            c.close()


def test_not_persistent_queue_poll():
    # persistent=False ("Connection: close" on each request): every queued request goes out on a
    # connection of its own (the second and later failed with ConnectionLost; blocking and aio reopen).
    c = open_client("poll", timeout=5, persistent=False)
    try:
        got = c.request_many(["/raw/genuine", "/raw/no-reason", "/raw/genuine"])
        assert [getattr(r, "body", r) for r in got] == [b"genuine", b"ok", b"genuine"], got
    finally:
        c.close()


def _request_says_close(layer):
    # The application's own "Connection: close" (RFC 9112 section 9.6): no other request goes on that
    # connection, though the server did not say close in its answer (the next request went out on it
    # and met the server's close or reset).
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/no-reason", headers={"Connection": "close"})
        assert r.status == 200 and r.body == b"ok", r
        c.wait(0.05)
        assert not c.is_open()
        if layer != "poll":
            assert c.request("GET", "/raw/no-reason").body == b"ok"  # on a new connection
    finally:
        c.close()


per_layer(globals(), "a_request_that_says_close_ends_its_connection", _request_says_close)
