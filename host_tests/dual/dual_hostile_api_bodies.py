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
           {"form": [("f", forms.File(b"x", b"\xff.bin"))]}, {"json": _holds_itself()}]
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


per_layer(globals(), "forms_and_values", _forms_and_values)
per_layer(globals(), "body_file_counts", _body_file_counts)
