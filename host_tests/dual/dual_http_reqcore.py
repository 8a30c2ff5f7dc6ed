"""The sans-I/O request serialiser on its own (request.Request.prepare / body_pieces): the exact bytes
that go on the wire, which the blocking, poll and asyncio layers all send."""

from microhttpc.bodies import source_pieces
from microhttpc.request import Request
from microhttpc.urls import split_url
from microhttpc.errors import HeaderNotAllowed, UsageError
from check import raises


def wire(req, host="h:81", close=False):
    head, body = req.prepare(host, close)
    return head + b"".join([bytes(p) for p in req.body_pieces(body, bytearray(8))])


def test_exact_head_and_small_body():
    req = Request("post", "/p", headers=[("X-A", "1")], query=[("k", "v w")], body=b"hi",
                  content_type="text/plain")
    assert wire(req) == (b"POST /p?k=v%20w HTTP/1.1\r\nHost: h:81\r\nContent-Length: 2\r\n"
                         b"Content-Type: text/plain\r\nX-A: 1\r\n\r\nhi")
    assert req.sent_target == "/p?k=v%20w" and req.sent_length == 2


def test_get_has_no_framing_post_has_length_zero_close_adds_header():
    assert wire(Request("GET", "/")) == b"GET / HTTP/1.1\r\nHost: h:81\r\n\r\n"
    assert wire(Request("POST", "/"), close=True) == \
        b"POST / HTTP/1.1\r\nHost: h:81\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    # the caller's own Connection header wins over close=True
    assert wire(Request("GET", "/", headers={"Connection": "keep-alive"}), close=True) == \
        b"GET / HTTP/1.1\r\nHost: h:81\r\nConnection: keep-alive\r\n\r\n"


def test_chunked_framing_through_a_small_buffer():
    data = b"0123456789abcdefXYZ"
    pos = [0]

    def fill(buf):
        n = min(len(buf), len(data) - pos[0])
        buf[:n] = data[pos[0] : pos[0] + n]
        pos[0] += n
        return n

    got = wire(Request("PUT", "/c", body=fill))
    head, _, body = got.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
    assert body == b"8\r\n01234567\r\n8\r\n89abcdef\r\n3\r\nXYZ\r\n0\r\n\r\n"


class _Pieces:
    """A streamed body source (like forms.Multipart) that yields an empty piece among others."""

    def pieces(self, buf):
        return iter([b"ab", b"", bytearray(b"c")])


def test_chunked_body_skips_empty_pieces():
    # An empty chunk would end the body: an empty piece is not framed (it goes on as it is, empty: the
    # layer writes nothing and checks its bounds); the body ends with the last-chunk.
    r = Request("POST", "/s", body=_Pieces())
    head, body = r.prepare("h")
    assert b"Transfer-Encoding: chunked" in head and r.sent_length is None
    pieces = [bytes(p) for p in r.body_pieces(body, bytearray(8))]
    assert b"".join(pieces) == b"2\r\nab\r\n1\r\nc\r\n0\r\n\r\n", pieces
    assert pieces == [b"2\r\nab", b"", b"\r\n1\r\nc", b"\r\n0\r\n\r\n"]  # a small piece joins its size line


def test_chunked_body_passes_large_pieces_uncopied():
    # A piece over 512 bytes goes out as it is, after its own size line: what is allocated per piece
    # stays small (a board uploading 4 KiB pieces allocated three 4 KiB objects per piece).
    big = b"x" * 4096
    r = Request("POST", "/s", body=iter([big, b"yz", big]))
    head, body = r.prepare("h")
    pieces = list(r.body_pieces(body, bytearray(8)))
    assert pieces[1] is big and pieces[4] is big, [len(p) for p in pieces]
    assert b"".join(bytes(p) for p in pieces) == (b"1000\r\n" + big + b"\r\n2\r\nyz\r\n1000\r\n" + big
                                                   + b"\r\n0\r\n\r\n")


def test_source_kinds():
    buf = bytearray(4)
    assert [bytes(p) for p in source_pieces("h\u00e9", buf)] == [b"h\xc3\xa9"]
    assert [bytes(p) for p in source_pieces(iter([b"a", "", "b"]), buf)] == [b"a", b"", b"b"]  # ("nothing yet")
    assert [bytes(p) for p in source_pieces(b"", buf)] == []
    raises(UsageError, lambda: list(source_pieces(lambda b: 9, buf)))  # more than the buffer holds


def test_refusals_before_any_byte():
    raises(HeaderNotAllowed, Request("GET", "/", headers={"Host": "x"}).prepare, "h")
    raises(HeaderNotAllowed, Request("GET", "/", headers={"Transfer-Encoding": "gzip"}).prepare, "h")
    raises(UsageError, Request("GET", "/", headers={"X": "a\r\nB: c"}).prepare, "h")
    raises(UsageError, Request("GET", "no-slash").prepare, "h")
    raises(UsageError, Request("GET", "/a b").prepare, "h")
    raises(UsageError, Request, "G ET")
    raises(UsageError, Request("GET", "/").prepare, "h\r\nX: y")  # even the Host value is checked


def test_split_url():
    assert split_url("http://Host:8080/a?b#frag") == ("http", "Host", 8080, "/a?b")
    assert split_url("https://h") == ("https", "h", 443, "/")
    assert split_url("http://h?q=1") == ("http", "h", 80, "/?q=1")
    assert split_url("http://[::1]:81/x") == ("http", "::1", 81, "/x")
    for bad in ("ftp://h/", "//h/x", "http://u:p@h/", "http://h:0/", "http://h:x/", "http:///x",
                "http://h:\u00b2/", "http://h:\u0663\u0666/", "http://h:65536/", "http://[::1]x/",
                "http://[::1]x:80/"):
        raises(UsageError, split_url, bad)  # (ASCII digits only: str.isdigit() takes "\u00b2" on CPython)


def test_content_type_and_host_checked_like_any_header():
    for bad in ("text/plain\r\nX-Evil: 1", "text/plain\nX: 1", "text/plain\rX: 1", "text/\x00plain"):
        raises(UsageError, Request("POST", "/", body=b"x", content_type=bad).prepare, "h")
        raises(UsageError, Request("POST", "/", body=b"x", content_type=bad.encode()).prepare, "h")
    for bad in ("h\rX: y", "h\nX: y", "h\x00"):
        raises(UsageError, Request("GET", "/").prepare, bad)
    # a bytes Content-Type or header value is decoded, as before
    got = wire(Request("POST", "/", body=b"x", content_type=b"text/plain", headers=[("X-B", b"caf\xc3\xa9")]))
    assert b"\r\nContent-Type: text/plain\r\n" in got and b"\r\nX-B: caf\xc3\xa9\r\n" in got


def test_multipart_part_headers_checked():
    from microhttpc import forms

    def body(pairs):
        mp = forms.Multipart(pairs, rng=lambda n: b"\x02" * n)
        return b"".join([bytes(p) for p in mp.pieces(bytearray(32))])

    # CR, LF and '"' in names are escaped by the HTML form rules: they cannot end the quoted string
    # or start another header line
    got = body([('a"b\r\nX-Evil: 1', forms.File(b"d", 'f"\r\n.txt', "text/plain"))])
    assert (b'\r\nContent-Disposition: form-data; name="a%22b%0D%0AX-Evil: 1"; filename="f%22%0D%0A.txt"'
            b"\r\nContent-Type: text/plain\r\n\r\nd\r\n") in got
    assert got.count(b"\r\n") == 6  # boundary, disposition, type, blank line, data, closing line
    # A backslash goes as it is (as browsers send it), the last one of a name as %5C: a parser of RFC
    # 9110's quoted-string took it for the escape of the closing quote, and the file name that followed
    # for parameters ('name="upload\"; filename="; name=evil; filename=evil.sh"')
    got = body([("upload\\", forms.File(b"d", "C:\\a\\b\\"))])
    assert b'; name="upload%5C"; filename="C:\\a\\b%5C"\r\n' in got, got
    # A source whose tell() gives no int: its length is unknown (chunked), not a bare TypeError, nor
    # 3.0 ("Content-Length: 135.0"), and its bytes still go (None left it at its end: an empty part)

    class Odd:
        def __init__(self, pos):
            self.pos, self.data = pos, b"PAYLOAD"

        def read(self, n=-1):
            d, self.data = self.data, b""
            return d

        def tell(self):
            return self.pos

        def seek(self, *a):
            if a == (0, 2):
                self.data = b""
            return self.pos

    for pos in ("?", None, 0.0):
        mp = forms.Multipart([("f", forms.Value(Odd(pos)))], rng=lambda n: b"\x02" * n)
        assert mp.length is None and b"PAYLOAD" in b"".join([bytes(p) for p in mp.pieces(bytearray(32))]), pos
    # NUL has no escape: refused, in a field name, a file name and a part's content type
    raises(UsageError, forms.Multipart, [("a\x00b", "v")])
    raises(UsageError, forms.Multipart, [("f", forms.File(b"x", "a\x00.txt"))])
    raises(UsageError, forms.Multipart, [("f", forms.File(b"x", "f", "text/plain\x00"))])
    for ct in ("text/plain\r\nX: y", "text/plain\rX: y", "text/plain\nX: y"):
        raises(UsageError, forms.Multipart, [("f", forms.File(b"x", "f", ct))])
        raises(UsageError, forms.Multipart, [("f", forms.Value(b"x", content_type=ct))])
    raises(UsageError, Request("POST", "/", form=[("a\x00", forms.Value(b"x"))]).prepare, "h")


def test_request_inputs_that_cannot_go_on_the_wire_are_refused():
    """content_length must be an int (3.0 went out as "Content-Length: 3.0"); a bytes header value
    must be UTF-8; a head that cannot be encoded (CPython: a lone surrogate) is refused; all with
    UsageError, nothing else."""
    for n in (3.0, "3", True, -1):
        raises(UsageError, Request("POST", "/", body=b"abc", content_length=n).prepare, "h")
        raises(UsageError, Request("POST", "/", body=iter([b"abc"]), content_length=n).prepare, "h")
    raises(UsageError, Request("GET", "/", headers=[("X-B", b"\xff")]).prepare, "h")
    raises(UsageError, Request("POST", "/", body=b"x", content_type=b"text/\xff").prepare, "h")
    try:
        "\ud800".encode()
    except UnicodeError:  # CPython (MicroPython encodes it as it is)
        raises(UsageError, Request("GET", "/", headers=[("X-S", "\ud800")]).prepare, "h")


def test_a_target_with_non_ascii_characters_goes_out_percent_encoded():
    """RFC 3987 section 3.1: the UTF-8 bytes of each non-ASCII character as %XX (a Location with UTF-8
    in it is followed the same way); ASCII, including "%", stays as it is."""
    got = wire(Request("GET", "/caf\u00e9/\u20ac?q=\u00fc&r=%41"))
    assert got.startswith(b"GET /caf%C3%A9/%E2%82%AC?q=%C3%BC&r=%41 HTTP/1.1\r\n"), got


def test_tables_bodies_and_credentials_of_the_wrong_shape_are_usage_errors():
    """UsageError (they were ValueError, TypeError or AttributeError): headers or a query that are not
    (name, value) pairs and auth that is not a pair of str before anything is sent; a body that is no
    source and a chunk that is no bytes as the body goes out."""
    raises(UsageError, Request("GET", "/", headers=[("X-A",)]).prepare, "h")
    raises(UsageError, Request("GET", "/", headers=[("X-A", "1", "2")]).prepare, "h")
    raises(UsageError, Request("GET", "/", query=[("a",)]).prepare, "h")
    raises(UsageError, wire, Request("POST", "/", body=123))  # (found as its pieces are asked for)
    raises(UsageError, Request("GET", "/", auth=(b"u", b"p")).prepare, "h")
    raises(UsageError, Request("GET", "/", auth=("u",)).prepare, "h")
    raises(UsageError, wire, Request("POST", "/", body=[1, 2]))  # a chunk that is no bytes
    assert wire(Request("POST", "/", body=[b"a", "b"])).endswith(b"1\r\na\r\n1\r\nb\r\n0\r\n\r\n")


def test_a_buffer_size_that_is_no_positive_int_is_refused():
    from microhttpc.session import Session

    for bad in (-5, 1.5, "2048"):
        raises(UsageError, Session, "h", 80, buffer_size=bad)
