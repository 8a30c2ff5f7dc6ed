"""Reconnecting WebSockets with exponential backoff and jitter: ``microhttpc.reconnect`` (blocking,
``for ws in reconnect(url): ...``) and ``microhttpc.aio.reconnect`` (``async for ws in ...``), in the
spirit of websockets' ``for ws in connect(...)``.  Loaded only when used.

Each iteration yields a connected WebSocket.  When the application comes back for the next one (the
connection dropped, a recv() failed, the body ended), the previous WebSocket is closed if it is not,
and a new one is opened.  Attempts that fail, and connections that lived less than ``min_uptime``
seconds, count as failures: before the next attempt the loop waits ``min(max_delay, base_delay *
2**n)`` seconds (n: failures in a row, from 0) times a jitter between 1 and 1.25, so many boards that
lost one server do not all come back at the same instant.  A connection that lived ``min_uptime``
seconds or more resets the backoff (the next attempt is immediate).  The loop ends when the
application breaks out of it, or after it closed the WebSocket itself with code 1000
(``ws.close()``); an error that retrying cannot mend (UsageError, TLSError, an UpgradeRefused with a
4xx status other than 408 and 429) is raised from the loop.
"""

from .errors import HTTPCError, UsageError

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
        if base_delay <= 0 or max_delay < base_delay:
            raise UsageError("reconnect needs 0 < base_delay <= max_delay, got %r and %r"
                             % (base_delay, max_delay))
        self.target = target
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.min_uptime = min_uptime
        self.on_retry = on_retry
        self.kw = kw
        self.aio = aio
        self.attempts = 0
        self.websocket = None
        self._t0 = 0
        self._stop = False

    # -- the rules, shared by both forms -------------------------------------------------------------
    def _delay(self):
        """The wait before the next attempt (and one failure more counted)."""
        d = min(self.max_delay, self.base_delay * (1 << min(self.attempts, 30)))
        self.attempts += 1
        return d * (1 + getrandbits(8) / 1024)

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
        r = getattr(exc, "response", None)
        if r is not None and 400 <= r.status < 500 and r.status not in (408, 429):
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

        def _close(code=1000, reason=""):
            if code == 1000 and ws.protocol.state == 1:  # rfc6455.OPEN: our Close goes first
                ws._bye = True
            return close(code, reason)

        ws.close = _close
        return ws

    def _retry(self, exc, delay):
        if self.on_retry is not None:
            self.on_retry(exc, delay)

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
                ws.close(1001)
            if delay is None:
                raise StopIteration
            self._retry(exc, delay)
            if delay:
                time.sleep(delay)
        elif self._stop:
            raise StopIteration
        while True:
            try:
                if callable(self.target):
                    ws = self.target()
                else:
                    from .client import ws_connect

                    ws = ws_connect(self.target, **self.kw)
                return self._got(ws)
            except (HTTPCError, OSError) as exc:
                delay = self._failed(exc)
                self._retry(exc, delay)
                time.sleep(delay)

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
                await ws.close(1001)
            if delay is None:
                raise StopAsyncIteration
            self._retry(exc, delay)
            if delay:
                await asyncio.sleep(delay)
        elif self._stop:
            raise StopAsyncIteration
        while True:
            try:
                if callable(self.target):
                    ws = await self.target()
                else:
                    from .aio import ws_connect

                    ws = await ws_connect(self.target, **self.kw)
                return self._got(ws)
            except (HTTPCError, OSError) as exc:
                delay = self._failed(exc)
                self._retry(exc, delay)
                await asyncio.sleep(delay)


def reconnect(target, base_delay=1.0, max_delay=30.0, min_uptime=10.0, on_retry=None, aio=False, **kw):
    """``for ws in reconnect(url, **ws_connect_keywords): ...``: a connected blocking WebSocket each
    time round (see the module's doc for the backoff and when the loop ends); ``aio=True``: the
    asyncio form (``aio.reconnect``)."""
    return Reconnect(target, base_delay, max_delay, min_uptime, on_retry, kw, aio)

