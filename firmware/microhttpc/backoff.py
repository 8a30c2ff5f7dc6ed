"""Reconnecting WebSockets with exponential backoff and jitter: ``microhttpc.reconnect`` (blocking,
``for ws in reconnect(url): ...``) and ``microhttpc.aio.reconnect`` (``async for ws in ...``), in the
spirit of websockets' ``for ws in connect(...)``, and ``microhttpc.poll.reconnect`` (callbacks, see
``PollReconnect``).  Loaded only when used.

Each iteration yields a connected WebSocket.  When the application comes back for the next one (the
connection dropped, a recv() failed, the body ended), the previous WebSocket is closed if it is not,
and a new one is opened.  Attempts that fail, and connections that lived less than ``min_uptime``
seconds, count as failures: before the next attempt the loop waits ``min(max_delay, base_delay *
2**n)`` seconds (n: failures in a row, from 0) times a jitter between 1 and 1.25, so many boards that
lost one server do not all come back at the same instant.  A connection that lived ``min_uptime``
seconds or more resets the backoff (the next attempt is immediate).  The loop ends when the
application breaks out of it, or after it closed the WebSocket itself with code 1000
(``ws.close()``); an error that retrying cannot mend (UsageError, TLSError, HandshakeError, an
answer to the upgrade other than 408, 429 or a 5xx) is raised from the loop.
"""

from .errors import ConnectionLost, HTTPCError, UsageError
from .rt import seconds

try:
    from random import getrandbits
except ImportError:  # pragma: no cover - a port without random
    from os import urandom

    def getrandbits(n):
        return urandom(1)[0]


class Reconnect:
    """The iterator behind ``reconnect`` (blocking) and ``aio.reconnect`` (``aio=True``).

    ``target``: a ``ws://`` / ``wss://`` URL (opened with ``ws_connect(target, **kw)`` of the layer),
    or a function of no arguments that returns a new open WebSocket (blocking) or a coroutine giving
    one (aio), e.g. to join Wi-Fi first or to set up the Connection yourself.
    ``on_retry(exc, delay)``: called before each wait (``exc``: the failed attempt's error, or what
    ended the previous connection; ``delay`` in seconds, 0 when the next attempt is immediate).
    ``attempts``: failures in a row so far; ``websocket``: the current WebSocket."""

    def __init__(self, target, base_delay, max_delay, min_uptime, on_retry, kw, aio=False):
        base_delay, max_delay = seconds(base_delay, "base_delay"), seconds(max_delay, "max_delay")
        if not base_delay or max_delay is None or max_delay < base_delay:
            raise UsageError("reconnect needs 0 < base_delay <= max_delay, got %r and %r"
                             % (base_delay, max_delay))
        if seconds(min_uptime, "min_uptime") is None or on_retry is not None and not callable(on_retry):
            raise UsageError("reconnect needs seconds of min_uptime and a callable on_retry (or None), not %r and %r"
                             % (min_uptime, on_retry))
        if callable(target) and kw:  # (the function makes the WebSocket: they were dropped unseen)
            raise UsageError("reconnect with a function takes no WebSocket keywords (the function's call does): %r"
                             % (sorted(kw),))
        self.target = target
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.min_uptime = min_uptime
        self.on_retry = on_retry
        for k in ("headers", "subprotocols"):  # (iterators: listed, for every attempt; the first took them all)
            if hasattr(kw.get(k), "__next__"):
                kw[k] = list(kw[k])
        self.kw = kw
        self.aio = aio
        self.attempts = 0
        self.websocket = None
        self._t0 = 0
        self._stop = False
        self._due = None  # (see _delay)

    # -- the rules, shared by both forms -------------------------------------------------------------
    def _delay(self):
        """The wait before the next attempt (and one failure more counted), kept (``_due``) until it has
        been waited out: an exception before or in the wait (of on_retry, of the loop's close of the
        connection, a cancellation, an interrupt) leaves what is left of it to the next call (the next
        attempt went at once: no backoff at all)."""
        d = min(self.max_delay, self.base_delay * (1 << min(self.attempts, 30)))
        self.attempts += 1
        d = min(d * (1 + getrandbits(8) / 1024), 500000)  # (rt.seconds' bound: a board's ticks, call_later)
        self._hold(d)
        return d

    def _hold(self, d):
        """The wait of ``d`` s starts now."""
        from .rtio import deadline

        self._due = deadline(d)

    def _after(self, ws):
        """The application is back for the next WebSocket: None to stop, else the wait (s) before the
        next attempt and the error that ended ``ws``.  (Closing ``ws`` is left to the caller.)"""
        from .rtio import ticks_diff, ticks_ms

        if self._stop:
            return None, None
        if ws._bye:
            self._stop = True
            return None, None
        p = ws.protocol
        exc = ws._err_reported or p.closed_error()
        if ticks_diff(ticks_ms(), self._t0) >= self.min_uptime * 1000:
            self.attempts = 0
            return 0, exc
        return self._delay(), exc

    def _failed(self, exc):
        """An attempt failed with ``exc``: raise it when retrying cannot help, else the wait (s)."""
        if isinstance(exc, UsageError) or exc.__class__.__name__ == "TLSError":
            raise exc
        r = getattr(exc, "response", None)  # (a HandshakeError's is the 101, a TooManyRedirects' a 3xx)
        if r is not None and r.status < 500 and r.status not in (408, 429):
            raise exc
        return self._delay()

    def _got(self, ws):
        """A new WebSocket: remember when it opened, and mark it when the application closes it
        normally itself (that ends the loop)."""
        from .rtio import ticks_ms

        self.websocket = ws
        self._t0 = ticks_ms()
        ws._bye = False
        close = ws.close

        # Marked at the call (a task that reads asks for the next round while another's close() runs), and
        # unmarked when the close is refused (UsageError: a bad reason; nothing sent, the WebSocket goes
        # on, and the loop did not: the server's next Close ended it).  Any other exception from close()
        # (its Close went out first, the application's on_close raised) leaves it marked.
        def _close(code=1000, reason=""):
            was = ws._bye
            if code == 1000 and ws.protocol.state == 1:  # rfc6455.OPEN: our Close goes first
                ws._bye = True
            if self.aio:
                return _aclose(code, reason, was)
            try:
                return close(code, reason)
            except UsageError:
                ws._bye = was
                raise

        async def _aclose(code, reason, was):
            try:
                await close(code, reason)
            except UsageError:
                ws._bye = was
                raise

        ws.close = _close
        return ws

    def _made(self, ws, layer):
        """What a target function gave: ``ws`` if it is a WebSocket of this loop's layer (``layer``: its
        module), else UsageError (an AttributeError as the loop went on, before; another layer's: an
        AttributeError or a TypeError later)."""
        import sys

        m = sys.modules.get("microhttpc." + layer)  # (not loaded: none of its WebSockets exists)
        if m is None or not isinstance(ws, m.WebSocket):
            raise UsageError("the reconnect target gave %r, not a WebSocket of this layer" % (ws,))
        return ws

    def _retry(self, exc, delay):
        """on_retry, before the wait (see _delay)."""
        if self.on_retry is not None:
            self.on_retry(exc, delay)

    def _owed(self):
        """What is left of the wait before the next attempt (0: none)."""
        from .rtio import remaining

        return remaining(self._due) or 0

    # -- blocking ------------------------------------------------------------------------------------
    def __iter__(self):
        return self

    def __next__(self):
        import time

        ws = self.websocket
        if ws is not None:
            self.websocket = None
            delay, exc = self._after(ws)
            if not ws.closed:
                try:
                    ws.close(1001)
                finally:
                    if delay:  # (from its end, however it ended: the close's time is no part of the wait)
                        self._hold(delay)
                exc = ws._err_reported or ws.protocol.closed_error()  # (this close ended it: not a 1006 of an open one)
            if delay is None:
                raise StopIteration
            self._retry(exc, delay)
        elif self._stop:
            raise StopIteration
        while True:
            time.sleep(self._owed())  # (the backoff's wait, or what an exception left of it)
            self._due = None
            try:
                if callable(self.target):
                    ws = self._made(self.target(), "websocket")
                else:
                    from .wsconnect import ws_connect

                    ws = ws_connect(self.target, **self.kw)
                return self._got(ws)
            except (HTTPCError, OSError) as exc:
                self._retry(exc, self._failed(exc))

    # -- asyncio -------------------------------------------------------------------------------------
    def __aiter__(self):
        return self

    async def __anext__(self):
        from .aio import asyncio

        ws = self.websocket
        if ws is not None:
            self.websocket = None
            delay, exc = self._after(ws)
            if not ws.closed:
                try:
                    await ws.close(1001)
                finally:
                    if delay:
                        self._hold(delay)
                exc = ws._err_reported or ws.protocol.closed_error()
            if delay is None:
                raise StopAsyncIteration
            self._retry(exc, delay)
        elif self._stop:
            raise StopAsyncIteration
        while True:
            await asyncio.sleep(self._owed())
            self._due = None
            try:
                if callable(self.target):
                    ws = self.target()
                    if hasattr(ws, "throw"):  # a coroutine (a plain function's result: checked as it is,
                        ws = await ws  # it was a bare TypeError at the await)
                    ws = self._made(ws, "aiows")
                else:
                    from .aio import ws_connect

                    ws = await ws_connect(self.target, **self.kw)
                return self._got(ws)
            except (HTTPCError, OSError) as exc:
                self._retry(exc, self._failed(exc))


class PollReconnect(Reconnect):
    """``microhttpc.poll.reconnect(engine, target, **kw)``: the same rules on a poll ``Engine``, driven
    by its callbacks and ``call_later`` timers; returned at once, the first attempt already queued.

    ``target``: a ``ws://`` / ``wss://`` URL, or a function ``f(engine)`` that returns a new WebSocket
    (``engine.upgrade(engine.connect(...), ...)``).  Keywords: ``base_delay``, ``max_delay``,
    ``min_uptime``, ``on_retry`` as for ``microhttpc.reconnect``; with a URL, ``connect_timeout``,
    ``ssl_context``, ``cadata``, ``verify``, ``server_hostname`` and ``deadline`` (bounds the opening
    handshake as a whole, a refusal's body too; default: the connection's ``timeout``, as ``ws_connect``'s
    bounds it) go to ``engine.connect`` and the rest
    to ``engine.upgrade`` (the WebSocket's callbacks: ``on_open(ws)`` for each new one, ``on_msg`` ...).
    ``websocket``: the current WebSocket once open (None between connections).  The loop ends after
    the application's own ``ws.close()`` (code 1000) or ``stop()``; an error that retrying cannot mend
    (the WebSocket's ``on_err`` got it) ends it too, kept in ``error``.  ``running``: not ended yet.
    ``engine.run()`` returns once the loop ended and its connection is closed."""

    CONNECT_KW = ("connect_timeout", "ssl_context", "cadata", "verify", "server_hostname", "deadline")  # for connect()

    _fn_open = None  # the on_open of the WebSocket a function made, called before the keyword's

    def __init__(self, engine, target, kw):
        self._user_open = kw.pop("on_open", None)
        Reconnect.__init__(self, target, kw.pop("base_delay", 1.0), kw.pop("max_delay", 30.0),
                           kw.pop("min_uptime", 10.0), kw.pop("on_retry", None), kw)
        self.engine = engine
        self.error = None
        self._ckw = {}
        if not callable(target):
            from .rt import load

            # (rt.load: the garbage collected first; loaded deep in a call, the collection an allocation
            # failure runs found too little free, and a 128 KiB heap failed with 28 KB free)
            scheme, self._host, self._port, self._path = load("urlsplit").split_url(target)
            if scheme not in ("ws", "wss"):
                raise UsageError("reconnect needs a ws:// or wss:// URL, got %r" % (target,))
            self._tls = scheme == "wss"
            for k in self.CONNECT_KW:
                if k in kw:
                    self._ckw[k] = kw.pop(k)
            from .wsession import check_settings

            # (before the first connect: a wrong keyword left that connection in the engine for good)
            check_settings(kw, ("headers", "subprotocols", "extensions"))
        if self._user_open is not None and not callable(self._user_open):  # (it failed at each open)
            raise UsageError("on_open must be callable, not %r" % (self._user_open,))
        self._ws = None  # the WebSocket of the attempt in progress
        try:
            self._attempt()
        except BaseException:  # (from reconnect(): the application gets no loop to stop, so nothing of it
            self.stop()  # is left in the engine; a first fix left a hidden loop retrying for good)
            raise

    running = property(lambda self: not self._stop)

    def stop(self):
        """End the loop: the current WebSocket is closed (1000) and no new one is opened."""
        self._stop = True
        e = self.engine
        e._timers[:] = [t for t in e._timers if t[2] != self._attempt]  # a wait for the next attempt
        ws = self._ws
        if ws is not None and not ws.conn.closed:
            e.close(ws.conn)

    def _attempt(self):
        if self._stop:
            return
        e = self.engine
        try:
            if callable(self.target):
                ws = self._made(self.target(e), "pollws")
                if ws.conn.engine is not e:  # (it went unseen: this engine never ran it)
                    raise UsageError("the reconnect target gave a WebSocket of another Engine")
                self._fn_open, ws.on_open = ws.on_open, self._opened  # (the keyword's was lost here)
            else:
                c = e.connect(self._host, self._port, self._tls, **self._ckw)
                if c.deadline is None:  # (a refusal's body a byte at a time held each attempt for 20 s with
                    c.deadline = c.timeout  # timeout=1; the other layers' ws_connect bounded it by timeout)
                try:
                    ws = e.upgrade(c, self._path, on_open=self._opened, **self.kw)
                except Exception:  # (headers or offers refused: the connection would stay in the engine)
                    e.close(c, abort=True)
                    raise
        except BaseException as exc:  # (one clause: a tuple of classes to match is built on MicroPython's heap)
            if not (isinstance(exc, HTTPCError) or isinstance(exc, OSError)):
                # a MemoryError, the function's own error, an interrupt: raised from run() once, as from the other
                self._again(None, self._delay(), False)  # forms' next(), and the loop goes on (it was
                raise  # dead, running all the same)
            try:  # the function failed (no Wi-Fi yet...): retried, as by the other forms (it escaped, and
                delay = self._failed(exc)  # from a timer it left the loop dead, running all the same)
            except HTTPCError:
                self.error, self._stop = exc, True
                raise
            self._again(exc, delay)
            return
        c = ws.conn
        user_err = ws.on_err

        def on_err(exc):
            if user_err is not None:
                user_err(exc)
            if ws.protocol is None and not c.closed:  # a refused upgrade leaves the connection open
                e.close(c, abort=True)

        ws.on_err = on_err
        self._conn_close = c._cb[1]
        c._cb = (c._cb[0], self._ended, c._cb[2])  # told once when its connection has ended
        self._ws = ws

    def _opened(self, ws):
        self._got(ws)
        for f in (self._fn_open, self._user_open):
            if f is not None:
                f(ws)

    def _ended(self, conn, cause):
        try:
            if self._conn_close is not None:
                self._conn_close(conn, cause)
        finally:  # (its exception escapes run(): the loop goes on)
            self._next(cause)

    def _next(self, cause):
        ws, self._ws = self._ws, None
        if ws is self.websocket:  # it was open
            self.websocket = None
            delay, exc = self._after(ws)
        else:
            exc = ws._err_reported or cause or ConnectionLost("the connection closed before the upgrade")
            try:
                delay = None if self._stop else self._failed(exc)
            except HTTPCError as e:  # retrying cannot mend it: the WebSocket's on_err had it
                self.error = e
                delay = None
        if delay is None:
            self._stop = True
            return
        self._again(exc, delay)

    def _again(self, exc, delay, tell=True):
        """The next attempt in ``delay`` s, then on_retry (``tell``): an exception of the latter escapes
        run() and the loop goes on (it was left dead, running all the same); its stop() ends it."""
        if not self._stop:
            self.engine.call_later(delay, self._attempt)
            if tell:
                self._retry(exc, delay)


def reconnect(target, base_delay=1.0, max_delay=30.0, min_uptime=10.0, on_retry=None, aio=False, **kw):
    """``for ws in reconnect(url, **ws_connect_keywords): ...``: a connected blocking WebSocket each
    time round (see the module's doc for the backoff and when the loop ends); ``aio=True``: the
    asyncio form (``aio.reconnect``)."""
    return Reconnect(target, base_delay, max_delay, min_uptime, on_retry, kw, aio)

