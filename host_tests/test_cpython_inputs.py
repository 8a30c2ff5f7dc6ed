"""CPython-only inputs that MicroPython cannot make (it has no memoryview shapes and no int-to-str
limit): each is sent as the same bytes, or refused with UsageError, not a bare TypeError / ValueError
(an outside review): a 0-d memoryview body or multipart value (``memoryview(b"a").cast("B", ())``),
and json= with an int of more than 4,300 digits."""

import os

import pytest

from microhttpc import Connection, forms
from microhttpc.errors import UsageError


def _conn():
    host, port = os.environ["MHC_HTTP"].rsplit(":", 1)
    return Connection(host, int(port), timeout=5)


def test_a_0d_memoryview_body_and_form_value(live_servers):
    c = _conn()
    zero = memoryview(b"a").cast("B", ())
    assert c.request("POST", "/echo", body=zero).json()["body"] == "a"
    d = c.request("POST", "/form", form=[("k", zero)], multipart=True).json()
    assert d["fields"] == [["k", None, None, "a"]], d["fields"]
    d = c.request("POST", "/form", form=[("f", forms.File(zero, "z.bin"))]).json()
    assert d["fields"][0][0] == "f" and d["fields"][0][1] == "z.bin", d["fields"]
    two = memoryview(b"abcdef").cast("B", (2, 3))
    d = c.request("POST", "/form", form=[("k", forms.Value(two))]).json()
    assert d["fields"] == [["k", None, None, "abcdef"]], d["fields"]
    c.close()


def test_json_with_an_int_over_the_str_limit_is_usage_error(live_servers):
    c = _conn()
    with pytest.raises(UsageError):
        c.request("POST", "/echo", json={"n": 10**5000})
    assert c.request("GET", "/hello").read() == b"hello world"
    c.close()
