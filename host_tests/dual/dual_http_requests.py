"""Requests against the real aiohttp server (its /echo route reports what arrived): methods, targets,
query tables and hooks, header tables and hooks, Host, and bodies from bytes, callbacks, iterators
and files, with Content-Length or chunked."""

import io

import microhttpc
from microhttpc import Request
from microhttpc.errors import HeaderNotAllowed, UsageError
from microhttpc.bodies import quote
from microhttpc.request import encode_pairs
from check import raises, server


def conn():
    host, port = server("http")
    return microhttpc.Connection(host, port, timeout=10)


def echo(c, method="GET", target="/echo", **kw):
    r = c.request(method, target, **kw)
    assert r.status == 200, r.status
    return r.json()


def header(d, name):
    """All values of ``name`` in the echoed request headers."""
    return [v for k, v in d["headers"] if k.lower() == name.lower()]


def test_every_method_including_patch():
    c = conn()
    for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "post"):
        d = echo(c, m)
        assert d["method"] == m.upper() and d["version"] == "1.1"
    r = c.request("HEAD", "/echo")
    assert r.status == 200 and r.read() == b""
    raises(UsageError, c.request, "GE T", "/echo")
    c.close()


def test_absolute_uri_target_of_this_origin():
    host, port = server("http")
    c = conn()
    d = echo(c, "GET", "http://%s:%d/echo?x=1" % (host, port))
    assert d["raw_path"] == "/echo?x=1"
    raises(UsageError, c.request, "GET", "http://%s:%d/echo" % (host, port + 1))
    raises(UsageError, c.request, "GET", "echo")  # neither a path nor an absolute URI
    c.close()


def test_query_table_percent_encoding():
    assert quote("AZaz09-._~") == "AZaz09-._~"  # RFC 3986 unreserved: kept
    assert quote("a b/?&=+%#\u00e9") == "a%20b%2F%3F%26%3D%2B%25%23%C3%A9"
    assert encode_pairs([("k", None), ("a", "1")]) == "k&a=1"
    c = conn()
    d = echo(c, query=[("a b", "\u00fc/&"), ("flag", None), ("n", 5), ("a b", "2")])
    assert d["raw_path"] == "/echo?a%20b=%C3%BC%2F%26&flag&n=5&a%20b=2"
    assert d["query"] == [["a b", "\u00fc/&"], ["flag", ""], ["n", "5"], ["a b", "2"]]
    d = echo(c, target="/echo?fixed=1", query={"more": "x~y"})
    assert d["raw_path"] == "/echo?fixed=1&more=x~y"
    # a target that ends in "?" or "&" gets no second separator (it went out as "/echo?&a=2")
    assert echo(c, target="/echo?", query={"a": 2})["raw_path"] == "/echo?a=2"
    assert echo(c, target="/echo?b=1&", query={"a": 2})["raw_path"] == "/echo?b=1&a=2"
    assert echo(c, target="/echo?", query={})["raw_path"] == "/echo?"
    c.close()


def test_list_values_repeat_the_key():
    # A list went out as its repr in a query (?tag=%5B%27a%27...), and in a form as one multipart part
    # holding the items joined ("ab"); a dict or a set as its repr.  Now the key once for each value,
    # as requests and urlencode(doseq=True) do, and UsageError for what is no str, bytes or number.
    c = conn()
    d = echo(c, query=[("tag", ["a", "b"]), ("n", (1, 2.5)), ("none", [])])
    assert d["raw_path"] == "/echo?tag=a&tag=b&n=1&n=2.5", d["raw_path"]
    d = echo(c, "POST", form={"tag": ["a", "b"]})
    assert header(d, "Content-Type") == ["application/x-www-form-urlencoded"], header(d, "Content-Type")
    assert d["body"] == "tag=a&tag=b", d["body"]
    for bad in ({"d": {"x": 1}}, {"s": [{"x"}]}, [("k", object())]):
        raises(UsageError, c.request, "GET", "/echo", query=bad)
    for bad in ({"d": {"x": 1}}, [("k", object())]):  # (a form's other values are streamed parts' sources)
        raises(UsageError, c.request, "POST", "/echo", form=bad)
    assert echo(c)["method"] == "GET"  # (nothing went out: the connection carries on)
    c.close()


def test_query_and_headers_from_callbacks():
    calls = []

    def query_hook():
        calls.append("q")
        return [("from", "hook"), ("x", None)]

    def header_hook():
        calls.append("h")
        yield ("X-From-Hook", "yes")
        yield ("X-Second", 2)

    c = conn()
    d = echo(c, query=query_hook, headers=header_hook)
    assert d["raw_path"] == "/echo?from=hook&x"
    assert header(d, "X-From-Hook") == ["yes"] and header(d, "x-second") == ["2"]
    assert calls.count("h") == 1 and calls.count("q") == 1  # each hook once per request
    c.close()


def test_any_header_name_and_injection_refused():
    c = conn()
    d = echo(c, headers=[("X-Custom-Name", "v1"), ("x-custom-name", "v2"), ("Accept", "*/*")])
    assert header(d, "X-Custom-Name") == ["v1", "v2"]
    for bad in (("X-A", "v\r\nInjected: 1"), ("X-A", "v\nx"), ("X-A", "v\x00"), ("Bad Name", "v"),
                ("X-\r\nA", "v"), ("", "v")):
        raises(UsageError, c.request, "GET", "/echo", headers=[bad])
    for owned in ("Host", "content-length", "Transfer-Encoding"):
        raises(HeaderNotAllowed, c.request, "GET", "/echo", headers={owned: "1"})
    # the refused requests sent nothing: the connection still works
    assert echo(c)["method"] == "GET"
    c.close()


def test_host_header_with_port_unless_default():
    host, port = server("http")
    d = echo(conn())
    assert header(d, "Host") == ["%s:%d" % (host, port)]
    assert microhttpc.Connection("example.com").host_header == "example.com"
    assert microhttpc.Connection("example.com", 443, tls=True).host_header == "example.com"
    assert microhttpc.Connection("example.com", 8443, tls=True).host_header == "example.com:8443"
    assert microhttpc.Connection("example.com", 443).host_header == "example.com:443"
    assert microhttpc.Connection("::1", 8080).host_header == "[::1]:8080"
    assert microhttpc.Connection("example.com", tls=True).port == 443


def test_body_bytes_str_and_empty():
    c = conn()
    d = echo(c, "POST", body=b"\x00\x01binary")
    assert d["body"] == "\x00\x01binary" and header(d, "Content-Length") == ["8"]
    d = echo(c, "PUT", body="text \u00e9")
    assert d["body"] == "text \u00c3\u00a9" and header(d, "Content-Length") == ["7"]  # UTF-8, seen as latin-1
    d = echo(c, "POST")
    assert header(d, "Content-Length") == ["0"] and d["body"] == ""
    d = echo(c, "POST", body=b"x" * 1500, content_type="application/octet-stream")  # head, then body
    assert len(d["body"]) == 1500 and header(d, "Content-Type") == ["application/octet-stream"]
    c.close()


def test_body_from_callback_with_known_length():
    state = {"left": 10}

    def fill(buf):  # HTTPc OnBodyTx: fill the buffer, return the count, 0 at the end
        n = min(4, state["left"], len(buf))
        for i in range(n):
            buf[i] = 0x61 + (state["left"] - i - 1) % 26
        state["left"] -= n
        return n

    c = conn()
    d = echo(c, "POST", body=fill, content_length=10)
    assert header(d, "Content-Length") == ["10"] and not header(d, "Transfer-Encoding")
    assert d["body"] == "jihgfedcba"
    c.close()


def test_body_from_iterator_is_chunked():
    c = conn()
    d = echo(c, "POST", body=iter([b"one,", "two,", b"", b"three"]))
    assert header(d, "Transfer-Encoding") == ["chunked"] and not header(d, "Content-Length")
    assert d["body"] == "one,two,three"
    d = echo(c, "PATCH", body=(b"%d;" % i for i in range(3)), content_length=6)
    assert header(d, "Content-Length") == ["6"] and d["body"] == "0;1;2;"
    c.close()


def test_body_from_file_object():
    c = conn()
    d = echo(c, "PUT", body=io.BytesIO(b"file contents " * 90), content_length=1260)
    assert d["body"] == "file contents " * 90
    d = echo(c, "PUT", body=io.BytesIO(b"unknown length"))
    assert header(d, "Transfer-Encoding") == ["chunked"] and d["body"] == "unknown length"
    c.close()


def test_body_length_mismatch_is_refused():
    c = conn()
    raises(UsageError, c.request, "POST", "/echo", body=iter([b"abc"]), content_length=5)
    raises(UsageError, c.request, "POST", "/echo", body=iter([b"abcdef"]), content_length=5)
    raises(UsageError, c.request, "POST", "/echo", body=b"abc", content_length=5)
    raises(UsageError, c.request, "POST", "/echo", body=b"abc", form={"a": "b"})
    assert echo(c)["method"] == "GET"  # a broken request never poisons the next one
    c.close()


def test_request_object_and_user_data():
    c = conn()
    c.user_data = {"board": 1}
    req = Request("POST", "/echo", headers={"X-Req": "1"}, query={"q": "1"}, body=b"hi", user_data=[42])
    r = c.send(req)
    d = r.json()
    assert d["raw_path"] == "/echo?q=1" and d["body"] == "hi"
    assert r.request is req and req.user_data == [42] and c.user_data == {"board": 1}
    r.user_data = "mine"
    assert r.user_data == "mine"
    # the same object sent again gives the same request
    assert c.send(req).json()["raw_path"] == "/echo?q=1"
    c.close()


def test_port_zero_and_a_port_of_many_digits_are_refused():
    # Port 0 became 80 (port or default), and a URL's port of 5,000 digits raised CPython's ValueError
    # (its limit on converting long digit strings): both UsageError now, on every layer.
    import asyncio
    import sys

    from microhttpc import aio
    from microhttpc.poll import Engine

    raises(UsageError, microhttpc.Connection, "127.0.0.1", 0)
    raises(UsageError, aio.Connection, "127.0.0.1", 0)
    raises(UsageError, Engine().connect, "127.0.0.1", 0)
    many = 5000 if sys.implementation.name == "cpython" else 50  # (MicroPython: a board-sized heap)
    raises(UsageError, microhttpc.get, "http://127.0.0.1:" + "9" * many + "/")
    raises(UsageError, asyncio.run, aio.get("http://127.0.0.1:" + "9" * many + "/"))
    assert microhttpc.Connection("127.0.0.1").port == 80


def test_a_fragment_in_a_target_is_not_sent():
    # "/echo?x=1#f" with query={"y": "2"} went out as "/echo?x=1#f&y=2": the fragment stays home.
    import json

    h, p = server("http")
    c = microhttpc.Connection(h, p, timeout=5)
    try:
        r = c.request("GET", "/echo?x=1#frag", query={"y": "2"})
        assert json.loads(r.read())["raw_path"] == "/echo?x=1&y=2"
    finally:
        c.close()
