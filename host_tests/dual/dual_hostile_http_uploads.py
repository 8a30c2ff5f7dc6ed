"""Request bodies the server must receive exactly, through the three I/O layers (both runtimes): chunks
that are views of items wider than a byte, and a multipart form answered with a redirect to GET."""

import json

from check import server
from pumps_http import open_client, per_layer


def _sent(c, **kw):
    r = c.request("POST", "/echo", **kw)
    return json.loads(r.body)


def _wide_views(layer):
    # A chunk or a form value that is a memoryview of an array of 2-byte items: len() counts items, so
    # the chunk size (and a Content-Length) said 3 for 6 bytes, and the rest went out as the start of
    # the next request.  Their bytes go now, and the connection carries the next request as it was.
    from array import array

    from microhttpc.forms import Value

    h, p = server("http")
    c = open_client(layer, h, p, timeout=10)
    try:
        six = bytes(memoryview(array("H", [0x4141, 0x4242, 0x4343])))
        d = _sent(c, body=iter([memoryview(array("H", [0x4141, 0x4242, 0x4343]))]))
        assert d["body"] == six.decode(), d["body"]
        d = _sent(c, body=iter([memoryview(array("H", [0x4141, 0x4242, 0x4343]))]), content_length=6)
        assert d["body"] == six.decode(), d["body"]
        d = _sent(c, form={"v": Value(memoryview(array("H", [0x4141, 0x4242, 0x4343])))}, multipart=True)
        assert six.decode() in d["body"], d["body"]
        assert c.request("GET", "/hello").body == b"hello world"
    finally:
        c.close()


per_layer(globals(), "wide_views", _wide_views)


def _multipart_redirected_to_get(layer):
    # form=..., multipart=True answered with 303: the redirect is a GET without the form, as for any
    # other body (it was UsageError: "multipart is True or False, with the fields in form=").
    h, p = server("http")
    c = open_client(layer, h, p, timeout=10, follow_redirects=3)
    try:
        r = c.request("POST", "/redirect/303", query={"to": "/echo"}, form={"a": "1"}, multipart=True)
        d = json.loads(r.body)
        assert r.status == 200 and d["method"] == "GET" and d["body"] == "", d
    finally:
        c.close()


per_layer(globals(), "multipart_redirected_to_get", _multipart_redirected_to_get)


def _redirect_before_the_body_went_out(layer):
    # A 303 that comes as soon as the head is read, the connection kept and the rest of a 16 MB upload
    # unread: the next hop goes on a new connection (poll wrote its head inside the body, and went on
    # with the body after it, to another origin too).  (4 MB, before, fitted the socket buffers of a
    # Linux with tcp_wmem's default 4 MiB and a larger tcp_rmem: the whole body went out before the 303
    # was read, and a client can't tell that from an answer that came after it.)
    from pumps_http import raw

    def body():
        chunk = b"u" * 1000
        for _ in range(16000):
            yield chunk

    h, p = raw()
    c = open_client(layer, h, p, timeout=3, follow_redirects=2)
    try:
        r = c.request("POST", "/raw/early-303", body=body())
        assert r.status == 200 and r.body == b"genuine", (r.status, r.body)
    finally:
        c.close()


per_layer(globals(), "redirect_before_the_body_went_out", _redirect_before_the_body_went_out)


def _text_file_part(layer):
    # A form file whose source is a text file (StringIO) of non-ASCII text: its bytes go out whole (on
    # CPython its length was counted in characters, and the upload failed with "gave more than its
    # length": 5 for the 6 bytes of "héllo").
    import io

    from microhttpc.forms import File

    h, p = server("http")
    c = open_client(layer, h, p, timeout=10)
    try:
        d = _sent(c, form={"f": File(io.StringIO("h\u00e9llo"), "a.txt", "text/plain")})
        assert "h\u00c3\u00a9llo\r\n" in d["body"], d["body"]  # (its UTF-8 bytes, as the server shows them: Latin-1)
    finally:
        c.close()


per_layer(globals(), "text_file_part", _text_file_part)
