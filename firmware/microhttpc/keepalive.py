"""WebSocket keepalive: ``ping_interval=`` / ``ping_timeout=`` of every layer's upgrade.  Loaded only
when ``ping_interval`` is given, so a WebSocket without it pays nothing.

``Keepalive`` is the rule, sans-I/O (the clock is injected): a PING every ``ping_interval`` seconds
(counted from the previous PING), answered by the PONG that carries its payload; none within
``ping_timeout`` seconds (None: no PONG is awaited, the PINGs only keep NATs and proxies awake) and the
peer counts as dead; so does a peer that takes none of our frames within ``patience``, on every layer.  ``blocking``, ``aio`` and ``poll`` hook it into one WebSocket of that layer:

- blocking and aio: the PING goes out while the application waits in ``recv()`` / ``poll()`` (the
  wait is cut at the next PING's time); nothing is sent while the application is elsewhere;
- poll: the engine's timer of the connection.

A PONG counts as late only once the reads up to its deadline found nothing (a PONG queued behind
unread messages is not late), and its deadline starts again at every read that brings bytes: a PONG
cannot pass a frame still arriving (a large message on a slow link outlasted ``ping_timeout`` and
the connection was failed while its bytes kept coming).  A dead peer fails the connection: a Close 1011 if the socket still
takes it, the socket closed, ``on_err(TimeoutError)`` and ``on_close`` once; blocking and aio raise
the TimeoutError ("no PONG within N s") from the waiting call, later calls ConnectionClosed (1006,
``cause`` the TimeoutError).
"""

from .errors import HTTPCError, TimeoutError, UsageError


class Keepalive:
    """The keepalive timer of one WebSocket ``ws`` (a ``wsession.WSCore``); ``clock`` has
    ``ticks_ms`` / ``ticks_diff`` (``rtio``, or a test's fake)."""

    def __init__(self, ws, interval, timeout, clock):
        if interval <= 0 or timeout is not None and timeout <= 0:
            raise UsageError("ping_interval and ping_timeout must be positive seconds, got %r and %r"
                             % (interval, timeout))
        self.ws = ws
        self.interval = interval
        self.timeout = timeout
        # The longest any write of the WebSocket may wait: past it, this rule calls the peer dead anyway
        # (a server that reads nothing would otherwise hold a write until the socket's own timeout).
        self.patience = interval + (timeout or interval)
        self.clock = clock
        self.pings = 0  # PINGs sent
        self._sent = None  # tick of the PING not answered yet (poll: True while it waits to be written)
        self._w = self._n = self._p = None  # (poll, see _due: the last look that found our writes gone on)
        self._payload = None
        self._t = clock.ticks_ms()  # the previous PING (or the start)

    def left(self):
        """Milliseconds until the keepalive must act (<= 0: now): send the next PING, or (one is
        waiting for its PONG) call the peer dead."""
        c = self.clock
        if self._sent is None:
            return int(self.interval * 1000) - c.ticks_diff(c.ticks_ms(), self._t)
        if self._sent is True:  # (poll: queued behind our own frames, not written yet: see written())
            return int(self.timeout * 1000)
        return int(self.timeout * 1000) - c.ticks_diff(c.ticks_ms(), self._sent)

    def step(self):
        """Queue a PING on the protocol when one is due (the layer writes it); returns left()."""
        p = self.ws.protocol
        if self._sent is None and p.state == 1 and self.left() <= 0:  # rfc6455.OPEN
            self.pings += 1
            self._payload = b"ka" + str(self.pings).encode()
            p.send_ping(self._payload)
            self._t = self.clock.ticks_ms()
            if self.timeout is not None:
                self._sent = self._t
        return self.left()

    def late(self):
        """True when the PING's PONG is overdue."""
        return self._sent is not None and self.left() <= 0

    def alive(self):
        """Bytes came: the PING waiting for its PONG waits on from now (see the module's docstring)."""
        if self._sent is not None and self._sent is not True:
            self._sent = self.clock.ticks_ms()

    def written(self, ok=True):
        """(poll) The PING queued by the last step() is written: its PONG is due ``timeout`` from now.
        Until then it can't be late: behind a large message of ours, a PING waited longer than its
        timeout to go out, and a peer that took every byte was called dead (meanwhile the server must
        take our frames within the patience: see poll()'s ``_due``; with ``timeout`` None no PONG is
        awaited, but the write is bounded all the same)."""
        if self._sent is True:
            self._sent = self.timeout and self.clock.ticks_ms()  # (None: no PONG awaited)

    def pong(self, data):
        """A PONG came (wsession calls this): it answers the PING with the same payload."""
        if self._sent is not None and bytes(data) == self._payload:
            self._sent = None

    def fail(self, what=None):
        """The peer is dead: fail the connection (a Close 1011 queued) and report it once (on_err);
        returns the TimeoutError (``what`` it says, by default the missing PONG)."""
        e = TimeoutError(what or "no PONG within %s s" % self.timeout)
        e.close_code = 1011  # what protocol.fail() sends
        self.ws.protocol.fail(e)
        self.ws._report_err(e)
        return e


def _setup(ws, kw):
    from . import rtio

    ws._ka = Keepalive(ws, kw.get("ping_interval"), kw.get("ping_timeout", 20.0), rtio)
    return ws._ka


# -- the layers ----------------------------------------------------------------------------------


class _Stream:
    """The blocking WebSocket's stream with the keepalive in its reads: ``recv_some`` waits at most
    until the next PING is due, sends it, and waits on, until data comes or the caller's timeout."""

    def __init__(self, ws, stream):
        self.ws = ws
        self.s = stream
        self.t = stream.timeout
        self.sendall = stream.sendall
        self.close = stream.close
        self.host = stream.host  # (set under TLS: see websocket.WebSocket._wind_down)

    def settimeout(self, t):
        self.t = t

    def recv_some(self, buf):
        """Bytes read into ``buf`` (0 at EOF), None at the caller's timeout; PINGs go out meanwhile,
        and a PONG that does not come fails the connection (TimeoutError)."""
        return self._recv(buf)

    def _recv(self, buf, once=False):
        """``recv_some``, or with ``once`` the stream's one read of at most that many bytes (MicroPython
        over TLS between frames, see ``websocket.WebSocket._recv``: it bypassed this wrapper and found
        no ``_recv`` here, an AttributeError at every recv())."""
        ws = self.ws
        s = self.s
        ka = ws._ka
        c = ka.clock
        t = self.t
        dl = None if t is None else c.ticks_add(c.ticks_ms(), int(t * 1000))  # the caller's deadline
        while True:
            if ws.protocol.state != 1 or ws._socket_closed:  # closing: the plain read
                s.settimeout(t if dl is None else max(0, c.ticks_diff(dl, c.ticks_ms())) / 1000)
                return s._recv(buf, once) if once else s.recv_some(buf)
            k = max(0, ka.step())
            ws._flush()  # the PING, if one is due
            if ws._socket_closed:
                return 0
            left = None if dl is None else max(0, c.ticks_diff(dl, c.ticks_ms()))
            mine = left is None or k <= left  # (k 0: a PONG overdue, checked after a read of none: recv(0))
            s.settimeout((k if mine else left) / 1000)
            n = s._recv(buf, once) if once else s.recv_some(buf)
            if n is not None:
                if n:
                    ka.alive()
                return n
            if not mine:
                return None
            if ka.late():
                e = ka.fail()
                s.settimeout(ws.close_timeout)
                try:
                    ws._flush()  # the Close 1011, if the socket takes it
                except HTTPCError:
                    pass
                ws.protocol.receive_eof()
                ws._close_socket()
                ws._closed()
                raise e


def blocking(ws, kw):
    """Hook the keepalive into a blocking ``websocket.WebSocket`` (from its constructor)."""
    _setup(ws, kw)
    ws.stream = _Stream(ws, ws.stream)


def aio(ws, kw):
    """Hook the keepalive into an ``aiows.WebSocket``: its reads wait at most until the next PING."""
    ka = _setup(ws, kw)
    c = ka.clock
    read = ws._read

    async def _read(t):
        dl = None if t is None else c.ticks_add(c.ticks_ms(), int(t * 1000))
        while True:
            if ws.protocol.state != 1 or ws._socket_closed:
                return await read(t if dl is None else max(0, c.ticks_diff(dl, c.ticks_ms())) / 1000)
            k = max(0, ka.step())
            await ws._flush_by(None)  # (bounded by the keepalive itself: a server that reads nothing)
            if ws._socket_closed:
                return b""
            left = None if dl is None else max(0, c.ticks_diff(dl, c.ticks_ms()))
            mine = left is None or k <= left  # (as the blocking one's)
            try:
                data = await read((k if mine else left) / 1000)
                if data:
                    ka.alive()
                return data
            except TimeoutError:
                if not mine:
                    raise TimeoutError("no data from the server within %s s" % t)
            if ka.late():
                e = ka.fail()
                try:
                    await ws._flush()
                except HTTPCError:
                    pass
                ws.protocol.receive_eof()
                await ws._close_socket()
                ws._closed()
                raise e

    ws._read = _read


def poll(ws, kw):
    """Hook the keepalive into a ``pollws.WebSocket``: the connection's timer includes the next PING."""
    ka = _setup(ws, kw)
    left0 = ws._left
    expired0 = ws._expired
    input0 = ws._input

    def _input(data):
        if data:
            ka.alive()
        input0(data)

    def _due():
        """Milliseconds until the keepalive acts; while its PING waits behind our frames (``_sent`` True),
        until the patience has passed since the last look that found our writes gone on (the frames
        queued, and how far into the first): the peer must take them (a server that reads nothing was
        never failed then, with the engine's timeout None).  Reads do not count here."""
        c = ka.clock
        if ka._sent is True:
            conn = ws.conn
            now = c.ticks_ms()
            if ka._w is None or ka._n != len(conn._out) or ka._p != conn._out_pos:
                ka._w, ka._n, ka._p = now, len(conn._out), conn._out_pos
            return int(ka.patience * 1000) - c.ticks_diff(now, ka._w)
        return ka.left()

    def _left():
        t = left0()
        if ws._t_closing is None:
            k = _due()
            if t is None or k < t:
                t = k
        return t

    def _expired():
        if ws._t_closing is None and _due() <= 0:
            conn = ws.conn
            if ka._sent is True:
                conn._write()  # what the socket takes now (the application may have been away meanwhile)
                if conn.closed or ka._sent is not True or _due() > 0:
                    return
                e = ka.fail("the server did not take our frames within %s s" % ka.patience)
                if not conn.closed:  # (a poll() in on_err ended it: raised, it escaped run() too)
                    raise e  # (the engine ends the connection: on_close follows; no Close can pass them)
                return
            if ka.late():
                conn._read()  # what already came may hold the PONG
                if conn.closed or not ka.late():
                    return
                e = ka.fail()
                ws._queue()
                conn._write()  # the Close 1011, as far as the socket takes it now
                if not conn.closed:
                    raise e  # the engine ends the connection: on_close follows
            n = ka.pings
            ka.step()
            if ka.pings != n:
                ka._sent = True  # due from its write (Keepalive.written), not from now; the write bounded
                ka._w = None  # (see _due)
                ws._queue(ka.written)
            else:
                ws._queue()
            return
        expired0()

    ws._left = _left
    ws._expired = _expired
    ws._input = _input
