"""What users pass, as the bytes that go on the wire, on both runtimes: the sans-I/O request line and
head (http11.build_request_head, request.Request.prepare), the session's Host (session.Session), the
URL split (urlsplit.split_url) and the upgrade request (handshake.start_upgrade), fed directly."""

import sys

from check import raises

MP = sys.implementation.name == "micropython"


def _line(head):
    return head.split(b"\r\n", 1)[0]


def test_target_characters_no_uri_holds_are_percent_encoded():
    # RFC 3986 section 2: " < > \ ^ ` { | } are in no URI; they went out as they were (requests encodes
    # them).  What a URI may hold stays as it is, "!" and "~" included (they end the fast check too).
    from microhttpc.http11 import build_request_head

    assert _line(build_request_head("GET", '/a"<>{}|^`', [])) == b"GET /a%22%3C%3E%7B%7D%7C%5E%60 HTTP/1.1"
    assert _line(build_request_head("GET", "/a\\b", [])) == b"GET /a%5Cb HTTP/1.1"
    assert _line(build_request_head("GET", "/ok!~*'()[]?x=1&y=:@", [])) == b"GET /ok!~*'()[]?x=1&y=:@ HTTP/1.1"
    assert _line(build_request_head("GET", "/\u00e9|", [])) == b"GET /%C3%A9%7C HTTP/1.1"


def test_asterisk_target_only_alone_with_options():
    # RFC 9112 section 3.2.4: "*" is OPTIONS's alone; GET * and OPTIONS *?a=1 went out.
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    assert _line(Request("OPTIONS", "*").prepare("h")[0]) == b"OPTIONS * HTTP/1.1"
    raises(UsageError, Request("GET", "*").prepare, "h")
    raises(UsageError, Request("OPTIONS", "*", query={"a": "1"}).prepare, "h")


def test_method_checked_before_it_is_upper_cased():
    # CPython's upper() made "ßET" the token "SSET" (MicroPython refused it): refused on both.
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    raises(UsageError, Request, "\u00dfET", "/")
    assert Request("m-search", "/").method == "M-SEARCH"


def test_json_text_is_utf8_on_both_runtimes():
    # CPython escaped non-ASCII (\u00fc, 32 bytes), MicroPython sent UTF-8 (17): the same bytes now.
    from microhttpc.request import Request

    head, body = Request("POST", "/", json={"k": "\u00fc\u65e5"}).prepare("h")
    assert bytes(body) == '{"k":"\u00fc\u65e5"}'.encode() and b"Content-Length: 13\r\n" in head, (head, body)


def test_content_type_with_a_form_is_refused():
    # It was dropped without a word (the form's own type went out); in the headers it was refused.
    from microhttpc.errors import HeaderNotAllowed
    from microhttpc.request import Request

    raises(HeaderNotAllowed, Request("POST", "/", form={"a": "1"}, content_type="text/x-mine").prepare, "h")


def test_host_checked_where_the_connection_is_made():
    # CR, LF or NUL in a host: UsageError from the constructor on every layer (poll and aio resolved
    # it first: ConnectError).  CPython: a non-ASCII name goes in its IDNA form (it went as UTF-8).
    from microhttpc.errors import UsageError
    from microhttpc.session import Session

    for bad in ("127.0.0.1\r\nX-Injected: 1", "a\nb", "a\x00b"):
        raises(UsageError, Session, bad, 80)
    assert Session("example.com", 8080).host_header == "example.com:8080"
    assert Session("::1", 80).host_header == "[::1]"
    if not MP:
        assert Session("b\u00fccher.de", 8080).host_header == "xn--bcher-kva.de:8080"


def test_url_hosts_that_are_no_name_or_address():
    # "127.0.0.1:1:80" went to the resolver (ConnectError), "::1:80" was taken as [::1], "[127.0.0.1]"
    # as an IPv6 literal: UsageError (RFC 3986 section 3.2.2).
    from microhttpc.errors import UsageError
    from microhttpc.urlsplit import split_url

    for url in ("http://127.0.0.1:1:80/p", "http://::1:80/p", "http://[127.0.0.1]:80/", "http://[localhost]/",
                "http://a b/", "http://<host>/", 'http://a"b/', "http://a{b}/"):  # (these went to the resolver)
        raises(UsageError, split_url, url)
    assert split_url("http://[::1]:8080/p?q") == ("http", "::1", 8080, "/p?q")
    assert split_url("http://127.0.0.1:8080") == ("http", "127.0.0.1", 8080, "/")


def _session():
    from microhttpc import rtio
    from microhttpc.session import Session

    s = Session("example.com")
    s.clock = rtio  # (as the poll layer's connections)
    s.opened()
    return s


def test_upgrade_request_fragment_and_offers():
    # A fragment in the path went out in the request line (RFC 6455 section 3: never); a generator of
    # subprotocols was read by the check and offered as nothing ("Sec-WebSocket-Protocol: "); a repeated
    # offer, and a raw Sec-WebSocket-Protocol header that is no list of tokens, went out unchecked.
    from microhttpc.errors import UsageError
    from microhttpc.handshake import start_upgrade

    head = start_upgrade(_session(), "/ws?a=1#frag", None, (p for p in ["chat"]))
    assert _line(head) == b"GET /ws?a=1 HTTP/1.1" and b"\r\nSec-WebSocket-Protocol: chat\r\n" in head, head
    for headers, protos in (({"Sec-WebSocket-Protocol": "a b, {c}"}, None), ({"Sec-WebSocket-Protocol": ""}, None),
                            ({"Sec-WebSocket-Protocol": "x, y"}, ["x"]), (None, ["chat", "chat"]), (None, 5)):
        s = _session()
        raises(UsageError, start_upgrade, s, "/ws", headers, protos)
        assert s.ready  # refused before anything started
    head = start_upgrade(_session(), "/ws", {"Sec-WebSocket-Protocol": "x, y"}, ["z"])
    assert b"\r\nSec-WebSocket-Protocol: z\r\n" in head and b"\r\nSec-WebSocket-Protocol: x, y\r\n" in head


def test_str_and_float_subclasses_are_their_values():
    # MicroPython: a str subclass in a header name or value, content_type= or auth= was a bare TypeError
    # (its join() and + take no subclass), a float subclass in json= too (no arithmetic), and a str
    # subclass as a json= key went out quoted twice ({""k"":1}, JSON no parser reads): as plain values
    # now (the key: UsageError there, as MicroPython cannot write it).
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    class S(str):
        pass

    class F(float):
        pass

    head = Request("POST", "/", headers={S("X-A"): S("v")}, body=b"x", content_type=S("text/plain"),
                   auth=(S("u"), S("p"))).prepare("h")[0]
    assert b"\r\nX-A: v\r\n" in head and b"\r\nContent-Type: text/plain\r\n" in head, head
    assert b"\r\nAuthorization: Basic dTpw\r\n" in head, head
    assert Request("POST", "/", json={"a": F(1.5), "b": S("x")}).body == '{"a":1.5,"b":"x"}'
    raises(UsageError, Request, "POST", "/", json={"a": F("nan")})
    # and where a name is looked up in response headers, or an encoding named (UsageError, on both runtimes)
    from microhttpc.textbody import codec
    from microhttpc.http11 import Headers

    h = Headers([("Content-Type", "text/plain")])
    assert h.get(S("content-type")) == h[S("CONTENT-TYPE")] == "text/plain" and S("Content-Type") in h
    assert codec(S("latin-1")) in ("latin-1", "latin_1")
    if MP:
        raises(UsageError, Request, "POST", "/", json={S("k"): 1})
    else:
        assert Request("POST", "/", json={S("k"): 1}).body == '{"k":1}'


def test_headers_given_as_an_iterator_go_out_each_time():
    # A Request sent twice (a retry, a second send) lost headers= given as an iterator: the first
    # prepare() used it up (query= and form= iterators are listed when given).
    from microhttpc.request import Request

    r = Request("GET", "/", headers=iter([("X-A", "1"), ("X-B", "2")]))
    for _ in range(2):
        head = r.prepare("h")[0]
        assert b"\r\nX-A: 1\r\nX-B: 2\r\n" in head, head


def test_a_form_refuses_a_content_length_and_follow_redirects_false_is_zero():
    # content_length= with form= was dropped without a word (content_type= with form= was refused);
    # follow_redirects=False was 0 on a connection but UsageError on a request (requests' allow_redirects=False).
    from microhttpc.errors import HeaderNotAllowed, UsageError
    from microhttpc.request import Request

    raises(HeaderNotAllowed, Request("POST", "/", form={"a": "1"}, content_length=3).prepare, "h")
    raises(HeaderNotAllowed, Request("POST", "/", form={"a": "1"}, content_type="text/plain").prepare, "h")
    raises(HeaderNotAllowed, Request("POST", "/", form={"a": "1"}, headers={"content-type": "x/y"}).prepare, "h")
    head, body = Request("POST", "/", form={"a": "1 2"}).prepare("h")
    assert body == b"a=1+2" and b"\r\nContent-Length: 5\r\nContent-Type: application/x-www-form-urlencoded\r\n" in head, head
    assert Request("GET", "/", follow_redirects=False).follow_redirects == 0
    for v in (True, "", [], b"", 1.0):  # (False alone is 0: a first fix took any falsy value)
        raises(UsageError, Request, "GET", "/", follow_redirects=v)
