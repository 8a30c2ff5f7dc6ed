"""Settings and arguments a new user gets wrong, through the three layers (pumps_http, pumps_ws): each
is UsageError at the call that took it, and the connection stays usable.  Before: nan, inf, "5" or -1
as a time value failed in the middle of a request with a bare ValueError / OverflowError / TypeError
(aio's connection was then locked for good); a limit of "x" failed after the request went out; a
bytes host went out as "Host: b'127.0.0.1'" on MicroPython; a dict body went out as its keys, a header
value None as "None", headers=["ab"] as "a: b"; json= of a set or nan went out as no JSON; WebSocket
settings failed after the 101, or at every recv() of a WebSocket that stayed open (in
dual_hostile_api_ws_values)."""

from array import array

from check import raises
from pumps_http import GENUINE, open_client, per_layer
import pumps_ws

BAD_TIMES = (float("nan"), float("inf"), -1, "5", 1e30)


def _connection_settings(layer):
    from microhttpc.errors import UsageError

    for key in ("timeout", "connect_timeout", "deadline", "drain_timeout"):
        for bad in BAD_TIMES:  # (poll's connect(timeout=-1) was the engine's default: UsageError now)
            raises(UsageError, open_client, layer, **{key: bad})
    for key in ("max_line", "max_headers", "max_header_bytes", "max_chunk_line", "max_interim", "max_body",
                "drain_limit", "follow_redirects"):
        for bad in ("x", -1, 2.5, True, 10**20):
            raises(UsageError, open_client, layer, **{key: bad})
    if layer != "poll":  # (poll's connections share the Engine's buffer: test_poll_engine_arguments)
        for bad in ("x", -1, 2.5, True, 10**20):  # (10**20: a bare OverflowError before, an outside hunt)
            raises(UsageError, open_client, layer, buffer_size=bad)
    for host in (b"127.0.0.1", 5, "", "http://127.0.0.1:8765"):  # (a URL: "cannot resolve" before)
        raises(UsageError, open_client, layer, host, 80)
    # a name:port went to the resolver (a ConnectError after the board's DNS timeout)
    assert "port=" in str(raises(UsageError, open_client, layer, "127.0.0.1:8765", 80))
    c = open_client(layer, timeout=5, max_body=None, deadline=10)  # (None: no limit; deadline as seconds)
    try:
        assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()


def _request_arguments(layer):
    from microhttpc.errors import UsageError

    c = open_client(layer, timeout=5)
    try:
        for kw in ({"deadline": float("nan")}, {"deadline": "5"}, {"deadline": -1}, {"deadline": 1e30},
                   {"body": {"a": 1}}, {"body": 5}, {"body": 1.5}, {"form": {"a": {"b": 1}}}, {"form": {"a": object()}},
                   {"headers": {"X-A": None}}, {"headers": {"X-A": [1, 2]}}, {"headers": ["ab", "cd"]},
                   {"headers": [b"ab"]}, {"query": [b"ab"]}, {"query": ["ab"]}, {"form": [b"xy"]},  # (sent as
                   {"headers": [memoryview(b"ab")]}, {"query": [array("b", [49, 50])]},  # "97: 98", "?49=50"; (sent as
                   {"form": ["xy"], "multipart": True},  # "97: 98", "?97=98", "?a=b", "120=121", "x=y")
                   {"json": {1, 2}}, {"json": float("nan")}, {"json": b"ab"}, {"json": object()}, {"json": {1: 2}},
                   {"json": [1, float("inf")]}, {"on_body": 5}, {"on_header": 5}, {"on_body": 0},
                   {"on_header": False}, {"follow_redirects": "3"}, {"multipart": {"f": "x"}}, {"multipart": True},
                   {"multipart": 1, "form": {"a": "1"}},  # (multipart={"f": ...} went out as an empty body)
                   {"data": {"a": "1"}}, {"files": {"f": "x"}}, {"bogus": 1}):  # (a bare TypeError)
            raises(UsageError, c.request, "POST", "/raw/genuine", **kw)
        e = raises(UsageError, c.request, "GET", "/raw/genuine", params={"a": "1"})
        assert "'params'" in str(e) and "query=" in str(e), e  # (what requests calls it, and ours)
        e = raises(UsageError, c.request, "GET", "/raw/genuine", timeout=5)  # (requests' per-request one)
        assert "'timeout'" in str(e) and "deadline=" in str(e), e
        raises(UsageError, c.request, None, "/raw/genuine")
        raises(UsageError, c.request, "GET", b"/raw/genuine")
        # Still usable (aio: no task holds the connection), and JSON that is JSON goes out.
        assert c.request("GET", "/raw/genuine").body == GENUINE
        assert c.request("POST", "/raw/genuine", json={"a": [1, 2.5, None, True, "x"]}).status == 200
        try:
            from collections import OrderedDict  # (MicroPython's way to keep the order of keys)
        except ImportError:
            OrderedDict = None
        if OrderedDict is not None:
            assert c.request("POST", "/raw/genuine", json=OrderedDict([("a", 1)])).status == 200
    finally:
        c.close()


def _response_arguments(layer):
    # A response's methods took anything: read("5"), readinto(b"abc") or readinto(None), text(5) and
    # iter_lines("x") raised a bare TypeError; read(max_size=-1) and iter_lines(0) were limits no body
    # could meet.  Each is UsageError now, before a byte of the body is taken: the body still reads.
    from microhttpc.errors import UsageError

    cases = [("read", ("5",)), ("read", (2.5,)), ("read", (True,)), ("read", (-1, "5")),
             ("read", (None, -1)), ("readinto", (b"abc",)), ("readinto", (None,)),
             ("readinto", (memoryview(b"abc"),)), ("readinto", ([0, 0],)), ("text", (5,)),
             ("iter_lines", ("x",)), ("iter_lines", (0,)),
             ("readinto", (array("i", [0, 0]),)),  # (MicroPython: a bare ValueError)
             ("text", ("no-such-codec",))]  # (MicroPython too: utf-8, latin-1 and ascii only)
    try:  # a strided view (CPython; MicroPython makes none): a bare TypeError from the socket before
        cases.append(("readinto", (memoryview(bytearray(8))[::2],)))
    except NotImplementedError:
        pass
    c = open_client(layer, timeout=5)
    try:
        for name, args in cases:
            if layer == "poll" and name not in ("text", "iter_lines"):
                continue  # (poll's response has its body collected: text() and iter_lines() take it from there)
            r = c.request("GET", "/raw/genuine", read=False)

            def call():
                x = c.call(r, name, *args)
                if name == "iter_lines" and layer != "aio":
                    list(x)  # (a generator: the check runs at the first line)

            raises(UsageError, call)
            if layer != "poll":
                assert c.call(r, "read", 3) == GENUINE[:3]  # nothing of the body was taken
                assert c.call(r, "read") == GENUINE[3:]
        assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()


def _header_names(layer):
    # A response's headers looked up by a name that is not a str: bytes (b"content-length", as sent)
    # is a name too; None or an int is UsageError (a bare AttributeError before, bytes included).
    from microhttpc.errors import UsageError

    c = open_client(layer, timeout=5)
    try:
        h = c.request("GET", "/raw/genuine").raw.headers
        assert h.get(b"Content-Length") == h["content-length"] == "7" and b"content-length" in h
        assert h.get_all(b"content-length") == ["7"] and h.tokens(b"CONTENT-LENGTH") == ["7"]
        for bad in (None, 5, ["content-length"]):
            for fn in (h.get, h.get_all, h.tokens, h.__getitem__, h.__contains__):
                raises(UsageError, fn, bad)
        if layer == "blocking":  # (poll and aio check their Request too)
            for bad in (None, 5, "GET /"):
                raises(UsageError, c.conn.send, bad)
                raises(UsageError, c.conn.queue, bad)  # (at run(), as an AttributeError, before)
        assert c.request("GET", "/raw/genuine").body == GENUINE
    finally:
        c.close()


def _reconnect_settings(layer):
    # reconnect(base_delay="x") raised a bare TypeError, min_uptime=nan and on_retry=5 were taken (the
    # latter failed at the first retry), and a target function that gave no WebSocket an AttributeError.
    from microhttpc.errors import UsageError

    h, p = pumps_ws.raw_server()
    url = "ws://%s:%d/echo" % (h, p)
    bad = ({"base_delay": "x"}, {"max_delay": float("nan")}, {"min_uptime": float("nan")}, {"min_uptime": None},
           {"on_retry": 5}, {"base_delay": 0})
    if layer == "blocking":
        from microhttpc import reconnect

        for kw in bad:
            raises(UsageError, reconnect, url, **kw)
        raises(UsageError, next, iter(reconnect(lambda: 5)))
    elif layer == "poll":
        from microhttpc.poll import Engine, reconnect

        e = Engine()
        for kw in bad:
            raises(UsageError, reconnect, e, url, **kw)
        raises(UsageError, reconnect, e, lambda engine: "ws")
    else:
        import asyncio

        from microhttpc.aio import reconnect

        for kw in bad:
            raises(UsageError, reconnect, url, **kw)

        async def five():
            return 5

        async def first(target):
            try:
                await reconnect(target).__anext__()
            except UsageError:
                return True

        assert asyncio.run(first(five))
        assert asyncio.run(first(lambda: 5))  # a plain function's result (a bare TypeError at the await)


def _one_call_settings(layer):
    # aio.get(url, timeout=nan) raised a bare ValueError with a pooled connection taken, and every later
    # call to that origin was refused ("another task is using this connection").
    import pumps_http
    from microhttpc.errors import UsageError

    h, p = pumps_http.raw()
    url = "http://%s:%d/raw/genuine" % (h, p)
    if layer == "blocking":
        import microhttpc

        for kw in ({"timeout": float("nan")}, {"connect_timeout": "5"}, {"max_body": "x"}, {"timeout": -1}):
            raises(UsageError, microhttpc.get, url, **kw)
        assert microhttpc.get(url).read() == GENUINE
        microhttpc.close_all()
    elif layer == "aio":
        from microhttpc import aio

        async def main():
            for kw in ({"timeout": float("nan")}, {"connect_timeout": "5"}, {"max_body": "x"}, {"timeout": -1}):
                try:
                    await aio.get(url, **kw)
                    raise AssertionError("accepted %r" % (kw,))
                except UsageError:
                    pass
            r = await aio.get(url)
            body = await r.read()
            await aio.close_all()
            return body

        import asyncio

        assert asyncio.run(main()) == GENUINE


def test_poll_engine_arguments():
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    for bad in (0, -1, 1.5, "x", 10**20):
        raises(UsageError, Engine, buffer_size=bad)
    for key in ("timeout", "connect_timeout"):
        for bad in BAD_TIMES:
            raises(UsageError, Engine, **{key: bad})
    raises(UsageError, Engine, timout=5)  # (a bare TypeError: the only constructor without the check)
    e = Engine()
    fired = []
    for delay, fn in (("x", fired.append), (float("nan"), fired.append), (None, fired.append), (1, 5)):
        raises(UsageError, e.call_later, delay, fn)
    e.call_later(0, lambda: fired.append(1))  # (a wrong timer was kept: every poll() raised from then on)
    e.poll(1.5)  # milliseconds, a float too (MicroPython's select.poll takes an int: TypeError)
    for bad in (float("nan"), float("inf"), -2, "5", 1e30):  # (a bare ValueError / OverflowError before)
        raises(UsageError, e.poll, bad)
        if bad != -2:
            raises(UsageError, e.run, None, bad)
    assert e.run(until=lambda: fired, timeout=2) and fired == [1]
    for bad in (True, 5, "x"):  # (a bare TypeError at its first call)
        raises(UsageError, e.run, bad, 1)
    # What is not one of its connections (None, a str, another engine's): UsageError, not AttributeError.
    for kw in ({"on_connect": 5}, {"on_close": "x"}, {"on_err": True}):  # (a bare TypeError inside poll())
        raises(UsageError, e.connect, "127.0.0.1", 9, **kw)
    other = Engine().connect("127.0.0.1", 9)
    for conn in (None, "c", 5, other):
        raises(UsageError, e.request, conn, "GET", "/")
        raises(UsageError, e.upgrade, conn, "/")
        raises(UsageError, e.ws_send, conn, "x")
        raises(UsageError, e.close, conn)
    other.engine.close_all()


per_layer(globals(), "connection_settings", _connection_settings)
per_layer(globals(), "request_arguments", _request_arguments)
per_layer(globals(), "response_arguments", _response_arguments)
per_layer(globals(), "header_names", _header_names)
per_layer(globals(), "reconnect_settings", _reconnect_settings)
per_layer(globals(), "one_call_settings", _one_call_settings)
