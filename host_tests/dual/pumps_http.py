"""One scenario, three pumps: the same synchronous shape over the blocking, poll and asyncio layers,
for HTTP tests against the raw scripted server (tools/servers.py ``RAW``, MHC_RAW).

    c = open_client("poll", host, port, timeout=5)
    r = c.request("GET", "/raw/genuine")      # Result: status, reason, headers (items), body ...
    c.close()

``request`` raises what the layer raised (poll: the exception reported to on_err, re-raised here).
Each layer is imported inside ``open_client``: one test process imports one layer only (a board-sized
heap has no room for three).  ``per_layer(globals(), "name", fn)`` makes ``test_name_blocking``,
``test_name_poll`` and ``test_name_aio`` from ``fn(layer)``: the harness runs each function in its own
process, found by name.

Every wait is bounded: poll runs its engine at most ``run_timeout`` seconds per call, aio wraps each
call in ``wait_for(run_timeout)``; past it the call fails with AssertionError ("no outcome"), never
hangs.  The blocking layer is bounded by its own ``timeout`` and by the raw server's scripts, which all
end within seconds.
"""

import sys

LAYERS = ("blocking", "poll", "aio")
MICROPYTHON = sys.implementation.name == "micropython"
FORGED = b"forged"  # the body of the forged response the raw server smuggles in (tools/servers.py)
GENUINE = b"genuine"  # /raw/genuine on a fresh connection ("reused" on a desynchronised one)


def per_layer(g, name, fn):
    """Add ``test_<name>_<layer>`` for each layer to the module namespace ``g`` (its ``globals()``)."""
    for layer in LAYERS:
        g["test_%s_%s" % (name, layer)] = _bind(fn, layer)


def _bind(fn, layer):
    return lambda: fn(layer)


def now():
    """Seconds, monotonic (for "returned within" bounds: hang checks, not performance checks)."""
    try:
        from time import ticks_ms

        return ticks_ms() / 1000.0  # wraps after days on the unix port: not within one test
    except ImportError:
        from time import monotonic

        return monotonic()


def sleep(s):
    import time

    time.sleep(s)


def raw():
    from check import server

    return server("raw")


class Result:
    """A whole response: ``status``, ``reason``, ``headers`` ((name, value) list), ``body`` (bytes, or
    None when not read), ``trailers`` ((name, value) list or None), ``version``, ``raw`` (the layer's
    own response object)."""

    def __init__(self, resp, body):
        self.raw = resp
        self.status = resp.status
        self.reason = resp.reason
        self.version = resp.version
        self.headers = list(resp.headers.items())
        self.body = body
        t = resp.trailers
        self.trailers = list(t.items()) if t is not None else None

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def __repr__(self):
        return "<Result %d %r body=%r>" % (self.status, self.reason, self.body if self.body is None
                                           else self.body[:40])


def open_client(layer, host=None, port=None, run_timeout=20.0, **conn_kw):
    """A client of ``layer`` ("blocking", "poll", "aio") to host:port (default: the raw server);
    ``conn_kw`` go to the layer's connection constructor (timeout, max_body, deadline ...)."""
    if host is None:
        host, port = raw()
    import gc

    gc.collect()  # what earlier clients left behind: a 128K heap has no room for fragments
    if layer == "blocking":
        return _Blocking(host, port, conn_kw)
    if layer == "poll":
        from pumps_http_poll import _Poll  # one layer's facade per test process: less heap

        return _Poll(host, port, run_timeout, conn_kw)
    if layer == "aio":
        from pumps_http_aio import _Aio

        return _Aio(host, port, run_timeout, conn_kw)
    raise ValueError(layer)


class _Blocking:
    layer = "blocking"

    def __init__(self, host, port, kw):
        from microhttpc.client import Connection

        self.conn = Connection(host, port, **kw)

    def request(self, method, path, read=True, **kw):
        r = self.conn.request(method, path, **kw)
        return Result(r, r.read() if read else None)

    def read(self, result):
        """The body of a Result asked with read=False."""
        result.body = result.raw.read()
        return result.body

    def read_part(self, result, n):
        """Up to ``n`` bytes of the body of a Result asked with read=False (blocking and aio)."""
        return result.raw.read(n)

    def call(self, result, name, *args):
        """The layer's response method ``name`` (``text``, ``json``) called with ``args``, its outcome
        (awaited on aio)."""
        return getattr(result.raw, name)(*args)

    def is_open(self):
        return self.conn.is_open

    def wait(self, s):
        sleep(s)

    def close(self):
        self.conn.close()


def expect(exc_type, fn, *args, **kw):
    """Call fn; return the ``exc_type`` it raised.  Anything else (another exception, or a result)
    fails with a message that says what came instead."""
    try:
        r = fn(*args, **kw)
    except exc_type as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - whatever else came is the failure to report
        raise AssertionError("expected %s, got %s: %s" % (getattr(exc_type, "__name__", exc_type), type(exc).__name__, exc))
    raise AssertionError("expected %s, got a result: %r" % (getattr(exc_type, "__name__", exc_type), r))


def get(layer, path, method="GET", **conn_kw):
    """The whole response to one request on a fresh client (closed afterwards)."""
    conn_kw.setdefault("timeout", 5)
    c = open_client(layer, **conn_kw)
    try:
        return c.request(method, path)
    finally:
        c.close()
