"""``jsonbody`` (json()'s code, ~2.6 KB of a board's heap) loads at the first json(), as the README's
layout table says, not with ``extras`` (json=, auth=, raise_for_status(), iter_lines()): extras
imported its JSONDecodeError.  The error class is found by name all the same."""

import sys

from check import server

from microhttpc import Connection


def test_json_request_does_not_load_jsonbody():
    fresh = "microhttpc.jsonbody" not in sys.modules  # (a process of its own: the runtimes' runs)
    c = Connection(*server("http"), timeout=5)
    try:
        r = c.request("POST", "/echo", json={"a": 1}, auth=("u", "p"))
        r.raise_for_status()
        assert r.status == 200 and b"Basic dTpw" in r.read(), r.read()[:200]
        assert "microhttpc.extras" in sys.modules
        assert not fresh or "microhttpc.jsonbody" not in sys.modules
        assert r.json()["body"], r.json()  # (json() loads it)
        assert "microhttpc.jsonbody" in sys.modules
    finally:
        c.close()
    import microhttpc
    from microhttpc import errors
    from microhttpc.jsonbody import JSONDecodeError

    assert errors.JSONDecodeError is JSONDecodeError and microhttpc.JSONDecodeError is JSONDecodeError
