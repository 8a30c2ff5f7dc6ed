"""Request bodies and forms a new user (or a broken file object) gets wrong, through the three layers
(pumps_http): each is UsageError, and the connection goes on (poll's: a new one).  Before: a body file's
readinto() count was taken as it came (-1 uploaded all but one byte of the buffer it was given, on the
blocking layer the connection's receive buffer, which held the response before; a count over the
buffer was cut to it; None, a non-blocking file, ended the body); a form value's length=3.0 went out
as "Content-Length: 135.0", length=-1 as a wrong Content-Length; form="abc", [("a",)] or 5 raised a
bare ValueError / TypeError, a non-UTF-8 field or file name UnicodeError, json= nested too deep (a
list that holds itself) RecursionError / RuntimeError, and on CPython a lone surrogate in auth= or a
field name UnicodeEncodeError.  (A module of its own: the MicroPython test process of
dual_hostile_api_values has little heap to spare.)"""

import sys

from check import raises
from pumps_http import GENUINE, open_client, per_layer

MICROPYTHON = sys.implementation.name == "micropython"


class _Broken:
    """A body file whose readinto() gives ``count`` once (then the end), or whose read() does."""

    def __init__(self, count, method="readinto"):
        self.count = count
        setattr(self, method, self._give)

    def _give(self, buf):
        count, self.count = self.count, 0
        return count


class _BadIter:
    def __iter__(self):
        return 5


def _holds_itself():
    box = []
    box.append(box)  # (as deep as json= can go, in 16 bytes)
    return box


def _forms_and_values(layer):
    from microhttpc import forms
    from microhttpc.errors import UsageError

    for bad in (3.0, -1, "3", True):
        raises(UsageError, forms.Value, b"x", bad)
    odd = [{"form": "abc"}, {"form": [("a",)]}, {"form": 5}, {"form": [(b"\xff", forms.Value(b"x"))]},
           {"form": [("f", forms.File(b"x", b"\xff.bin"))]}, {"json": _holds_itself()},
           # A multipart field or file name that is None or a list went out as "None" and "['a.bin']";
           # auth="up" as user "u", password "p"; rng giving text and a body whose __iter__ gives no
           # iterator (MicroPython's iter() took it) were bare TypeErrors
           {"form": [(None, "v")], "multipart": True}, {"form": [(["a", "b"], "v")], "multipart": True},
           {"form": [("f", forms.File(b"x", ["a.bin"]))]}, {"auth": "up"}, {"auth": b"up"},
           {"form": {"a": "b"}, "multipart": True, "rng": lambda n: "x" * n}, {"body": _BadIter()}]
    if not MICROPYTHON:
        odd += [{"auth": ("\ud800", "pw")}, {"form": [("\ud800", forms.Value(b"x"))]}]
    c = open_client(layer, timeout=5)
    try:
        for kw in odd:
            raises(UsageError, c.request, "POST", "/raw/genuine", **kw)
        assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()


def _body_file_counts(layer):
    # Each is UsageError, the head already sent: the connection is dropped (the next request
    # reconnects; poll's stays closed).
    from microhttpc.errors import UsageError

    for body in (_Broken(-1), _Broken(1 << 20), _Broken(None), _Broken(2.5), _Broken(None, "read"),
                 _Broken(5, "read"), lambda buf: -1):
        c = open_client(layer, timeout=5)
        try:
            assert c.request("GET", "/raw/genuine").body == GENUINE  # (a response through the buffer)
            raises(UsageError, c.request, "POST", "/raw/genuine", body=body)
            if layer == "poll":  # (its connection is closed for good: a new one)
                c.close()
                c = open_client(layer, timeout=5)
            assert c.request("GET", "/raw/genuine").body == GENUINE
        finally:
            c.close()


def _memoryview_bodies(layer):
    # Every byte of a memoryview body goes out, in order: a view of wider items (an array's), and on
    # CPython a strided one (m[::2]), whose bytes went out as a contiguous run from its start (silent
    # corruption: the server got 0,1,2... for 0,2,4...) or raised a bare BufferError from 1 KiB up.
    import json
    from array import array

    from check import server

    data = bytes(range(256)) * (2 if MICROPYTHON else 12)  # (the server's JSON escapes most bytes in 6)
    bodies = [memoryview(data)[3:-3], memoryview(array("H", range(200)))]
    if not MICROPYTHON:  # (MicroPython's memoryview takes no step)
        bodies += [memoryview(data)[:200:2], memoryview(data)[::2], memoryview(bytearray(data))[1::3]]
    host, port = server("http")
    c = open_client(layer, host, port, timeout=5)
    try:
        for body in bodies:
            r = c.request("POST", "/echo", body=body)
            assert r.status == 200, r
            got = json.loads(r.body)["body"]  # (the server's latin-1 text: MicroPython has no such codec)
            assert bytes(ord(ch) for ch in got) == bytes(body), len(body)
    finally:
        c.close()


per_layer(globals(), "forms_and_values", _forms_and_values)
per_layer(globals(), "memoryview_bodies", _memoryview_bodies)
per_layer(globals(), "body_file_counts", _body_file_counts)
