"""Forms against the real aiohttp server (its /form route parses what arrived): urlencoded and
multipart, values from callbacks, files from file objects and callbacks, random boundaries."""

import io

import microhttpc
from microhttpc import forms
from microhttpc.errors import HeaderNotAllowed, UsageError
from check import raises, server


def post_form(form, **kw):
    host, port = server("http")
    c = microhttpc.Connection(host, port, timeout=10)
    r = c.request("POST", "/form", form=form, **kw)
    assert r.status == 200, r.status
    d = r.json()
    c.close()
    return d


def test_urlencoded_form():
    d = post_form([("name", "J\u00fcrgen & Co"), ("empty", ""), ("n", 3), ("sym", "a+b=c%")])
    assert d["content_type"] == "application/x-www-form-urlencoded"
    assert d["fields"] == [["name", None, None, "J\u00fcrgen & Co"], ["empty", None, None, ""],
                           ["n", None, None, "3"], ["sym", None, None, "a+b=c%"]]
    assert d["length"] is not None and d["te"] is None


def test_multipart_key_values():
    d = post_form({"a": "1", "b": "two words"}, multipart=True)
    assert d["content_type"].startswith("multipart/form-data; boundary=")
    assert sorted(d["fields"]) == [["a", None, None, "1"], ["b", None, None, "two words"]]
    assert d["length"] is not None and d["te"] is None  # every length known: Content-Length


def test_multipart_files_and_streamed_values():
    state = {"n": 0}

    def value_cb(buf):  # HTTPc OnValTx: fill buf, return the count (0: done)
        if state["n"] >= 3:
            return 0
        buf[0] = 0x41 + state["n"]
        state["n"] += 1
        return 1

    def file_cb(buf):
        data = b"from a callback"
        if state.get("file"):
            return 0
        state["file"] = True
        buf[: len(data)] = data
        return len(data)

    blob = bytes(range(256)) * 2
    form = [
        ("plain", "value"),
        ("streamed", forms.Value(value_cb, length=3)),
        ("upload", forms.File(io.BytesIO(blob), "data.bin")),
        ("notes", forms.File(file_cb, 'we"ird\r\nname.txt', "text/plain", length=15)),
    ]
    d = post_form(form)
    assert d["length"] is not None and d["te"] is None  # lengths known (BytesIO seeks): Content-Length
    f = d["fields"]
    assert f[0] == ["plain", None, None, "value"]
    assert f[1] == ["streamed", None, None, "ABC"]
    assert f[2][:3] == ["upload", "data.bin", "application/octet-stream"]
    assert len(f[2][3]) == 512 and f[2][3] == "".join([chr(b) for b in blob])
    assert f[3][0] == "notes" and f[3][2] == "text/plain" and f[3][3] == "from a callback"
    assert '"' not in f[3][1] and "\n" not in f[3][1]  # escaped, so no header injection


def test_multipart_unknown_length_is_chunked():
    d = post_form([("gen", forms.Value(iter([b"x" * 700, b"y" * 700])))])
    assert d["te"] == "chunked" and d["length"] is None
    assert d["fields"] == [["gen", None, None, "x" * 700 + "y" * 700]]


def test_boundary_is_random_and_injectable():
    a = forms.Multipart([("k", "v")])
    b = forms.Multipart([("k", "v")])
    assert a.boundary != b.boundary and len(a.boundary) <= 70
    fixed = forms.Multipart([("k", "v")], rng=lambda n: b"\x01" * n)
    assert fixed.boundary == "----microhttpc" + "01" * 12
    body = b"".join([bytes(p) for p in fixed.pieces(bytearray(64))])
    assert len(body) == fixed.length
    assert body == (b"------microhttpc" + b"01" * 12
                    + b'\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n'
                    + b"------microhttpc" + b"01" * 12 + b"--\r\n")


def test_form_errors():
    raises(HeaderNotAllowed, post_form, {"a": "b"}, headers={"Content-Type": "text/plain"})
    raises(UsageError, post_form, [("v", forms.Value(iter([b"abc"]), length=5))])
    raises(UsageError, forms.Multipart, [("f", forms.File(b"x", "f", "text/plain\r\nX: y"))])
