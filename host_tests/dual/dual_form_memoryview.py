"""A memoryview in a form or a query is bytes as a bytearray is (a form with one went out as
multipart/form-data without a word, and a 307 was then not followed: the form counted as read as it is
sent; in a query it was UsageError; an outside hunt).  Against the real aiohttp server; both runtimes."""

import microhttpc
from check import server


def test_memoryview_form_value_is_urlencoded_and_followed_through_a_307():
    host, port = server("http")
    c = microhttpc.Connection(host, port, timeout=10)
    for v in (b"x y", bytearray(b"x y"), memoryview(b"x y"), memoryview(b"-x y-")[1:4]):
        d = c.request("POST", "/form", form={"a": v}).json()
        assert d["content_type"] == "application/x-www-form-urlencoded", (v, d["content_type"])
        assert d["fields"] == [["a", None, None, "x y"]], (v, d["fields"])
        r = c.request("POST", "/redirect/307?to=/form", form={"a": v}, follow_redirects=2)
        assert r.status == 200 and len(r.history) == 1, (v, r.status, r.history)
        assert r.json()["fields"] == [["a", None, None, "x y"]]
        q = c.request("GET", "/echo", query={"a": v}).json()["query"]
        assert q == [["a", "x y"]], (v, q)
    c.close()


def test_memoryview_field_name_in_a_multipart_form():
    # (a bytearray name was taken there, a memoryview one was UsageError: a review)
    host, port = server("http")
    c = microhttpc.Connection(host, port, timeout=10)
    for k in (b"k y", bytearray(b"k y"), memoryview(b"k y")):
        d = c.request("POST", "/form", form=[(k, "v")], multipart=True).json()
        assert d["fields"] == [["k y", None, None, "v"]], (k, d["fields"])
    c.close()
