"""One synchronous shape for the WebSocket of the three I/O layers ("one scenario, three pumps").

    ws = connect_ws("poll", host, port, "/echo", timeout=10, close_timeout=1)
    ws.send("x"); assert ws.recv(5) == "x"; ws.ping(b"p"); ws.close(4001, "bye"); ws.close_code

``recv(timeout)`` returns the next whole message or raises microhttpc.TimeoutError / ConnectionClosed
as the blocking WebSocket does; ``send``, ``ping`` and ``close`` return when the layer has done them.
blocking: the layer's own WebSocket (``errors``, ``guard`` added).  poll: the Engine runs (bounded)
until the event arrives; on_msg messages are queued; an error that is not a microhttpc one (a
MemoryError in the engine) is raised in the caller.  aio: one event loop per facade, each call is
``run_until_complete`` (bounded by ``guard`` seconds).

The layer is imported inside ``connect_ws``: a test process (128K heap on MicroPython) imports one.
``per_layer(globals(), "name", fn)`` defines test_name_blocking / _poll / _aio, each calling fn(layer).
"""

LAYERS = ("blocking", "poll", "aio")
GUARD = 30  # seconds: no facade call may wait longer than this (a hang fails instead of blocking the run)


def per_layer(g, name, fn, layers=LAYERS):
    """Define ``test_<name>_<layer>`` in the module globals ``g`` for each layer."""
    for layer in layers:
        g["test_%s_%s" % (name, layer)] = (lambda l: lambda: fn(l))(layer)


def connect_ws(layer, host, port, path, timeout=10, conn_kw=None, **kw):
    """Upgrade a new connection to ``host:port`` at ``path`` on ``layer``.  ``timeout`` bounds the
    connect and the upgrade (and is the default of recv()); ``conn_kw`` go to the layer's connection
    (tls, cadata, server_hostname ...), other keywords to its upgrade (max_message, close_timeout,
    subprotocols, extensions, headers, on_ping, on_pong, on_close ...).
    The result has ``errors`` (on_err calls; always empty on aio, which has no on_err) and ``guard``."""
    import gc

    if layer == "blocking":
        # The blocking WebSocket already has this shape: it is returned as it is.
        from microhttpc.client import Connection

        gc.collect()
        errors = []
        kw.setdefault("on_err", errors.append)
        conn = Connection(host, port, timeout=timeout, **(conn_kw or {}))
        conn.open()
        try:
            ws = conn.upgrade(path, **kw)
        except BaseException:
            conn.close()
            raise
        ws.errors = errors
        ws.guard = GUARD  # unused: the blocking calls are bounded by their own timeouts
        return ws
    if layer == "poll":
        from microhttpc.poll import Engine
        from pumps_ws_poll import _Poll  # one layer's facade per test process: less heap

        gc.collect()
        return _Poll(Engine, host, port, path, timeout, kw, conn_kw or {})
    import asyncio

    from microhttpc import aio
    from pumps_ws_aio import _Aio

    gc.collect()
    return _Aio(asyncio, aio, host, port, path, timeout, kw, conn_kw or {})


def elapsed(t0):
    """Seconds since ``t0`` (from ticks())."""
    from microhttpc.rtio import ticks_diff, ticks_ms

    return ticks_diff(ticks_ms(), t0) / 1000


def ticks():
    from microhttpc.rtio import ticks_ms

    return ticks_ms()


def raw_server():
    from check import server

    return server("wsraw")


def sent_close(layer, path):
    """The Close payload the raw server received from us on our last visit to ``path`` (b"none")."""
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/lastclose?" + path)
    m = ws.recv()
    ws.close()
    return m if isinstance(m, bytes) else m.encode()


def sent_close_code(layer, path):
    got = sent_close(layer, path)
    return int.from_bytes(got[:2], "big") if len(got) >= 2 and got != b"none" else got


def seen(layer, path):
    """What the raw server received from us on our last visit to ``path``: ["opcode:payload", ...]."""
    import json

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/seen?" + path)
    m = json.loads(ws.recv())
    ws.close()
    return m
