"""Where CPython's and MicroPython's own str and JSON functions differ, the package gives the same
answer on both (sans-I/O, bytes fed directly; iter_lines against the raw server)."""

from check import raises, server


def test_json_surrogate_pairs_and_escapes():
    # MicroPython's parser read each \uXXXX alone: an emoji as json.dumps sends it became two
    # surrogates (a str that is not UTF-8), silently; and it took \x41 and \uZZZZ.
    from microhttpc.errors import JSONDecodeError
    from microhttpc.extras import json

    assert json(b'{"m": "\\ud83d\\ude00", "n": "a\\u00e9\\\\ud83d"}') == {"m": "\U0001f600", "n": "a\u00e9\\ud83d"}
    assert json(b'["\\uD83D\\uDE00x", "\\"\\/\\b\\f\\n\\r\\t"]') == ["\U0001f600x", '"/\b\f\n\r\t']
    for bad in (b'["\\x41"]', b'["\\uZZZZ"]', b'["\\u00e"]', b'["a\\'):
        raises(JSONDecodeError, json, bad)
    lone = json(b'["\\ud800", "\\ude00\\ud83d"]')
    import sys

    if sys.implementation.name == "micropython":  # (a str there can't hold a lone surrogate)
        assert lone == ["\ufffd", "\ufffd\ufffd"], lone
    else:
        assert lone == ["\ud800", "\ude00\ud83d"], lone


def test_charset_as_requests_reads_it():
    from microhttpc.extras import codec
    from microhttpc.http11 import Headers

    def cs(value):  # (CPython: the name as given, any codec it has; MicroPython: "latin-1")
        c = codec(None, Headers([("Content-Type", value)])).lower().replace("_", "-")
        return "latin-1" if c == "iso-8859-1" else c

    assert cs("text/plain; charset='iso-8859-1'") == "latin-1"  # (MicroPython: UTF-8)
    assert cs('text/plain; charset = " ISO-8859-1 "') == "latin-1"
    assert cs("text/plain; charset=utf-8; charset=latin-1") == "latin-1"  # the last, as requests (the first)
    assert cs("text/plain") == "utf-8" and cs("text/plain; charset=") == "utf-8"


def test_header_tokens_are_ascii():
    # CPython's str.lower() made the Kelvin sign a "k" ("chun\u212aed" was chunked there, not on
    # MicroPython) and its strip() took Unicode spaces.
    from microhttpc.http11 import Headers

    h = Headers(raw="Transfer-Encoding: chun\u212aed\r\nUpgrade: websocket\u00a0\r\nConnection: Keep-Alive, UPGRADE\r\n".encode())
    assert h.tokens("transfer-encoding") == ["chun\u212aed"], h.tokens("transfer-encoding")
    assert h.tokens("upgrade") == ["websocket\u00a0"], h.tokens("upgrade")
    assert h.tokens("connection") == ["keep-alive", "upgrade"]


def test_location_strip_is_ascii():
    from microhttpc.urls import resolve_url

    assert resolve_url("http://h/a/b", " \t/x ") == "http://h/x"
    # (CPython's strip() took the U+00A0 and U+3000: another URL there)
    assert resolve_url("http://h/a/b", "/ok?q=\u00a0") == "http://h/ok?q=\u00a0"
    assert resolve_url("http://h/a/b", "\u00a0/x") == "http://h/a/\u00a0/x"
    assert resolve_url("http://h/a/b", "/p\u3000") == "http://h/p\u3000"


def test_iter_lines_checks_max_line_at_the_call():
    from microhttpc import Connection
    from microhttpc.errors import UsageError

    host, port = server("raw")
    conn = Connection(host, port, timeout=10)
    try:
        r = conn.request("GET", "/raw/lines")
        raises(UsageError, r.iter_lines, max_line=0)  # (it came at the first next())
        assert list(r.iter_lines()) == [b"alpha", b"beta", b"", b"gamma"]
    finally:
        conn.close()


def test_a_long_line_counts_without_its_cr():
    from microhttpc.errors import LimitExceeded
    from microhttpc.extras import Lines

    class R:  # a streamed body's response, as far as Lines looks
        _conn = None
        _pending = b""
        body = None

        def _next_chunk(self):
            return None

    s = Lines(R(), 6)
    s.end = s.whole = False
    s.feed(b"xxxxxxx\r")
    e = raises(LimitExceeded, s.take)
    assert e.size == 7, e.size  # the line, as poll's and a whole body's say (it said 8)
