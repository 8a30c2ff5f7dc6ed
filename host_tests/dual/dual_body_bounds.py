"""A streamed request body is bounded by ``timeout`` and ``deadline`` whatever its source gives: empty
pieces ("nothing yet") count as no progress, and an endless body to a server that takes it all ends
at the deadline.  Through the three layers, on both runtimes."""

import json

from check import server
from microhttpc.errors import TimeoutError
from pumps_http import expect, now, open_client, per_layer, raw


def _empty(n=None):
    i = 0
    while n is None or i < n:
        i += 1
        yield b""


def _empty_pieces_for_ever(layer):
    # A source that yields b"" for ever held the request (blocking, aio: the event loop too) or one
    # poll() round, past timeout and deadline: the empty pieces were skipped in a loop of their own.
    h, p = raw()
    c = open_client(layer, h, p, run_timeout=8, timeout=0.5)
    t0 = now()
    try:
        expect(TimeoutError, c.request, "POST", "/raw/silent", body=_empty())
    finally:
        c.close()
    assert now() - t0 < 4, now() - t0


per_layer(globals(), "empty_pieces_for_ever", _empty_pieces_for_ever)


def _endless_body_to_a_sink(layer):
    # A server that reads all and never answers, an endless body: the deadline ends it (aio wrote on
    # while the socket took the bytes, and checked no bound).
    def endless():
        piece = b"x" * 512
        while True:
            yield piece

    h, p = raw()
    c = open_client(layer, h, p, run_timeout=8, timeout=5, deadline=1)
    t0 = now()
    try:
        expect(TimeoutError, c.request, "POST", "/raw/silent", body=endless())
    finally:
        c.close()
    assert now() - t0 < 4, now() - t0


per_layer(globals(), "endless_body_to_a_sink", _endless_body_to_a_sink)


def _empty_pieces_between_data(layer):
    # Empty pieces between the data go out as nothing: the body arrives whole (chunked and with a
    # Content-Length), and the connection carries the next request.
    def src():
        for piece in (b"", b"ab", b"", b"", b"cd", b""):
            yield piece
        for piece in _empty(50):
            yield piece
        yield b"e"

    h, p = server("http")
    c = open_client(layer, h, p, timeout=10)
    try:
        for kw in ({}, {"content_length": 5}):
            d = json.loads(c.request("POST", "/echo", body=src(), **kw).body)
            assert d["body"] == "abcde", (kw, d)
        assert c.request("GET", "/hello").body == b"hello world"
    finally:
        c.close()


per_layer(globals(), "empty_pieces_between_data", _empty_pieces_between_data)


def _endless_body_early_answer_tls(layer):
    # Over TLS: a 413 as soon as the head is read, then the connection closed with the body unread
    # (a reset).  CPython's aio pulled the endless body for ever: asyncio's TLS transport neither
    # paused nor closed until its loop ran.
    import os

    from pumps_http import expect
    from microhttpc.errors import ConnectionLost

    def endless():
        piece = b"x" * 512
        while True:
            yield piece

    with open(os.getenv("MHC_TLS_CA"), "rb") as f:
        ca = f.read()
    h, p = server("tlsraw")
    c = open_client(layer, h, p, run_timeout=8, timeout=3, tls=True, cadata=ca, server_hostname="localhost")
    t0 = now()
    try:
        r = c.request("POST", "/raw/early-close", body=endless())
        assert r.status == 413 and r.body == b"too large", (r.status, r.body)
    except ConnectionLost:
        pass  # (the reset may come before the answer is read: TLS cannot read what is left after it)
    finally:
        c.close()
    assert now() - t0 < 5, now() - t0


per_layer(globals(), "endless_body_early_answer_tls", _endless_body_early_answer_tls)
