"""Where CPython's and MicroPython's own str and JSON functions differ, the package gives the same
answer on both (sans-I/O, bytes fed directly; iter_lines against the raw server)."""

from check import raises, server


def test_json_surrogate_pairs_and_escapes():
    # MicroPython's parser read each \uXXXX alone: an emoji as json.dumps sends it became two
    # surrogates (a str that is not UTF-8), silently; and it took \x41 and \uZZZZ.
    from microhttpc.errors import JSONDecodeError
    from microhttpc.jsonbody import json

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
    from microhttpc.textbody import codec
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

    h = Headers(raw="Transfer-Encoding: chun\u212aed\r\nUpgrade: websocket\u00a0\r\nConnection: Keep-Alive, UPGRADE\r\n"
                "Keep-Alive: timeout=5\r\n".encode())
    assert h.get("\u212aeep-alive") is None and h.get("KEEP-alive") == "timeout=5"  # (names too)
    assert h.tokens("transfer-encoding") == ["chun\u212aed"], h.tokens("transfer-encoding")
    assert h.tokens("upgrade") == ["websocket\u00a0"], h.tokens("upgrade")
    assert h.tokens("connection") == ["keep-alive", "upgrade"]
    # A name with a lone surrogate is no header's: the default (CPython raised UnicodeEncodeError).
    assert h.get("\ud800") is None and h.get("\ud800", 7) == 7 and "\ud800" not in h
    assert h.get_all("x\udfff") == [] and h.tokens("\ud800") == []


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

    class R:  # a streamed body's response (blocking), as far as Lines looks
        _conn = None
        _pending = b""
        _body = None

        def _next_chunk(self):
            return None

    s = Lines(R(), 6)
    s.end = s.whole = False
    s.feed(b"xxxxxxx\r")
    e = raises(LimitExceeded, s.take)
    assert e.size == 7, e.size  # the line, as poll's and a whole body's say (it said 8)


def test_websocket_offers_are_ascii_tokens():
    # CPython's strip() and lower() made "chat\u00a0" the subprotocol "chat" (and sent it with its
    # U+00A0), and "\u212a-foo" (the Kelvin sign) the extension "k-foo" a server could accept.
    from microhttpc.errors import UsageError
    from microhttpc.handshake import start_upgrade

    for kw in (dict(subprotocols=["chat\u00a0"]), dict(headers={"Sec-WebSocket-Protocol": "chat\u00a0"}),
               dict(headers={"Sec-WebSocket-Protocol": "\u3000chat"}), dict(extensions=["\u212a-foo"]),
               dict(extensions=["x-foo\u00a0; a=1"]), dict(headers={"Sec-WebSocket-Extensions": "\u212a-foo"})):
        raises(UsageError, start_upgrade, None, "/", **kw)
    assert start_upgrade(None, "/", subprotocols=["chat"], extensions=["X-Foo; a=1"],
                         headers={"Sec-WebSocket-Protocol": " b ,\tc"}) is None


def test_text_knows_the_registry_names_of_latin1_and_ascii():
    # MicroPython read ISO_8859-1:1987 (the IANA registry's own name), cp819, ANSI_X3.4-1968 ... as UTF-8.
    from microhttpc.textbody import codec

    for name in ("ISO_8859-1:1987", "iso-ir-100", "csISOLatin1", "IBM819", "cp819", "latin", "8859", "l1"):
        assert codec(name).lower().replace("_", "-") in ("latin-1", name.lower().replace("_", "-")), name
    for name in ("ANSI_X3.4-1968", "us", "csASCII", "646", "cp367", "iso646-us"):
        assert codec(name).lower().replace("_", "-") in ("ascii", name.lower().replace("_", "-")), name
    from microhttpc.textbody import text

    for name in ("ISO 8859-1", "latin 1", "iso-8859-1:", " latin1 ", "ansi_x3_4_1968", "us ascii", "cp65001",
                 "ISO_646.irv-1991"):  # (CPython's lookup reads each so: MicroPython's took them for UTF-8)
        a = "latin-1" if "8859" in name or "latin" in name else "utf-8" if name == "cp65001" else "ascii"
        assert text(b"caf\xe9", codec(name)) == text(b"caf\xe9", a), name
    assert text(b"caf\xe9", codec("ISO_8859-1:1987")) == "caf\u00e9"
    # (a dotted name is no module's: "latin.1" is no codec on CPython, an alias's is: "iso.8859.1")
    from microhttpc.errors import UsageError
    from microhttpc.http11 import Headers

    for name in ("latin.1", "utf.8", "utf-8\x00"):
        raises(UsageError, codec, name)
    assert text(b"caf\xe9", codec("iso.8859.1")) == "caf\u00e9"
    assert codec(None, Headers([("Content-Type", "text/plain; charset=latin.1")])) == "utf-8"
    assert text(b"caf\xe9", codec("ANSI_X3.4-1968")) == "caf\ufffd"


def test_bytes_that_are_not_utf8_are_refused_on_both_runtimes():
    # MicroPython's decoder checks the structure only: an overlong "/" or an encoded surrogate in a header
    # value or a form field's name went on the wire there; CPython refused them (UsageError).
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", bytearray(b"a\xe0\x80\xafb")):
        raises(UsageError, lambda: Request("GET", "/", headers={"X-V": bad}).prepare("h"))
        raises(UsageError, lambda: Request("POST", "/", form=[(bad, "v")], multipart=True).prepare("h"))
    head = Request("GET", "/", headers={"X-V": "caf\u00e9".encode()}).prepare("h")[0]
    assert b"X-V: caf\xc3\xa9\r\n" in bytes(head), head
