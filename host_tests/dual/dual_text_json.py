"""Response.text() and .json() on bodies a server got wrong (``extras``): each ill-formed part of a
body that is not UTF-8 becomes one U+FFFD, as CPython's "replace" does (MicroPython's decoder has no
error handlers: ``extras.replace_invalid`` does it there); a body that is not JSON raises
JSONDecodeError, a microhttpc error.  Through the three layers: dual_hostile_http_raw2."""

from microhttpc.errors import HTTPCError, JSONDecodeError
from microhttpc.textbody import replace_invalid, text
from microhttpc.jsonbody import json
from microhttpc.rt import MICROPYTHON
from pumps_http import open_client, per_layer

# (bytes, CPython's bytes.decode("utf-8", "replace") of them)
VECTORS = [
    (b"", ""),
    (b"plain", "plain"),
    (b"\xc3\xa9t\xc3\xa9", "\xe9t\xe9"),
    (b"\xff", "\ufffd"),
    (b"\x80\xbf", "\ufffd\ufffd"),  # continuation bytes with no lead
    (b"\xc0\xaf", "\ufffd\ufffd"),  # an overlong "/"
    (b"\xc1\xbf", "\ufffd\ufffd"),
    (b"\xe2\x82", "\ufffd"),  # cut short: one for the maximal subpart
    (b"\xe2\x82\xac", "\u20ac"),
    (b"\xe2\x82A", "\ufffdA"),
    (b"\xed\xa0\x80", "\ufffd\ufffd\ufffd"),  # an encoded surrogate
    (b"\xed\x9f\xbf", "\ud7ff"),
    (b"\xe0\x80\x80", "\ufffd\ufffd\ufffd"),  # overlong
    (b"\xe0\xa0\x80", "\u0800"),
    (b"\xf0\x80\x80\x80", "\ufffd\ufffd\ufffd\ufffd"),
    (b"\xf0\x90\x80\x80", "\U00010000"),
    (b"\xf4\x8f\xbf\xbf", "\U0010ffff"),
    (b"\xf4\x90\x80\x80", "\ufffd\ufffd\ufffd\ufffd"),  # over U+10FFFF
    (b"\xf5\x80", "\ufffd\ufffd"),
    (b"\xf0\x90\x80", "\ufffd"),
    (b"a\xf0\x90\x80b", "a\ufffdb"),
    (b"\xc3", "\ufffd"),
    (b"\xc3\xc3\xa9", "\ufffd\xe9"),
    (b"\xef\xbf\xbd\xfe", "\ufffd\ufffd"),
]


def test_replace_invalid_matches_cpythons_replace():
    for raw, want in VECTORS:
        got = replace_invalid(raw)
        assert got == want, (raw, got, want)
        assert text(raw, "utf-8") == want, (raw, text(raw, "utf-8"), want)
    if not MICROPYTHON:  # and against CPython's decoder itself, on bytes chosen where the rules turn
        import random

        rng = random.Random(1)
        alphabet = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                    0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        for _ in range(50000):
            raw = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
            assert replace_invalid(raw) == raw.decode("utf-8", "replace"), raw


def test_text_of_valid_utf8_is_the_text():
    body = "h\xe9llo w\xf6rld \u20ac \U0001f600".encode() * 50
    assert text(body, "utf-8") == "h\xe9llo w\xf6rld \u20ac \U0001f600" * 50


def test_json_that_is_not_json_raises_jsondecodeerror():
    assert json(b'{"a": [1, 2]}') == {"a": [1, 2]}
    assert json('{"k": "h\xe9 \u20ac"}'.encode()) == {"k": "h\xe9 \u20ac"}
    # nested deeper than CPython's parser goes (a RecursionError there); MicroPython's takes 64 bytes of
    # heap a level, so there a depth that fits a test's heap (deeper: a MemoryError, README's contract)
    deep = b"[" * (200 if MICROPYTHON else 1100)
    # and JSON that is not UTF-8 (RFC 8259): an overlong "/" (MicroPython returned a str holding the raw
    # bytes), an encoded surrogate (CPython returned "\ud800")
    # and NaN, Infinity, -Infinity, which are not JSON (RFC 8259 section 6): CPython's parser took them
    for body in (b'{"a": [1,', b"", b"\xff", b"nope", deep, b'"\xc0\xaf"', b'{"k": "a\xc0\xafb"}', b'"\xed\xa0\x80"',
                 b"[NaN]", b'{"a": Infinity}', b"-Infinity",
                 # UTF-16 and UTF-32, valid UTF-8 (NULs): CPython's parser of bytes read them as such
                 b"\x00[\x00]", b"[\x00]\x00", b"\x00\x00\x00[\x00\x00\x00]", b'\x00{\x00"\x00a\x00"\x00:\x001\x00}'):
        try:
            json(body)
        except JSONDecodeError as e:
            assert isinstance(e, HTTPCError) and (MICROPYTHON or isinstance(e, ValueError)), body
            assert "not JSON" in str(e), str(e)
        else:
            raise AssertionError("no JSONDecodeError for %r" % (body,))


def test_json_after_a_byte_order_mark():
    # (CPython's parser skipped it, MicroPython's raised JSONDecodeError: the same body, two answers)
    assert json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_jsondecodeerror_is_found_where_the_others_are():
    import microhttpc
    from microhttpc import errors

    assert microhttpc.JSONDecodeError is JSONDecodeError and errors.JSONDecodeError is JSONDecodeError


def test_text_of_a_body_with_many_bad_bytes_fits_a_small_heap():
    # Every third byte not UTF-8: a slice and two strings per bad byte (replace_invalid) split the heap
    # of a board until the join failed (3,000 bytes: MemoryError with 110 KB free on MicroPython).
    body = b"ab\xff" * 1000
    assert text(body, "utf-8") == "ab\ufffd" * 1000
    assert text(b"\xe2\x82" + body + b"\xf0\x9f", "utf-8") == "\ufffd" + "ab\ufffd" * 1000 + "\ufffd"


def test_text_or_json_with_no_heap_left_is_limit_exceeded():
    # The body was read whole, then its decoding ran out of heap (on MicroPython replace_invalid builds
    # a copy): a bare MemoryError came out of a whole-body call.  LimitExceeded now, as for a body that
    # does not fit; the connection carries the next request.  (The MemoryError is raised on purpose in
    # the UTF-8 check both take on MicroPython, and json() on CPython.)
    from check import server
    from microhttpc import Connection, utf8
    from microhttpc.errors import LimitExceeded

    def _oom(*args):
        raise MemoryError

    h, p = server("http")
    conn = Connection(h, p, timeout=10)
    conn.open()
    saved = utf8.validate
    utf8.validate = _oom
    try:
        for method in ("json", "text") if MICROPYTHON else ("json",):
            r = conn.request("POST", "/echo", json={"a": 1})
            try:
                getattr(r, method)()
                raise AssertionError("decoded with no heap")
            except LimitExceeded as e:
                assert e.limit == "max_body" and e.value is None and e.size == len(r.read()), (e.limit, e.size)
    finally:
        utf8.validate = saved
    assert conn.request("GET", "/hello").text() == "hello world"
    conn.close()


def test_text_in_latin1_and_ascii_on_every_runtime():
    # text("latin-1") and text("ascii") decode as named on MicroPython too (they were read as UTF-8
    # there, whatever the name: "caf\xe9" became "caf\ufffd"); a name MicroPython can't decode is a
    # UsageError there before the body is read, not UTF-8 in disguise.  CPython: its codecs.
    from microhttpc.errors import UsageError
    from microhttpc.textbody import codec

    body = b"caf\xe9 \xff\x80 ok"
    for name in ("latin-1", "ISO-8859-1", "latin_1", "l1"):
        assert text(body, codec(name)) == "caf\xe9 \xff\x80 ok", name
    for name in ("ascii", "US-ASCII"):
        assert text(body, codec(name)) == "caf\ufffd \ufffd\ufffd ok", name
    assert text(b"caf\xc3\xa9", codec("UTF8")) == "caf\xe9"
    assert text(b"", codec("latin-1")) == "" and text(b"plain", codec("ascii")) == "plain"
    if MICROPYTHON:
        try:
            codec("shift_jis")
            raise AssertionError("shift_jis taken on MicroPython")
        except UsageError as e:
            assert "utf-8, latin-1 and ascii" in str(e), e
    else:
        assert text(b"\x83n\x83\x8d\x81[", codec("shift_jis")) == "\u30cf\u30ed\u30fc"
    # and codecs that can't replace a bad byte (CPython: text() raised a bare UnicodeError)
    for name in ("no-such-codec", "punycode", "idna"):
        try:
            codec(name)
            raise AssertionError("codec %r taken" % name)
        except UsageError:
            pass


def _text_in_latin1_through_a_response(layer):
    # The same through a Response of each layer: a Latin-1 body read as Latin-1, as ASCII and as UTF-8
    # (the default).
    c = open_client(layer, timeout=5)
    try:
        for name, want in (("latin-1", "caf\xe9 \xff\x80 ok"), ("ascii", "caf\ufffd \ufffd\ufffd ok"),
                           ("utf-8", "caf\ufffd \ufffd\ufffd ok")):
            r = c.request("GET", "/raw/latin1-body", read=False)
            got = c.call(r, "text", name)
            assert got == want, (layer, name, got)
    finally:
        c.close()


per_layer(globals(), "text_in_latin1_through_a_response", _text_in_latin1_through_a_response)
