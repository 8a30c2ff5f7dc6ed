"""What a user of requests expects, where microhttpc differed silently (found by an outside comparison
with requests' documented behaviour): text() follows the charset that Content-Type names (a Latin-1
body labelled so read as UTF-8, its accents U+FFFD); headers[name] of a header sent on more than one
line joins its values with ", " (the later lines were lost); a lone surrogate in a body chunk or a
form value is UsageError on CPython, as in every other place text is given (it was a bare
UnicodeEncodeError)."""

from check import raises, server
from microhttpc.errors import UsageError
from microhttpc.textbody import codec
from microhttpc.http11 import Headers
from microhttpc.request import Request
from microhttpc.rt import MICROPYTHON
from pumps_http import open_client, per_layer


def _ct(value):
    return Headers([("Content-Type", value)])


def test_the_default_codec_is_the_charset_content_type_names():
    latin1 = "latin-1" if MICROPYTHON else "ISO-8859-1"  # (MicroPython: the name its decoder takes)
    assert codec(None, _ct('text/plain; charset="ISO-8859-1"')) == latin1
    assert codec(None, _ct("text/html;CHARSET=iso-8859-1 ; q=1")) == ("latin-1" if MICROPYTHON else "iso-8859-1")
    assert codec(None, _ct("text/plain; charset=utf-8")) == "utf-8"
    for value in ("text/plain", "text/plain; charset=x-no-such-codec", "text/plain; charset", "text/plain;;"):
        assert codec(None, _ct(value)) == "utf-8", value  # (none the runtime has: UTF-8, as before)
    assert codec(None, Headers()) == "utf-8"
    twice = Headers([("Content-Type", "text/plain; charset=latin-1"), ("Content-Type", "text/plain; charset=latin-1")])
    assert codec(None, twice) == "latin-1"  # (a line sent twice: joined, its charset was not read)
    assert codec("ascii", _ct("text/plain; charset=utf-8")) == "ascii"  # (one given wins)


def _text_follows_the_charset(layer):
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/latin1-body", read=False)  # (charset=iso-8859-1)
        assert c.call(r, "text") == "caf\xe9 \xff\x80 ok"
        r = c.request("GET", "/raw/latin1-body", read=False)
        assert c.call(r, "text", "utf-8") == "caf\ufffd \ufffd\ufffd ok"
    finally:
        c.close()


per_layer(globals(), "text_follows_the_charset", _text_follows_the_charset)


def test_a_repeated_header_reads_as_its_values_joined():
    h = Headers([("Cache-Control", "no-cache"), ("X-A", "1"), ("cache-control", "no-store"), ("Link", "<a>")])
    assert h["CACHE-CONTROL"] == "no-cache, no-store" and h.get("cache-control") == "no-cache, no-store"
    assert h.get_all("cache-control") == ["no-cache", "no-store"] and h["x-a"] == "1" and h.get("Link") == "<a>"
    assert h.get("nope") is None and h.get("nope", 7) == 7 and "nope" not in h
    assert h.tokens("cache-control") == ["no-cache", "no-store"]
    raises(KeyError, h.__getitem__, "nope")


def _multi_headers(layer):
    c = open_client(layer, *server("http"), timeout=5)
    try:
        r = c.request("GET", "/multi-headers")
        assert r.raw.headers["set-cookie"] == "a=1, b=2, c=3", r.raw.headers.items()
        assert r.raw.headers["X-Custom-Thing"] == "one, two"
        assert r.raw.headers.get_all("set-cookie") == ["a=1", "b=2", "c=3"]
    finally:
        c.close()


per_layer(globals(), "a_repeated_header_through_a_response", _multi_headers)


def _wire(req):
    head, body = req.prepare("h", False)
    return head + b"".join([bytes(p) for p in req.body_pieces(body, bytearray(8))])


def test_a_lone_surrogate_in_a_body_chunk_or_a_form_value():
    from microhttpc import forms

    s = "a\ud800b"
    cases = (lambda: _wire(Request("POST", "/", body=iter([s]))), lambda: forms.Value(s),
             lambda: forms.File(s, "f.txt"), lambda: _wire(Request("POST", "/", form=[("f", s)], multipart=True)))
    try:
        s.encode()
    except UnicodeError:  # CPython: UsageError, as for body=s, json= or headers=
        for fn in cases:
            e = raises(UsageError, fn)
            assert "surrogate" in str(e), e
        return
    for fn in cases:  # MicroPython: a str is sent as the bytes it holds
        fn()
    assert _wire(Request("POST", "/", body=iter([s]))).endswith(b"\r\n" + s.encode() + b"\r\n0\r\n\r\n")


def test_a_host_with_a_lone_surrogate_is_a_usage_error():
    # (found by an outside hunt of URLs and hosts) CPython makes one of a byte that sys.argv, a file name
    # or the environment could not decode: every entry point raised a bare UnicodeEncodeError, and the
    # CLI a traceback (exit 1).  MicroPython holds it as bytes: a name its resolver refuses.
    from microhttpc import Connection
    from microhttpc.poll import Engine
    from microhttpc.urlsplit import split_url

    host = "\udcff"
    try:
        host.encode()
    except UnicodeError:
        raises(UsageError, split_url, "http://%s/" % host)
        raises(UsageError, split_url, "ws://%s:81/x" % host)
        raises(UsageError, Connection, host, 80)
        raises(UsageError, Engine().connect, host, 80)
        return
    assert split_url("http://%s:81/" % host) == ("http", host, 81, "/")


def test_the_url_of_an_answer_to_options_star_is_the_servers():
    # (RFC 9112 section 3.2.4: the asterisk form asks the server itself; "http://h:81*" was no URL, and
    # a relative Location in answer to OPTIONS * failed as "invalid port")
    from microhttpc.urls import make_url, resolve_url

    assert make_url("http", "h", 81, "*") == "http://h:81" and make_url("https", "::1", 443, "*") == "https://[::1]"
    assert resolve_url(make_url("http", "h", 81, "*"), "/other") == "http://h:81/other"
    assert make_url("http", "h", 80, "/a*") == "http://h/a*"
