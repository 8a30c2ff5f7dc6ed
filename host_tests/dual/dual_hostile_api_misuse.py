"""More of what a new user gets wrong, found by an outside hunt through the public API of the three
layers (pumps_http, pumps_ws): each is UsageError at the call that took it, and what was opened stays
usable.  Before: an ``rng=`` that gave the wrong number of bytes for a mask went into every frame as it
was (an rng giving 16 bytes for rng(4): each frame 12 bytes too long, read by the server as another
frame), or failed every send() and close() after it (a bare ValueError or NotImplementedError, a
WebSocket that could not be closed); a Request's ``rng=5`` or ``deadline=(0, 5)`` failed at send time
(a bare TypeError, an IndexError, an instant TimeoutError); ``content_length=10`` without a body went
out as ``Content-Length: 0`` or none; an unknown keyword to a connection was a bare TypeError; the
blocking Connection took ``cadata=5`` until its first request; ``send_stream(b"abc")`` sent the bytes'
ints and ended the connection; the poll Engine took ``on_open=5`` and ``on_tx_complete=5`` (a bare
TypeError inside a later poll(), the WebSocket closed 1006) and checked a request's headers, body and
target only at its turn (to on_err, or to no one); ``verify=None`` (or 0, "") turned the certificate
check off."""

from check import raises
from pumps_http import GENUINE, open_client, per_layer
import pumps_ws


def _rng_masks(layer):
    from microhttpc.errors import UsageError

    h, p = pumps_ws.raw_server()
    for rng in (lambda n: b"\x01\x02\x03\x04" * 4, lambda n: "k" * n, lambda n: bytes(n - 1), lambda n: None):
        raises(UsageError, pumps_ws.connect_ws, layer, h, p, "/echo", rng=rng)
    if layer != "poll":
        raises(UsageError, pumps_ws.connect_ws, layer, h, p, "/echo", rng=lambda n: b"\x01\x02\x03\x04" * 4,
               tx_buffer_size=64)
    # An rng that gives what it is asked for: the frames are as they should be (the server echoes them).
    ws = pumps_ws.connect_ws(layer, h, p, "/echo", rng=lambda n: bytes(range(1, n + 1)))
    ws.send("masked by the caller's rng")
    assert ws.recv() == "masked by the caller's rng"
    ws.close()
    assert ws.close_code == 1000


def _request_values(layer):
    from microhttpc.errors import UsageError

    c = open_client(layer, timeout=5)
    try:
        for kw in ({"rng": 5}, {"rng": "x"}, {"deadline": (0, 5)}, {"deadline": ("a",)}, {"content_length": 10},
                   {"content_length": 1, "form": None}):
            raises(UsageError, c.request, "POST", "/raw/genuine", **kw)
        raises(UsageError, c.request, "GET", "/raw/genuine", content_length=3)
        assert c.request("POST", "/raw/genuine", content_length=0).body == GENUINE  # (0 and no body: fine)
        assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()
    # verify= other than True or False (None, 0, ""): the certificate went unchecked without a word;
    # an empty cadata= (CPython took the system's CAs in its place)
    for kw in ({"bogus": 1}, {"max_bodyy": 5}, {"tls": True, "verify": None}, {"tls": True, "verify": 0},
               {"tls": True, "verify": ""}, {"verify": []}, {"tls": True, "cadata": ""}, {"tls": True, "cadata": b""}):
        raises(UsageError, open_client, layer, **kw)


def test_blocking_tls_settings_checked_when_given():
    # The blocking Connection refused cadata=5 or ssl_context=5 only at its first request (aio and the
    # Engine at once): now all three when the connection is made.
    from microhttpc import Connection
    from microhttpc.errors import UsageError

    for kw in ({"cadata": 5}, {"cadata": ["pem"]}, {"ssl_context": 5}):
        raises(UsageError, Connection, "127.0.0.1", 1, tls=True, **kw)


def test_send_stream_of_one_bytes_object():
    from microhttpc.errors import UsageError

    h, p = pumps_ws.raw_server()
    ws = pumps_ws.connect_ws("blocking", h, p, "/echo")
    for bad in (b"abc", "abc", bytearray(b"abc"), memoryview(b"abc")):
        e = raises(UsageError, ws.send_stream, bad)
        assert "send()" in str(e), e
    ws.send_stream([b"still ", b"open"])  # nothing went out: the connection goes on
    assert ws.recv() == b"still open"
    ws.close()
    assert ws.close_code == 1000


def test_poll_checks_at_the_call():
    from check import server
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    errors = []
    h, p = server("raw")
    conn = e.connect(h, p, on_err=lambda c, x: errors.append(x))
    raises(UsageError, e.connect, h, p, bogus=1)  # (a bare TypeError)
    for args, kw in ((("/raw/genuine",), {"headers": {"a": None}}), (("/raw/genuine",), {"body": 5}),
                     (("raw/genuine",), {}), (("/raw/genuine",), {"content_length": 4})):
        raises(UsageError, e.request, conn, "POST", *args, **kw)  # (queued, and failed at its turn: on_err)
    got = []
    e.request(conn, "GET", "/raw/genuine", on_complete=lambda r, ok: got.append((r.body, ok)))
    assert e.run(until=lambda: got, timeout=10) and got == [(GENUINE, True)], (got, errors)
    assert not errors, errors
    e.close(conn)
    e.run(timeout=5)

    wh, wp = pumps_ws.raw_server()
    conn = e.connect(wh, wp)
    raises(UsageError, e.upgrade, conn, "/echo", on_open=5)  # (failed in the poll() that opened it: 1006)
    opened, msgs = [], []
    ws = e.upgrade(conn, "/echo", on_open=opened.append, on_msg=msgs.append)
    assert e.run(until=lambda: opened or conn.closed, timeout=10) and opened
    for bad in (5, "x"):
        raises(UsageError, ws.send, "x", on_tx_complete=bad)
        raises(UsageError, e.ws_send, conn, "x", on_tx_complete=bad)
    e.ws_send(conn, "after the refusals")
    assert e.run(until=lambda: msgs or conn.closed, timeout=10) and msgs == ["after the refusals"], msgs
    e.close(conn)
    e.run(timeout=5)
    assert ws.close_code == 1000, ws.close_code


per_layer(globals(), "rng_masks", _rng_masks)
per_layer(globals(), "request_values", _request_values)
