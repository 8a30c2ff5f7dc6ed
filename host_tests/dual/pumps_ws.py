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


def connect_ws(layer, host, port, path, timeout=10, **kw):
    """Upgrade a new connection to ``host:port`` at ``path`` on ``layer``.  ``timeout`` bounds the
    connect and the upgrade (and is the default of recv()); other keywords go to the layer's upgrade
    (max_message, close_timeout, subprotocols, extensions, headers, on_ping, on_pong, on_close ...).
    The result has ``errors`` (on_err calls; always empty on aio, which has no on_err) and ``guard``."""
    import gc

    if layer == "blocking":
        # The blocking WebSocket already has this shape: it is returned as it is.
        from microhttpc.client import Connection

        gc.collect()
        errors = []
        kw.setdefault("on_err", errors.append)
        conn = Connection(host, port, timeout=timeout)
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

        gc.collect()
        return _Poll(Engine, host, port, path, timeout, kw)
    import asyncio

    from microhttpc import aio

    gc.collect()
    return _Aio(asyncio, aio, host, port, path, timeout, kw)


class _Poll:
    guard = GUARD  # a test may shorten it for a call that must not wait long

    def __init__(self, Engine, host, port, path, timeout, kw):
        self.timeout = timeout
        self.errors = []  # on_err of the WebSocket
        self.messages = []
        self.opened = []
        e = self.e = Engine(timeout=timeout)
        conn = self.conn = e.connect(host, port, timeout=timeout, connect_timeout=timeout)
        # timeout= of upgrade is the idle timeout of this layer: only when asked (idle_timeout=).
        idle = kw.pop("idle_timeout", None)
        try:
            self.ws = e.upgrade(conn, path, on_open=self.opened.append, on_msg=self.messages.append,
                                on_err=self.errors.append, timeout=idle, **kw)
            ok = self._run(lambda: self.opened or conn.closed, timeout + 1)
        except BaseException:
            e.close(conn, abort=True)
            e.run(timeout=2)
            raise
        if not ok:
            e.close(conn, abort=True)
            e.run(timeout=2)
            raise AssertionError("poll: the upgrade took longer than its timeout (%s s)" % timeout)
        if not self.opened:
            raise self.errors[0] if self.errors else conn.error

    def __getattr__(self, name):  # close_code, close_timeout, timeout ... of the layer's WebSocket
        if name == "closed":
            return self.conn.closed
        if name == "ws":
            raise AttributeError(name)
        return getattr(self.ws, name)

    def _run(self, until, seconds):
        from microhttpc.errors import HTTPCError

        self.e.run(until=until, timeout=self.guard if seconds is None else min(seconds, self.guard))
        for x in self.errors + [self.conn.error]:
            if x is not None and not isinstance(x, HTTPCError):
                raise x  # not a microhttpc error (MemoryError ...): the test sees it as it is
        return until()

    def _tx(self, fn):
        done = []
        fn(done.append)  # the layer raises here (UsageError, ConnectionClosed) or queues
        self._run(lambda: done or self.conn.closed, self.timeout)
        if not (done and done[0]):
            raise self.ws.protocol.closed_error()  # on_tx_complete(False): the connection ended first

    def send(self, msg):
        self._tx(lambda cb: self.ws.send(msg, on_tx_complete=cb))

    def ping(self, data=b""):
        self._tx(lambda cb: self.ws.ping(data, on_tx_complete=cb))

    def recv(self, timeout=-1):
        t = self.timeout if timeout == -1 else timeout
        if not self.messages and not self.conn.closed:
            self._run(lambda: self.messages or self.conn.closed, t)
        if self.messages:
            return self.messages.pop(0)
        if self.conn.closed:
            raise self.ws.protocol.closed_error()
        from microhttpc.errors import TimeoutError

        raise TimeoutError("poll: no message within %s s" % t)

    def close(self, code=1000, reason=""):
        if self.conn.closed:
            return
        if self.ws.protocol.state == 1:  # rfc6455.OPEN
            self.ws.close(code, reason)
        else:
            self.e.close(self.conn)
        self._run(lambda: self.conn.closed, self.ws.close_timeout + 2)


class _Aio:
    guard = GUARD

    def __init__(self, asyncio, aio, host, port, path, timeout, kw):
        self.timeout = timeout
        self.errors = []  # aio has no on_err: errors come as ConnectionClosed.cause
        self.asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self.conn = aio.Connection(host, port, timeout=timeout, connect_timeout=timeout)
        kw.pop("on_err", None)
        kw.setdefault("timeout", timeout)
        self.ws = self._run(self._open(path, kw))

    def __getattr__(self, name):  # close_code, closed, timeout ... of the layer's WebSocket
        if name == "ws":
            raise AttributeError(name)
        return getattr(self.ws, name)

    async def _open(self, path, kw):
        await self.conn.connect()
        try:
            return await self.conn.upgrade(path, **kw)
        except BaseException:
            await self.conn._abort()
            raise

    def _run(self, coro):
        a = self.asyncio
        try:
            return self.loop.run_until_complete(a.wait_for(coro, self.guard))
        except a.TimeoutError as exc:
            from microhttpc.errors import HTTPCError

            if isinstance(exc, HTTPCError):
                raise
            if getattr(self, "ws", None) is not None:
                self.loop.run_until_complete(self.conn._abort())  # drop the connection left behind
            raise AssertionError("aio: a call took longer than %s s" % self.guard)

    def send(self, msg):
        self._run(self.ws.send(msg))

    def recv(self, timeout=-1):
        return self._run(self.ws.recv(self.timeout if timeout == -1 else timeout))

    def ping(self, data=b""):
        self._run(self.ws.ping(data))

    def close(self, code=1000, reason=""):
        self._run(self.ws.close(code, reason))


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
