"""Non-blocking I/O layer: one ``select.poll`` loop drives many connections with HTTPc's callbacks, all run inside ``Engine.poll()`` / ``run()`` (HTTPc's task mode without a task).  Per connection: a non-blocking
connect (TLS: ``polltls``), requests FIFO one at a time (redirects and resends: ``pollhop``), the upgrade queued behind them, then frames (``pollws``).  A pump over ``session.Session``, whose rules decide; owns
the sockets, the poll set, partial writes and timers.  An error on one connection ends that connection only: each request ends with one ``on_complete(resp, True)`` or ``on_err(exc)`` (then ``on_complete(resp,
False)`` if the head had come), each connection with one ``on_close(conn, cause)``; a callback that raises ends its connection, its exception the cause (one raised while the end is reported leaves ``poll()`` after it; an on_tx_complete of a frame written as it ends that raises after the cause: dropped; an interrupt ends an HTTP connection, then leaves ``poll()``; a WebSocket's goes on).  A response that leaves the connection unusable is delivered, then the requests still queued go out on a new connection.  Blocking spot: name resolution."""

import select
import socket

from . import http11, rtio, session
from .errors import ConnectError, ConnectionLost, LimitExceeded, TimeoutError, UsageError
from .rt import MICROPYTHON, const, load
from .rtio import EAGAIN, EINPROGRESS, EWOULDBLOCK, recv_into, set_nodelay, ticks_diff, ticks_ms, would_block
from .session import Body, Session, callables, count, seconds

_IN, _OUT, _ERR = select.POLLIN, select.POLLOUT, getattr(select, "POLLERR", 8) | getattr(select, "POLLHUP", 16)

_CONNECTING = const(1)  # TCP connect in progress (waiting for POLLOUT)
_HANDSHAKE = const(2)  # CPython: TLS handshake in progress (polltls)
_HTTP = const(3)  # open, carrying HTTP requests
_WS = const(4)  # upgraded to a WebSocket
_CLOSED = const(5)
STATE_NAMES = ("", "CONNECTING", "TLS_HANDSHAKE", "HTTP", "WEBSOCKET", "CLOSED")

_MAX_READS = const(8)  # reads per connection per round, so one busy connection cannot starve the rest
_SMALL_BODY = const(1024)  # bodies up to this size go out in the same write as the head
_until = lambda t, since: None if t is None else int(t * 1000 + 0.5) - ticks_diff(ticks_ms(), since)  # noqa: E731 (ms left of t s from tick since)


class Response(session.Response):
    """``session.Response`` with ``body`` (bytes, collected when the request had no ``on_body``; what ``read()``, ``text()`` and ``json()`` give) and ``transaction``, the Transaction it answers."""
    body = transaction = _body = None
    def read(self, n=-1, max_size=None):  # (as the other layers' read(): the collected body whole and again, or n bytes at a time, then the rest and again; ConnectionLost when cut off)
        if not self.complete:  # (in on_response, before the body came: b"" was kept as the body for good)
            raise UsageError("the body has not come yet: read it from on_complete (or stream it with on_body)")
        n, c = self._read_n(n, max_size), self._pending  # (the body has come whole, within max_body; a whole read: the rest of it
        if n < 0 and self._body is None and (max_size is None or Body(max_size, len(self.body or b"" if c is None else c))):  # within max_size, or Body's LimitExceeded, as on the other layers)
            try:
                self._body, self._pending = (self.body or b"", None) if c is None else (bytes(c), b"")
            except MemoryError:  # the rest after a read(n) that does not fit: held still, to read in pieces (it was a bare MemoryError)
                raise LimitExceeded("body does not fit in memory (stream it instead)", "max_body", None, len(c if c is not None else self.body or b""))
        elif n >= 0 and c is None:
            c = self._pending = self.body or b""
        return (self._body or self._end(b"")) if n < 0 else self._take(c, n) if c else self._end(b"")


class Transaction:
    """One queued request and its outcome: ``request`` (a ``request.Request``), ``method``, ``response`` once the head
    came, ``done``, ``error``; the upgrade is one too, with ``websocket``.  (``chunks``, ``_body``, ``head``, ``asked``: internal.)"""
    websocket = response = error = chunks = _body = hdrs = path = first = history = hop = t_end = head = on_response = on_body = on_complete = on_err = user_data = asked = None
    done = reused = False

    def __init__(self, conn, request, on_response=None, on_body=None, on_complete=None, on_err=None, user_data=None):
        self.conn, self.request, self.method = conn, request, request.method
        self.on_complete, self.on_err = on_complete, on_err
        if on_response is not None or on_body is not None or user_data is not None:  # (else the class's None:
            self.on_response, self.on_body, self.user_data = on_response, on_body, user_data  # 12 slots, not 17)
        self.done, self.error, self._body = False, None, None  # now, not at its end (OOM); response: at the head


class Conn(Session):
    """One connection of an Engine: a ``session.Session`` (its settings and rules) plus a non-blocking socket; ``state_name``, ``error`` (the cause once closed), ``websocket`` once upgraded, ``user_data``."""
    response_class, clock = Response, rtio

    # _active: the Transaction in flight; _deferred: an error of connect() (or pollhop.orphan), reported from poll(); _used: a response
    # completed here; _app_close: Engine.close() asked (True), or the MemoryError an Engine call raised (on_close(conn, it), no on_err: the caller had it); _out_pos: bytes of _out[0] written; _want: see _update_mask.
    _deferred = _tls_ctx = engine = _owner = _raw = None  # (_raw: the TCP socket under TLS, polltls)
    _want, _cb = _OUT, (None, None, None)  # _cb: on_connect, on_close, on_err

    def __init__(self, *args, **kw):
        Session.__init__(self, *args, **kw)  # engine and callbacks: set by Engine.connect (or pollhop)
        self.state = _CONNECTING
        self._queue, self._out = [], []  # _out: [buffer, on_tx_complete or None] in write order
        self._t_start = self._t_io = ticks_ms()  # _t_io: last progress (bytes in or out)
        self.error = self.websocket = self.sock = self._active = self._key = None  # set now what changes later: a late attribute could grow the table at the worst time (out of memory)
        self._used = self._app_close = False
        self._out_pos = self._mask = 0

    state_name = property(lambda self: STATE_NAMES[self.state])
    closed = property(lambda self: self.state == _CLOSED)
    upgraded = property(lambda self: self.state == _WS, lambda self, v: None)  # (the state says it: no attribute more)
    __repr__ = lambda self: "<Conn %s:%d %s>" % (self.host, self.port, self.state_name)  # noqa: E731

    def _io(self, mv, out, err=0):
        """Bytes read into ``mv`` (0 at EOF) or written from it, or None when the socket can't now."""
        s = self.sock
        try:
            if MICROPYTHON:  # (TLS: each read one read, where it has recv: rtio.recv_into says why)
                if out and self.tls and self.engine._reset(s):  # a write that meets a reset fails the TLS socket
                    raise OSError(104)  # for reads too: what came before it is read first (below), as net.py does
                return s.write(mv) if out else recv_into(s, mv, err) if (hasattr(s, "recv") if self.tls else err) else s.readinto(mv)
            return s.send(mv) if out else s.recv_into(mv)
        except (OSError, ValueError) as exc:  # ValueError, or an mbedTLS code (< 0): MicroPython's TLS failed
            if self._t_tls is None or isinstance(exc, OSError) and not (MICROPYTHON and -29312 != exc.args[0] < 0):
                if out and _HTTP <= self.state < _CLOSED and not would_block(exc):  # a reset: what came before it goes first,
                    self._read(256, 4096)  # all of it (an answer, RFC 9112 9.5, a 413; a WebSocket's last messages and Close)
                if would_block(exc) or self.state == _CLOSED or out and self.state == _CONNECTING:  # (that answer
                    return None  # ended it, and the requests queued behind it reopened it: not their failure)
                if not out and (self.state == _HTTP and self._active is None  # a reset of an idle one: nothing
                                or getattr(exc, "reason", 0) and exc.args[0] == 8):  # was lost; TLS: net.py
                    return 0
                raise ConnectionLost("%s failed: %r" % ("send" if out else "receive", exc))
            raise load("errors2").TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))

    def _update_mask(self):
        st = self.state
        if st == _CLOSED:
            return
        want = self._want  # connecting: what the TCP connect or the TLS handshake waits for
        if st > _HANDSHAKE:
            want = 0 if st == _WS and self.websocket._stalled() else _IN  # (see pollws: it reads once its frames are out)
            if self._out or (self._active is not None and self._active.chunks is not None):
                want |= _OUT
        if want != self._mask:
            self.engine._poller.modify(self.sock, want)
            self._mask = want

    def _ready(self, ev):
        st = self.state
        if st == _CONNECTING:
            err = 0 if MICROPYTHON else self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err or ev & _ERR:  # (MicroPython has no SO_ERROR)
                raise ConnectError("connect to %s:%d failed (errno %d)" % (self.host, self.port, err)) if err else \
                    ConnectError("connect to %s:%d failed (refused or unreachable)" % (self.host, self.port))
            set_nodelay(self.sock)
            self._t_io = ticks_ms()
            if not self.tls:
                return self._connected()
        if st < _HTTP:  # TLS: wrap the socket, then handshake as it allows (_connected() once done)
            load("polltls").step(self)
        elif ev & (_IN | _ERR):
            self._read(ev & _ERR and 256)
        if st >= _HTTP and self.state != _CLOSED and ev & _OUT:
            self._write()
        self._update_mask()

    def _connected(self):
        self.state = _HTTP
        self.opened(MICROPYTHON and self.tls)  # MicroPython's TLS handshake runs in the first writes
        self._cb[0] and self._cb[0](self)  # (_cb: on_connect, on_close, on_err)
        self._next()

    def _read(self, err=0, reads=_MAX_READS):  # err: poll saw an error: each read one read (rtio.recv_into), as Session.one_read says
        buf = self.engine._mv
        for _ in range(reads):
            if self.state == _WS and reads == _MAX_READS and self.websocket._stalled():
                return  # (see _update_mask; not once a write met a reset: nothing waits for our frames now)
            mv = (self.websocket.protocol.payload_room(len(buf)) or buf) if self.state == _WS else \
                buf if self.upgrading is None else buf[:512]  # a 101's head: little (client._event)
            n = self._io(mv, False, err or self.one_read())  # (no heap for it, over TLS too: Engine._guard)
            if n is None:
                return
            self._t_io = ticks_ms()
            if self.state == _WS:
                self.websocket._input(mv[:n] if n < len(mv) else mv)  # a full read: no new view
            else:
                self.receive_data(mv[:n]) if n else self.receive_eof()
                self._http_events()
            if self.state == _CLOSED or n == 0 or self._app_close and self.state == _WS:  # (Engine.close() from a
                return  # WebSocket's callback: nothing more is read, an EOF behind that read made it a lost connection)
            for s, f in self.engine._poller.ipoll(0) if MICROPYTHON and not (err or self.tls) else ():  # a callback may have slept
                err = 256 if s is self.sock and f & _ERR else err  # while a reset came: this round's flags are old (see _io)
        self.engine._hot = True  # more may be waiting: the next round does not sleep

    def _write(self):
        out = self._out
        for _ in range(_MAX_READS * 32):  # (a bound per round: a fast reader of a streamed body held one poll() for good)
            if not out:
                req = self._active
                if req and req.chunks:  # a streamed body: the next piece once the last is out (it may be a view of the same buffer)
                    self.engine._busy = True  # its own code: a nested poll() would pull this body again (a bare ValueError)
                    c, self.engine._busy = next(req.chunks, None), False
                    if c is None:
                        req.chunks = None
                        return
                    if len(c):
                        out.append([c, None])
                    continue
                return
            item = out[0]
            n = self._io(memoryview(item[0])[self._out_pos :], True)
            if n is None:
                return
            n and self._active is not None and self.sent()  # the head is due within timeout of the request's last byte (TLS: handshake done)
            self._t_io = ticks_ms()
            self._out_pos += n
            if self._out_pos < len(item[0]):
                return  # partial write: the rest goes when the socket is writable again
            out.pop(0)
            self._out_pos = 0
            item[1] and item[1](True)
            self.state == _WS and self.websocket._progress()
            if self.state == _CLOSED:
                return
        self.engine._hot = True  # more to write: the next round does not sleep

    def _next(self):
        """Idle (in poll()): start the next queued request, or end the connection if it can't carry one."""
        mv = self.engine._mv
        while self.state == _HTTP and self._active is None and not self._app_close:
            n = self._io(mv, False) if self._queue and self._used and self.ready else None  # 0: the server closed the idle connection
            if n:  # bytes no request asked for: the session's verdict (not ready)
                self.receive_data(mv[:n])
            if self._queue and (n == 0 or not self.ready):  # closed, said close, or spoke out of turn:
                return load("pollhop").resend(self)  # a new connection carries the queue (as on the other layers)
            if not self._queue:
                return None if self.ready else self._end(None)  # (a connection that can't carry one ends)
            req = self._queue.pop(0)
            try:
                if req.websocket is not None:
                    head, body = req.websocket._begin(self)
                else:  # headers resolved once: a redirect reuses them (a header hook runs once)
                    req.hdrs = req.request.user_headers() if req.hdrs is None else req.hdrs  # ([]: a table too)
                    if not req.request.replayable():  # (checked again, before it begins: queued twice,
                        req.request.body_pieces(None, None)  # the first read its body: UsageError)
                    head, body = self.start(req.request, req.hdrs, req.path, req.t_end, req.head)
            except Exception as exc:  # a request the caller built wrong fails alone (no memory: all of it)
                self._req_fail(req, exc)
                if isinstance(exc, MemoryError):
                    return self._end(exc)
                continue
            self._active, req.reused, req.head = req, self._used, None  # (head: Engine.request's, used)
            self._t_io = ticks_ms()
            if body is not None and not isinstance(body, (bytes, bytearray, memoryview)):
                req.chunks = req.request.body_pieces(body, bytearray(512))  # pulled as the socket drains
            elif body is not None and len(body) > _SMALL_BODY:
                self._out.append([head, None])
                head = body
            elif body is not None:
                head += bytes(body)  # one write for small requests
            self._out.append([head, None])
            return self._update_mask()

    def _http_events(self):
        while self.state == _HTTP:
            req = self._active
            if req is None:
                return self._next()  # input while idle: the session's verdict
            ev = self.next_event()
            if ev is None:
                return
            if ev[0] == http11.RESPONSE:
                resp = req.response = ev[1]
                resp.transaction, resp.request = req, req.asked or req.request  # (the application's, after hops too)
                if req.user_data is not None:
                    resp.user_data = req.user_data
                wsh = req.websocket
                if wsh is not None and resp.status == 101:
                    return wsh._switch(resp)  # a wrong 101 ends the connection
                self.engine._busy = True  # on_header: a nested poll() would take the body before on_response
                if wsh is None and resp.status in (301, 302, 303, 307, 308):  # one to follow? (pollhop)
                    req.hop = load("pollhop").verdict(self, req, resp)
                elif wsh is None:  # the session's verdict on the final response: on_header
                    self.redirect(self, resp, req.request, None, 0, req.history)
                self.engine._busy = False  # (on_header raised, even KeyboardInterrupt: _guard)
                if req.hop is None and (req.on_body is None or wsh is not None):
                    req._body = Body(self.max_body, self.parser.body_left(), self.tls)  # (a HEAD's: none to come)
                if req.on_response and req.hop is None and wsh is None:
                    try:  # (with the Body made: a run() in it collects the body)
                        req.on_response(resp)
                    except MemoryError:  # its own, not the Body's: _read lets it out as itself (it was the
                        req._body = None  # LimitExceeded of a body that did not fit, 'give on_body to stream it')
                        raise
            elif ev[0] == http11.DATA:
                if req.hop is not None:
                    load("pollhop").drain(self, req, ev[1])  # the 3xx's body: dropped, bounded
                elif req._body is not None:
                    req._body.add(ev[1])
                else:  # on_body: a nested poll() would read more of this body inside it, deeper at each piece
                    self.engine._busy = True  # (MicroPython's recursion limit left a closed Conn in the engine)
                    req.on_body(ev[1])
                    self.engine._busy = False
            self._active is req and req.response.complete and self._finish(req, req.response)

    def _finish(self, req, resp):
        if req.hop is not None:
            return load("pollhop").follow(self, req)
        if req._body is not None:
            resp.body, req._body = req._body.value(), None
        self._active, self._used, req.done = None, True, True
        req.request, self.engine._hot = resp.request, True  # (after hops: the application's; news: a round that ended it in its ticks does not wait)
        if req.websocket is not None:
            return req.websocket._refused(resp)
        if req.chunks is not None or self._out:  # the server answered before the whole body went out: part
            self.reusable = False  # of it is on the wire, the connection ends (the queue: a new one, _next),
            req.chunks = None  # before on_complete (a poll() in it sent the next head into the body); (only
        if req.on_complete:  # then: a 13th attribute takes a table of 17 slots)
            req.on_complete(resp, True)

    def _left(self):
        """Milliseconds until the nearest timer of this connection fires (<= 0: due), or None."""
        st = self.state
        if st == _WS:
            return self.websocket._left()
        if st < _HTTP:
            return _until(self.connect_timeout, self._t_start)
        if st == _CLOSED or self._active is None and not self._out:
            return None
        try:
            w = self.wait_time()  # the head as a whole, the deadline (TLS handshake: connect_timeout)
        except TimeoutError:
            return 0
        a, w = _until(self.timeout if self._t_tls is None else None, self._t_io), _until(w, ticks_ms())
        return a if w is None or a is not None and a < w else w

    def _tick(self, ev):
        """Once per round (in poll()): deferred errors and closes, queued requests, timers (ev: unused)."""
        if self.state == _CLOSED:
            return
        a = self._app_close  # True, or a MemoryError: then nothing is made here (MicroPython's emergency
        if a:  # exception, shared by all made with no heap, took a new one's text and type; a second was told)
            for c in self.engine._conns:  # (its redirects' connections end first; no iterator is made)
                if c._owner is self:
                    break
            else:  # (a callback's exception deferred before the close leaves poll() after it, as one after it does: pollhop.orphan; a connect's error goes)
                if self.state < _HTTP and self._deferred is not None:  # connecting: a connect's error (pollhop.orphan defers none there), dropped; (no
                    self._deferred = None  # store of the class's None: a full heap after an Engine call's MemoryError has no room for it)
                self._end(None if a is True else a, a is True and ConnectionLost("the connection was closed by the application") or a)
        if self._deferred is not None:
            raise self._deferred
        if self.state == _HTTP:
            self._http_events()  # what the parser holds first (a run() in on_response: the body that came with the head)
        elif self.state == _WS and self.websocket._held and not self._out:
            self.websocket._pump()  # its replies are out: the input held back comes next
        left = self._left()
        if left is None or left > 0:
            return
        st = self.state
        if st < _HTTP:
            raise TimeoutError("connect to %s:%d did not complete within %s s" % (self.host, self.port, self.connect_timeout))
        if st == _WS:
            return self.websocket._expired()
        if (a := self._active) is not None and (a.hop is not None or a.chunks is not None) or self._out or self._queue and self.t_end:
            return load("pollhop").due(self)  # a 3xx body not dropped in time, a deadline with requests behind, an upload stalled
        self.wait_time()  # raises the session's own TimeoutError when one of its timers is due (nothing loaded: a full heap)
        raise TimeoutError("no progress on %s:%d within %s s" % (self.host, self.port, self.timeout))

    def _req_fail(self, req, exc):
        if req.done:
            return
        req.done, req.error, req._body = True, exc, None
        req.request = req.asked or req.request  # (after hops: the application's; a 4-tuple here was an allocation)
        if req.websocket is not None:
            return req.websocket._refused(req.response, exc)
        try:
            req.on_err and req.on_err(exc)
        finally:  # (on_complete too when on_err raised: every request ends, as the README says)
            if req.response is not None and req.on_complete:
                req.on_complete(req.response, False)

    def _end(self, cause, pending_exc=None):
        """Close and report, each once: requests fail, the WebSocket closes, on_err(conn, cause) if any, on_close."""
        if self.state == _CLOSED:
            return
        a = self._active
        if a is not None and (a.websocket is None and (a.hop or self.may_retry(a.request, cause, a.reused)) or self._queue and getattr(cause, "limit", 0) == "max_body"):
            return load("pollhop").resend(self, a, cause, pending_exc)  # (a.hop: a 3xx's body broke; max_body: see resend, a refused upgrade's too)
        self.state = _CLOSED
        self.error = cause = cause if self.websocket is None else self.websocket._end_cause(cause)
        self.engine._forget(self)
        self.lost()
        w, er = self.websocket, self.websocket is not None and self.websocket._err_reported  # (False: its on_err raised)
        err, step, lost = None, -1, cause or pending_exc  # (not one line of four: a tuple, and no heap may be left)
        while step < 4:  # every report, each once, when a callback raises too (its exception after them all)
            try:
                while step < 0 and self._out:  # the frames not written: on_tx_complete(False) each
                    f = self._out.pop(0)[1]
                    f and f(False)
                if step == 0 and w is not None:
                    w._ended(cause)
                while step == 1 and (self._active or self._queue):  # the requests, one at a time
                    r, self._active = self._active or self._queue.pop(0), None
                    self._req_fail(r, lost or ConnectionLost("the connection closed before the answer"))
                if step > 1 and self._cb[4 - step] and (step == 3 or cause is not None and cause is not self._app_close):
                    self._cb[4 - step](self, cause)
            except BaseException as e:  # (an interrupt too; with no heap left, each is told as far as it allows; a request's MemoryError
                # once the end's cause was one is that shortage, else its callback's own: raised after them all;
                # one the WebSocket's on_close or on_err raised is theirs, wsession._told)
                own = step == 0 and (w.on_close is False or er is not False and w._err_reported is False)
                err = err or (None if step < 2 and isinstance(e, MemoryError) and not own and (step == 0 or isinstance(lost, MemoryError)) else e)
                if step < 0 or step == 1:
                    continue  # the frames or requests still queued are told next (each taken out first)
            step += 1
        if err is not None:
            raise err


class Engine:
    """Drives any number of connections from one loop.  ``buffer_size``: the one receive buffer all connections share.  Defaults for ``connect()``: ``connect_timeout`` and ``timeout`` (s; inactivity while a request or a write is outstanding; the response head must come within it as a whole)."""

    def __init__(self, buffer_size=2048, connect_timeout=10.0, timeout=30.0, **kw):
        if kw:  # (a bare TypeError before, where Connection and connect() said UsageError)
            raise UsageError("unknown Engine keyword %r" % (next(iter(kw)),))
        self.connect_timeout, self.timeout = seconds(connect_timeout, "connect_timeout"), seconds(timeout, "timeout")
        self._poller, self._conns, self._by_key, self._timers, self._hot, self._busy = select.poll(), [], {}, [], False, False
        self._mv = memoryview(bytearray(count(buffer_size, "buffer_size", 1)))  # (0: every request failed)

    connections, _round = property(lambda self: list(self._conns)), 0  # the connections not yet closed; poll()'s count

    def connect(self, host, port=None, tls=False, on_connect=None, on_close=None, on_err=None,
                connect_timeout=..., timeout=..., persistent=True, ssl_context=None, cadata=None, verify=True,
                server_hostname=None, max_line=2048, max_headers=40, max_header_bytes=8192,
                max_chunk_line=256, max_body=1 << 20, user_data=None, deadline=None, max_interim=8,
                follow_redirects=0, drain_limit=4096, drain_timeout=1.0, **kw):
        """Start connecting; returns the Conn at once (requests may be queued right away).  ``on_connect(conn)``
        once TCP (and TLS) is up; ``on_err(conn, exc)``, ``on_close(conn, cause)``.  ``deadline`` (s) bounds
        each request (a request's own wins), ``max_interim`` its 1xx, ``max_body`` a collected body; the others
        as on Connection (another origin: ``pollhop``; ``buffer_size`` is the Engine's: UsageError here)."""
        callables(on_connect, on_close, on_err)
        if kw.pop("buffer_size", None) is not None:  # (the one receive buffer is the Engine's; None: as on Connection)
            raise UsageError("buffer_size is the Engine's (Engine(buffer_size=...)), not a connection's")
        conn = Conn(host, port, tls, persistent, self.connect_timeout if connect_timeout is ... else connect_timeout,
                    self.timeout if timeout is ... else timeout, ssl_context, cadata, verify, server_hostname, None,
                    max_line, max_headers, max_header_bytes, max_chunk_line, max_body, user_data, follow_redirects,
                    drain_limit, deadline, drain_timeout, max_interim, **kw)  # (an unknown keyword: UsageError)
        conn.engine, conn._cb = self, (on_connect, on_close, on_err)
        if tls:  # (only TLS users load ``tls``; usage errors raise here)
            conn._tls_ctx = load("tls").tls_context(ssl_context, cadata, verify)
        return self._open(conn)

    def _open(self, conn):
        """Start the non-blocking connect of ``conn`` (new, or reopened by ``pollhop``): returns it."""
        self._conns.append(conn)
        self._hot, sock = True, None  # errors found here are reported from poll(); no socket yet
        try:
            info = socket.getaddrinfo(conn.host, conn.port, 0, socket.SOCK_STREAM)[0]
            sock = socket.socket(info[0], info[1], info[2])
            sock.setblocking(False)
            self._rekey(conn, sock)
            sock.connect(info[-1])
        except MemoryError as e:  # raised, and the Conn ends as after request() (it stayed to time out as a connect)
            raise self.close(conn, e) or e
        except (OSError, IndexError, UnicodeError) as exc:  # UnicodeError: a name IDNA refuses
            if sock is None:
                conn._deferred = ConnectError("cannot resolve %r: %r" % (conn.host, exc))
            elif not (exc.args and exc.args[0] in (EINPROGRESS, EAGAIN, EWOULDBLOCK)):
                conn._deferred = ConnectError("connect to %s:%d failed: %r" % (conn.host, conn.port, exc))
        return conn

    def request(self, conn, method, target="/", headers=None, body=None, on_response=None, on_body=None,
                on_complete=None, on_err=None, **kw):
        """Queue a request on ``conn`` (FIFO, one at a time, from the next poll()); returns its Transaction.
        ``method``: a name or a ready ``request.Request``; other keywords are those of ``request.Request`` (a body of
        unknown length goes chunked, pulled as the socket drains); ``deadline`` (s) bounds this request as a whole.
        ``on_response(resp)`` when the head came; ``on_body(chunk)`` per piece (without it the body is collected into
        ``resp.body``, bounded by ``max_body``); ``on_complete(resp, ok)`` at the end; ``on_err(exc)`` on failure."""
        self._mine(conn)
        try:  # checked and built now: UsageError here, as on the other layers (on_err at its turn before)
            if on_body is not None:  # (a Request's keyword, as user_data= and deadline= in kw: refused beside a ready one)
                kw["on_body"] = on_body
            r = load("request").request(method, target, headers, body, kw)  # on use (rt.load: threads): a WebSocket-only engine never loads it
            callables(on_response, on_complete, on_err)
            req = Transaction(conn, r, on_response, r.on_body, on_complete, on_err, r.user_data)
            req.hdrs = r.user_headers()
            req.head = r.prepare(conn.host_header, not conn.persistent, req.hdrs, conn.target(r))
        except MemoryError as e:  # (as in upgrade(): raised once, and the connection ends; the Request and the
            raise self.close(conn, e) or e  # Transaction too: the connection stayed open, with no on_close)
        conn._queue.append(req)
        self._hot = True
        return req

    def upgrade(self, conn, path="/", **kw):
        """Queue the WebSocket upgrade (HTTPc_WebSockUpgrade) behind the requests queued on ``conn``; returns the WebSocket at once (see ``pollws.upgrade`` for the keywords; the first loads that module: rt.load)."""
        self._mine(conn)
        try:
            return load("pollws").upgrade(self, conn, path, **kw)
        except MemoryError as e:  # (pollws's load too): raised once, and the connection ends (on_close(conn, e))
            raise self.close(conn, e) or e

    def ws_send(self, conn, message, on_tx_complete=None):
        """Queue a message on the WebSocket of ``conn`` (str text, bytes binary)."""
        if self._mine(conn, False).websocket is None:
            raise UsageError("this connection is not a WebSocket (yet)")
        conn.websocket.send(message, on_tx_complete)

    def close(self, conn, abort=False):
        """Close ``conn`` and its redirects' connections from the next poll() (requests not answered get on_err(ConnectionLost), then on_close(conn, None)); an open WebSocket starts its closing handshake unless ``abort`` (see _app_close)."""
        if self._mine(conn, False).state == _CLOSED:
            return
        ws = conn.state == _WS and conn.websocket._closing(abort)  # (a WebSocket: its closing handshake, see pollws)
        for c in self._conns:  # (reported from the next poll()) and those made for its redirects (pollhop; a WebSocket's too)
            c._app_close = c._app_close or (c is conn and not ws or c._owner is conn) and (abort or True)  # (abort: True, or the MemoryError of an Engine call)
        self._hot = True

    def call_later(self, delay, fn):
        """Call ``fn()`` from poll() once ``delay`` seconds have passed (run() waits for it too); an exception from ``fn`` comes out of that poll().  (Kept in ``_timers`` as (tick, seconds, fn).)"""
        if delay is None or not callable(fn):
            raise UsageError("call_later() takes seconds and a callable, not %r and %r" % (delay, fn))
        self._timers.append((ticks_ms(), seconds(delay, "delay"), fn))  # (a wrong one failed every poll())
        self._hot = True

    def close_all(self):
        """Close every connection at once (``close(conn, abort=True)``)."""
        for c in list(self._conns):
            self.close(c, abort=True)

    def _mine(self, conn, http=True):  # (None, another engine's Conn: UsageError, not an AttributeError)
        if getattr(conn, "engine", None) is not self:
            raise UsageError("not a connection of this engine: %r" % (conn,))
        if http and (conn.state == _CLOSED or conn._app_close or conn.check_usable()):  # (upgraded: it raises)
            raise UsageError("the connection is closed")
        return conn

    def poll(self, timeout_ms=0):
        """One round: wait up to ``timeout_ms`` (0 to 500,000; -1 or None: until something happens; cut to the nearest timer) for the sockets, then read, call back, write, enforce timers; the ready count."""
        if self._busy:  # a WebSocket's on_open or on_msg (pollws), on_header, on_body, a request body's: later input would come first
            raise UsageError("poll() or run() inside an on_header, an on_body, a body's own code or a WebSocket callback of this engine")
        t = None if timeout_ms == -1 else seconds(timeout_ms, "timeout_ms")  # (the same bounds, in ms)
        self._each(Conn._tick)
        wait, self._hot = 0 if self._hot else -1 if t is None else int(t), False  # (MicroPython's poll: an int)
        for c in self._conns:
            left = c._left()
            if left is not None and (wait < 0 or left < wait):
                wait = max(0, left)
        for t in self._timers:
            left = _until(t[1], t[0])
            if wait < 0 or left < wait:
                wait = max(0, left)
        if wait < 0 and not self._conns:
            return 0  # nothing to wait for: never block forever on an empty poll set
        try:
            ready = self._poller.poll(wait)
        except MemoryError:  # a heap exactly full (a call raised it): none this round, the end comes in the ticks
            ready = ()
        n = self._round = self._round + 1
        for key, ev in ready:  # (not to a socket registered since: CPython's keys are fds, and a nested
            c = self._by_key.get(key)  # poll() may close one and a new connection take its fd)
            if c is not None and c[1] < n and c[0].state != _CLOSED:  # (c: the Conn, its round)
                self._guard(c[0], Conn._ready, ev)
        self._each(Conn._tick)
        for t in list(self._timers) if self._timers else ():  # (no list per round when there is none)
            if t in self._timers and _until(t[1], t[0]) <= 0:  # (not taken by a timer before it: a
                self._timers.remove(t)  # nested poll(), a reconnect's stop())
                t[2]()
        return len(ready)

    def run(self, until=None, timeout=None):
        """Poll until ``until()`` (default: no connection or call_later() left): True; after ``timeout`` s: False."""
        start, timeout = ticks_ms(), seconds(timeout, "timeout")
        callables(until, None)  # (a bare TypeError at its first call)
        while True:
            if until() if until is not None else not (self._conns or self._timers):
                return True
            left = _until(timeout, start)
            if left is not None and left <= 0:
                return False
            self.poll(1000 if left is None else min(1000, left))

    def _each(self, fn):
        conns, i = self._conns, 0  # in place, no copy per round: a step may end (remove) its connection
        while i < len(conns):
            c = conns[i]
            self._guard(c, fn, 0)
            i += i < len(conns) and conns[i] is c

    def _guard(self, conn, fn, ev):
        """One step of ``conn`` (``ev``: _ready's; no *args: a tuple per step): any exception ends it."""
        try:
            fn(conn, ev)
        except BaseException as exc:  # isolation between connections is the point (an interrupt goes on)
            a = conn._active if conn.state == _HTTP and not self._busy and exc is not conn._deferred else None  # (not a body's own code's, nor a deferred one)
            self._busy = False  # (an on_header that raised, even KeyboardInterrupt: no nested round runs, see poll())
            if a is not None and a._body is not None and isinstance(exc, MemoryError):  # a collected body that does not fit (in a read or a
                a._body, a.response._cut = None, True  # tick's events): the heap back first (read() then raises, no whole empty body)
                try:
                    exc = LimitExceeded("body does not fit in memory (give on_body to stream it)", "max_body")
                except MemoryError:  # (no heap even so, a locked one: the MemoryError it is)
                    pass
            if conn.state == _CLOSED and not conn._owner or conn.state == _WS and not isinstance(exc, Exception):
                raise  # an on_err/on_close that failed while reporting: the application's bug; a WebSocket's interrupt: the rest of its read next round (pollws)
            # Else it ends the connection, an interrupt too, which then leaves poll() (it left a request half made: a dead body iterator, the body of a skipped on_header's response); a redirect chain's own connection, idle: its request's callback raised
            (load("pollhop").ended if conn._owner else Conn._end)(conn, exc)
            if not isinstance(exc, Exception):
                raise

    def _rekey(self, conn, sock=None):
        """Register ``sock`` (new, or the TLS wrapper of the old) as ``conn``'s socket; None: unregister."""
        if conn._key is not None:
            self._by_key.pop(conn._key, None)
            try:
                self._poller.unregister(conn._key)
            except (OSError, KeyError, ValueError):
                pass
        if sock is not None:
            conn.sock = sock
            conn._key = sock if MICROPYTHON else sock.fileno()
            self._by_key[conn._key] = conn, self._round  # (the round: see poll())
            conn._mask = conn._mask or _OUT
            self._poller.register(sock, conn._mask)

    def _forget(self, conn):
        if conn in self._conns:
            self._conns.remove(conn)
            self._hot = True  # an end is news: that round does not wait (run() returned 1 s late)
        self._rekey(conn)
        rtio.close(conn.sock, conn._raw)


def reconnect(engine, target, **kw):
    """A WebSocket on ``engine``, reopened with backoff each time it ends (``backoff.PollReconnect``)."""
    return load("backoff").PollReconnect(engine, target, kw)
