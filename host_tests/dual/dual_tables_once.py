"""Tables given as iterators (a generator of pairs) for ``form=``, ``headers=`` and ``query=``: each is
read more than once (the form's kind, then its pairs; every hop of a redirect chain), and all of it
goes out every time.  Through the three layers, on both runtimes."""

import json

from check import server
from pumps_http import open_client, per_layer


def _form_iterators(layer):
    # form=iter(pairs) went out empty: the check for a streamed value used the iterator up (a File
    # among them: the closing boundary alone).
    import io

    from microhttpc import forms

    h, p = server("http")
    c = open_client(layer, h, p, timeout=10)
    try:
        d = json.loads(c.request("POST", "/echo", form=iter([("a", "1"), ("b", "2")])).body)
        assert d["body"] == "a=1&b=2", d
        f = forms.File(io.BytesIO(b"xyz"), "f.bin")
        d = json.loads(c.request("POST", "/echo", form=(kv for kv in [("a", "1"), ("f", f)])).body)
        assert 'name="a"' in d["body"] and 'name="f"' in d["body"] and "xyz" in d["body"], d
    finally:
        c.close()


per_layer(globals(), "form_iterators", _form_iterators)


def _headers_and_query_iterators_through_redirects(layer):
    # headers=iter(pairs): the hops after the first went without them.
    h, p = server("http")
    c = open_client(layer, h, p, timeout=10, follow_redirects=3)
    try:
        r = c.request("GET", "/redirect-chain/2", headers=iter([("X-Tag", "t1")]),
                      query=iter([("q", "1")]))
        d = json.loads(r.body)
        assert r.status == 200 and ["X-Tag", "t1"] in d["headers"], d
        r = c.request("GET", "/echo", query=(kv for kv in [("q", "1")]))
        assert json.loads(r.body)["query"] == [["q", "1"]], r.body
    finally:
        c.close()


per_layer(globals(), "headers_and_query_iterators_through_redirects", _headers_and_query_iterators_through_redirects)


def test_form_with_next_but_no_iter_is_usage_error():
    # An object with __next__ and no __iter__ was listed at once: a bare TypeError, not UsageError.
    from check import raises
    from microhttpc.errors import UsageError
    from microhttpc.request import Request

    class OnlyNext:
        def __next__(self):
            raise StopIteration

    raises(UsageError, Request, "POST", "/", form=OnlyNext())
