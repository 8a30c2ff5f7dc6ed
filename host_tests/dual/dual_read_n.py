"""``read(n)`` and ``read()`` of a response the same on every layer, both runtimes (README "Responses"):
n bytes at a time, b"" at the end; the whole body with no size, and again; after read(n) took some,
the rest, and that rest again, as text() and json() read it.  poll's Response.read() took no size
(read(3): Python's TypeError, an outside hunt), and then handed the rest out once only (a review)."""

from pumps_http import expect, open_client, per_layer
from check import server


def _http(layer):
    host, port = server("http")
    return open_client(layer, host, port, timeout=10)


def _read_takes_a_size(layer):
    from microhttpc.errors import UsageError

    c = _http(layer)
    try:
        r = c.request("GET", "/hello", read=False)
        for bad in ("3", 1.5):
            expect(UsageError, c.call, r, "read", bad)
        got = [c.call(r, "read", n) for n in (3, 0, 4)]
        assert got == [b"hel", b"", b"lo w"], got
        assert c.call(r, "read") == b"orld" and c.call(r, "read") == b"orld"  # the rest, and again
        assert c.call(r, "text") == "orld" and c.call(r, "read", 5) == b""
        r = c.request("GET", "/hello", read=False)
        assert c.call(r, "read", 100) == b"hello world" and c.call(r, "read", 1) == b""
        expect(UsageError, c.call, r, "read", -1, "x")
    finally:
        c.close()


def _a_whole_read_is_given_again(layer):
    c = _http(layer)
    try:
        r = c.request("GET", "/hello", read=False)
        assert c.call(r, "read") == b"hello world"
        assert c.call(r, "read", 3) == b"hel"  # (the body handed out once more, piece by piece)
        assert c.call(r, "text") == "hello world" and c.call(r, "read", None) == b"hello world"
        r = c.request("GET", "/hello", read=False)
        assert c.call(r, "read", 0) == b"" and c.call(r, "read") == b"hello world"
        assert c.call(r, "read") == b"hello world"
    finally:
        c.close()


per_layer(globals(), "read_takes_a_size", _read_takes_a_size)
per_layer(globals(), "a_whole_read_is_given_again", _a_whole_read_is_given_again)
