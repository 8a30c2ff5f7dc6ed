"""Text a server or an application chooses keeps no heap.  On MicroPython a one-character str that a
loop over a str, an index into one or ``chr()`` makes is interned for as long as the program runs: a
request target, a Location or a header value read that way kept 20-40 bytes of heap per character new
to the program, for good (a GET to a path of 200 CJK characters: 7.9 KB; at 128K the three rounds
below ended in MemoryError).  The package reads such
text as bytes now.  Through the three layers: a header value that is not UTF-8 (read as Latin-1), a
redirect to a Location of 200 characters outside ASCII (followed, percent-encoded), and a request to a
target of 200 such characters; the second round, with characters new again, may not keep heap."""

from pumps_http import MICROPYTHON, open_client, per_layer


def _chars(first, n=200):
    """``n`` characters from U+``first`` on, made from their UTF-8 bytes (not chr(): that interns them)."""
    b = bytearray()
    for cp in range(first, first + n):
        b.extend(bytes((0xE0 | cp >> 12, 0x80 | cp >> 6 & 0x3F, 0x80 | cp & 0x3F)))
    return str(b, "utf-8")


def _latin1(lo, hi):
    """Bytes lo..hi-1 read as Latin-1, as UTF-8 bytes."""
    b = bytearray()
    for x in range(lo, hi):
        b.extend(bytes((0xC0 | x >> 6, 0x80 | x & 0x3F)))
    return bytes(b)


def _round(c, tag, latin, location, target):
    r = c.request("GET", "/raw/latin1-" + tag)
    assert r.status == 200 and r.header("x-latin").encode() == _latin1(*latin), r.header("x-latin")
    r = c.request("GET", "/raw/redirect-chars-" + tag)
    assert r.status == 200 and r.body == b"genuine", r
    assert r.raw.url.endswith("/raw/genuine?q=" + _chars(location)), r.raw.url  # (sent percent-encoded)
    r = c.request("GET", "/raw/genuine?u=" + _chars(target))
    assert r.status == 200 and r.body == b"genuine", r
    assert c.is_open()


def _heap():
    import gc

    gc.collect()
    gc.collect()
    return gc.mem_alloc() if MICROPYTHON else 0


def _server_and_application_text_keeps_no_heap(layer):
    c = open_client(layer, timeout=5, follow_redirects=2)
    try:
        _round(c, "a", (0x80, 0xC0), 0x4E00, 0x6000)  # (loads what the requests use)
        before = _heap()
        _round(c, "b", (0xC0, 0x100), 0x5E00, 0x7000)  # 528 characters new to the program
        kept = _heap() - before
        assert kept < 1024, "%d bytes of heap kept by the second round" % kept
    finally:
        c.close()


per_layer(globals(), "server_and_application_text_keeps_no_heap", _server_and_application_text_keeps_no_heap)


def test_a_scheme_is_ascii_letters_digits_and_plus_minus_dot():
    # RFC 3986 section 3.1 (ALPHA and DIGIT are ASCII: CPython's str.isalpha() took any letter)
    from microhttpc.urls import _has_scheme

    for ref, want in (("http://h/", True), ("a+b-c.d:x", True), ("a1:x", True), ("1a:x", False), (":x", False),
                      ("/a:b", False), ("no-colon", False), (str(b"\xc3\xa9:x", "utf-8"), False), ("a" + _chars(0x4E00, 3) + ":x", False)):
        assert _has_scheme(ref) is want, ref


def test_targets_and_queries_are_percent_encoded_from_their_bytes():
    from microhttpc.bodies import encode_pairs, iri, quote
    from microhttpc.errors import UsageError
    from microhttpc.http11 import build_request_head

    assert iri("/caf\xe9?q=\u20ac") == "/caf%C3%A9?q=%E2%82%AC"
    assert quote("a b/\xe9~", True) == "a+b%2F%C3%A9~" and quote(b"\x00\xff") == "%00%FF"
    assert encode_pairs({"k\xe9": "v w"}) == "k%C3%A9=v%20w"
    assert build_request_head("GET", "/\xe9", []) == b"GET /%C3%A9 HTTP/1.1\r\n\r\n"
    for target in ("/a b", "/a\x7f", "/a\tb"):
        try:
            build_request_head("GET", target, [])
        except UsageError as e:
            assert "spaces or control characters" in str(e), e
        else:
            raise AssertionError("no UsageError for %r" % (target,))
    if not MICROPYTHON:  # a lone surrogate (MicroPython's str holds none): was a bare UnicodeEncodeError
        from microhttpc.http11 import _is_token
        from microhttpc.request import Request

        for fn, arg in ((iri, "/\ud800"), (quote, "\udfff"), (build_request_head, "/x\ud800"),
                        (build_request_head, "G\ud800T"), (Request, "\ud800")):
            try:
                if fn is build_request_head:
                    fn(arg, "/", []) if arg.startswith("G") else fn("GET", arg, [])
                elif fn is Request:
                    fn("POST", "/x", body=arg).prepare("h")
                else:
                    fn(arg)
            except UsageError as e:
                assert "lone surrogate" in str(e) or "cannot be encoded" in str(e) or "invalid method" in str(e), e
            else:
                raise AssertionError("no UsageError for %r" % (arg,))
        assert _is_token("a\udfffb") is False  # (a subprotocol's check: the same function)
