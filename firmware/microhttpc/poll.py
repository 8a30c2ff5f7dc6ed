"""Non-blocking I/O layer: one ``select.poll`` loop drives many connections with HTTPc's callbacks.

This is HTTPc's task mode without a task: the application calls ``Engine.poll()`` (or ``run()``) from
its own loop, and every callback runs from inside that call, never from ``connect()``, ``request()``
or the send methods.  Per connection: connect (and TLS) without blocking, requests queued FIFO and
run one at a time (no pipelining), the WebSocket upgrade queued behind them, then frames both ways.

Owns: sockets in non-blocking mode, the poll set, partial writes, and the clock for the connect,
inactivity and close timeouts.  Must not: decide anything about HTTP or RFC 6455 -- it reads, feeds
``http11.ResponseParser`` / ``rfc6455.Protocol``, acts on their events and writes what they queued.

Failure isolation: an error on one connection (refused, timed out, lost, protocol fault, or an
exception raised by one of its callbacks) ends that connection only.  Each request ends with exactly
one of ``on_complete(resp, True)`` or ``on_err(exc)`` (then ``on_complete(resp, False)`` when the
response head had already arrived); each connection ends with exactly one ``on_close(conn, cause)``.

Known blocking spots: name resolution (``getaddrinfo``; pass an IP address to avoid it) and, on
CPython only, nothing else.  On MicroPython the TLS handshake is driven by the first non-blocking
write, so it does not block either, but its failure surfaces as the first request's error.
"""

import select
import socket

from . import http11
from .errors import (
    ConnectError,
    ConnectionLost,
    HandshakeError,
    LimitExceeded,
    TimeoutError,
    TLSError,
    UsageError,
)
from .request import Request
from .rt import MICROPYTHON, const
from .rtio import EAGAIN, EINPROGRESS, EWOULDBLOCK, set_nodelay, ticks_diff, ticks_ms

_IN = select.POLLIN
_OUT = select.POLLOUT
_ERR = getattr(select, "POLLERR", 8) | getattr(select, "POLLHUP", 16)

# Connection states
_CONNECTING = const(1)  # TCP connect in progress (waiting for POLLOUT)
_HANDSHAKE = const(2)  # CPython: TLS handshake in progress
_HTTP = const(3)  # open, carrying HTTP requests
_WS = const(4)  # upgraded to a WebSocket
_CLOSED = const(5)
STATE_NAMES = ("", "CONNECTING", "TLS_HANDSHAKE", "HTTP", "WEBSOCKET", "CLOSED")

_OPEN = const(1)  # rfc6455.OPEN, which is only imported on the first upgrade
_CLOSE_ABNORMAL = const(1006)  # rfc6455.CLOSE_ABNORMAL (RFC 6455 section 7.1.5)
_MAX_READS = const(8)  # reads per connection per round, so one busy connection cannot starve the rest


def _would_block(exc):
    """True for "try again later" on either runtime (EAGAIN, or CPython's SSLWant*Error)."""
    if exc.__class__.__name__ in ("SSLWantReadError", "SSLWantWriteError", "BlockingIOError"):
        return True
    args = getattr(exc, "args", ())
    return bool(args) and args[0] in (EAGAIN, EWOULDBLOCK)


def host_header(host, port, tls):
    """The Host value: the host, with ``:port`` unless it is the scheme's default."""
    h = "[" + host + "]" if ":" in host and not host.startswith("[") else host
    if port != (443 if tls else 80):
        h = "%s:%d" % (h, port)
    return h


def make_request(method, target, headers, body, kw):
    """A ``request.Request`` from the call's arguments (``method`` may already be one)."""
    if isinstance(method, Request):
        if target != "/" or headers is not None or body is not None or kw:
            raise UsageError("give either a Request or method/target/headers/body, not both")
        return method
    return Request(method, target, headers=headers, body=body, **kw)


def upgrade_head(host_hdr, path, headers, subprotocols, extensions, rng=None):
    """The upgrade request head, its Sec-WebSocket-Key and what was offered (RFC 6455 section 4.1)."""
    from . import rfc6455 as ws  # on first use: an HTTP-only engine never loads the WebSocket core

    hdrs = Request("GET", path, headers=headers).user_headers()  # Host & co. are refused here
    ws.check_app_headers(hdrs)
    key = ws.make_key(rng) if rng else ws.make_key()
    out = [("Host", host_hdr)] + ws.handshake_headers(key, subprotocols, extensions) + hdrs
    protos, exts = ws.offers(subprotocols, extensions, hdrs)
    return http11.build_request_head("GET", path, out), key, protos, exts


class Response:
    """A response as the engine delivers it: ``status``, ``reason`` (as sent), ``version``,
    ``headers``, ``content_length``; ``body`` (bytes) when the request had no ``on_body`` callback;
    ``trailers`` and ``complete`` once it has ended.  ``transaction`` is the Transaction it answers."""

    def __init__(self, request, head):
        self.transaction = request
        self.head = head
        self.status = head.status
        self.reason = head.reason
        self.version = head.version
        self.headers = head.headers
        self.content_length = head.content_length
        self.body = None
        self.trailers = None
        self.complete = False
        self.user_data = request.user_data

    def text(self, encoding="utf-8"):
        return (self.body or b"").decode(encoding)

    def json(self):
        import json

        return json.loads(self.body or b"")

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.reason)


class Transaction:
    """One queued request and its outcome: ``request`` (the ``request.Request``), ``method``,
    ``response`` once the head came, ``done``, ``error``.  The upgrade is one too, with ``websocket``."""

    def __init__(self, conn, request, on_response, on_body, on_complete, on_err, user_data):
        self.conn = conn
        self.request = request
        self.method = request.method
        self.head = None  # request head bytes, until queued for writing
        self.body = None  # bytes body, until queued
        self.chunks = None  # iterator of framed body pieces still to send
        self.on_response = on_response
        self.on_body = on_body
        self.on_complete = on_complete
        self.on_err = on_err
        self.user_data = user_data
        self.response = None
        self.done = False
        self.error = None
        self.websocket = None  # set for the upgrade request
        self._parts = []  # accumulated body pieces when there is no on_body
        self._size = 0


class WebSocket:
    """The WebSocket of an upgraded engine connection (returned by ``Engine.upgrade`` at once; usable
    after ``on_open``).  Send methods queue frames; the engine writes them as the socket allows.

    Callbacks (same meanings as the blocking ``websocket.WebSocket``): ``on_open(ws)``,
    ``on_msg(msg)`` whole messages (str/bytes) unless streaming, ``on_msg_rx_init(is_text, length)``,
    ``on_msg_rx_data(chunk)`` (a memoryview valid during the call), ``on_msg_rx_complete()``,
    ``on_ping(data)``, ``on_pong(data)``, ``on_close(code, reason)`` once after on_open,
    ``on_err(exc)`` (a failed upgrade, a protocol fault of the server, a timeout, a lost connection).
    """

    def __init__(self, conn, callbacks, options, timeout, close_timeout, user_data):
        self.conn = conn
        self.protocol = None
        self.subprotocol = None
        self.extensions = []
        self.response = None
        self.timeout = timeout
        self.close_timeout = close_timeout
        self.user_data = user_data
        self._cb = callbacks
        self._options = options
        self._opened = False
        self._closed_reported = False
        self._err_reported = None

    # -- sending (queued) --------------------------------------------------------------------------
    def _p(self):
        if self.protocol is None:
            raise UsageError("the WebSocket is not open yet (wait for on_open)")
        return self.protocol

    def _queue(self, on_tx_complete):
        self.conn._queue_frames(self.protocol.data_to_send(), on_tx_complete)

    def send(self, message, on_tx_complete=None, frame_size=None):
        """Queue a whole message (str as text, bytes-like as binary).  ``on_tx_complete(ok)`` is
        called once its last byte was written (ok True) or when the connection ended first (False)."""
        p = self._p()
        if isinstance(message, str):
            p.send_text(message, frame_size)
        else:
            p.send_binary(message, frame_size)
        self._queue(on_tx_complete)

    def send_start(self, is_text=False):
        """Start a message of unknown length (HTTPc's dynamic mode)."""
        self._p().send_start(is_text)

    def send_fragment(self, data, on_tx_complete=None):
        """The next frame of the message begun with send_start() (str is sent as UTF-8)."""
        self._p().send_fragment(data.encode() if isinstance(data, str) else data)
        self._queue(on_tx_complete)

    def send_end(self, data=b"", on_tx_complete=None):
        """The last frame (possibly empty) of the message begun with send_start()."""
        self._p().send_end(data.encode() if isinstance(data, str) else data)
        self._queue(on_tx_complete)

    def ping(self, data=b"", on_tx_complete=None):
        self._p().send_ping(data.encode() if isinstance(data, str) else data)
        self._queue(on_tx_complete)

    def pong(self, data=b"", on_tx_complete=None):
        self._p().send_pong(data.encode() if isinstance(data, str) else data)
        self._queue(on_tx_complete)

    def close(self, code=1000, reason=""):
        """Start the closing handshake; the socket closes when the server has answered and closed TCP,
        or after ``close_timeout``.  on_close follows.  A no-op once closing."""
        p = self._p()
        p.send_close(code, reason)
        self._queue(None)
        self.conn._ws_progress()

    @property
    def state(self):
        """rfc6455 OPEN / CLOSING / CLOSED (0 before the upgrade completed)."""
        return self.protocol.state if self.protocol is not None else 0

    @property
    def close_code(self):
        p = self.protocol
        return p.close_rcvd[0] if p is not None and p.close_rcvd else None

    # -- receiving -----------------------------------------------------------------------------------
    def _open(self, resp, sub, leftover):
        from . import rfc6455 as ws

        o = self._options
        # defer: messages that came just before a fault or a Close reach the callbacks while the
        # connection is still open, so replies sent from them go out before the Close (_dispatch).
        self.protocol = ws.Protocol(max_message=o[0], max_frame=o[1], streaming=o[2], rng=o[3],
                                    allowed_rsv=o[7], defer=True)
        self.subprotocol = sub
        self.response = resp
        self._opened = True
        fn = self._cb.get("on_open")
        if fn:
            fn(self)
        if leftover:
            # Bytes that came in the same read as the 101 head are already frames (section 4.1).
            self.protocol.receive_data(leftover)
        self._dispatch()

    def _dispatch(self):
        from . import rfc6455 as ws

        p = self.protocol
        cb = self._cb
        while True:
            self._dispatch_once(ws, p, cb)
            if p.deferred is None:
                break
            p.receive_data(b"")  # the fault or Close behind those messages, now that they are answered
        self._queue(None)
        if p.failure is not None:
            self._err(p.failure)

    def _dispatch_once(self, ws, p, cb):
        self._queue(None)  # auto-PONGs, the echo of a Close, our Close after a fault
        for kind, a, b in p.events():
            if kind == ws.EV_TEXT or kind == ws.EV_BINARY:
                fn = cb.get("on_msg")
                if fn:
                    fn(a)
            elif kind == ws.EV_MSG_DATA:
                fn = cb.get("on_msg_rx_data")
                if fn:
                    fn(a)
            elif kind == ws.EV_MSG_START:
                fn = cb.get("on_msg_rx_init")
                if fn:
                    fn(a, b)
            elif kind == ws.EV_MSG_END:
                fn = cb.get("on_msg_rx_complete")
                if fn:
                    fn()
            elif kind == ws.EV_PING:
                fn = cb.get("on_ping")
                if fn:
                    fn(a)
            elif kind == ws.EV_PONG:
                fn = cb.get("on_pong")
                if fn:
                    fn(a)

    def _err(self, exc):
        if self._err_reported is not exc:
            self._err_reported = exc
            fn = self._cb.get("on_err")
            if fn:
                fn(exc)

    def _ended(self, cause):
        """The TCP connection is gone: report the error (if new) and on_close(code, reason) once."""
        p = self.protocol
        if p is None or self._closed_reported:
            return
        if not p.eof:
            p.receive_eof()
            p.events()
        if cause is not None and cause is not p.failure:
            self._err(cause)
        self._closed_reported = True
        fn = self._cb.get("on_close")
        if fn:
            code, reason = p.close_rcvd
            fn(code, reason)


class Conn:
    """One connection of an Engine (HTTPc's connection object).  ``state_name``, ``error`` (the cause
    once closed), ``websocket`` once upgraded, ``user_data`` is yours."""

    def __init__(self, engine, host, port, tls, persistent, connect_timeout, timeout, callbacks, limits,
                 max_body, user_data):
        self.engine = engine
        self.host = host
        self.port = port
        self.tls = tls
        self.persistent = persistent
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.max_body = max_body
        self.user_data = user_data
        self.host_header = host_header(host, port, tls)
        self.error = None
        self.websocket = None
        self.state = _CONNECTING
        self.sock = None
        self._cb = callbacks
        self._limits = limits
        self._parser = None
        self._active = None
        self._queue = []
        self._out = []  # [buffer, on_tx_complete or None] in write order
        self._out_pos = 0  # bytes of _out[0] already written
        self._mask = 0
        self._key = None
        self._t_start = ticks_ms()
        self._t_io = self._t_start  # last progress (bytes in or out)
        self._t_closing = None  # when the WebSocket closing handshake began
        self._deferred = None  # an error found inside connect(), reported from poll()
        self._app_close = False  # Engine.close() was called: end from the next poll()
        self._tls_ctx = None
        self._want = _OUT

    @property
    def state_name(self):
        return STATE_NAMES[self.state]

    @property
    def closed(self):
        return self.state == _CLOSED

    def __repr__(self):
        return "<Conn %s:%d %s>" % (self.host, self.port, self.state_name)

    # -- socket plumbing ---------------------------------------------------------------------------
    def _recv(self, mv):
        """Bytes read into ``mv`` (0 at EOF), or None when nothing is there yet."""
        try:
            if MICROPYTHON:
                return self.sock.readinto(mv)
            return self.sock.recv_into(mv)
        except OSError as exc:
            if _would_block(exc):
                return None
            raise ConnectionLost("receive failed: %r" % (exc,))
        except ValueError as exc:  # MicroPython's TLS reports a failed handshake/verification so
            raise TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))

    def _send(self, mv):
        try:
            if MICROPYTHON:
                return self.sock.write(mv)
            return self.sock.send(mv)
        except OSError as exc:
            if _would_block(exc):
                return None
            raise ConnectionLost("send failed: %r" % (exc,))
        except ValueError as exc:
            raise TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))

    def _update_mask(self):
        if self.state == _CLOSED:
            return
        if self.state == _CONNECTING:
            want = _OUT
        elif self.state == _HANDSHAKE:
            want = self._want
        else:
            want = _IN
            if self._out or (self._active is not None and self._active.chunks is not None):
                want |= _OUT
        if want != self._mask:
            self.engine._poller.modify(self.sock, want)
            self._mask = want

    def _queue_frames(self, frames, on_tx_complete=None):
        if self.state == _CLOSED:
            if on_tx_complete:
                on_tx_complete(False)
            return
        n = len(frames)
        for i in range(n):
            self._out.append([frames[i], on_tx_complete if i == n - 1 else None])
        if not n and on_tx_complete:
            on_tx_complete(True)
        self._update_mask()

    # -- events from poll ----------------------------------------------------------------------------
    def _ready(self, ev):
        st = self.state
        if st == _CONNECTING:
            self._connect_done(ev)
        elif st == _HANDSHAKE:
            self._handshake()
        else:
            if ev & (_IN | _ERR):
                self._read()
            if self.state != _CLOSED and ev & _OUT:
                self._write()
        self._update_mask()

    def _connect_done(self, ev):
        err = 0
        if not MICROPYTHON:
            try:
                err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            except (OSError, AttributeError):
                err = 0
        if err or ev & _ERR:
            raise ConnectError("connect to %s:%d failed%s" % (self.host, self.port,
                                                               (": errno %d" % err) if err else ""))
        set_nodelay(self.sock)
        self._t_io = ticks_ms()
        if self.tls:
            self._start_tls()  # calls _connected() once the handshake is done
        else:
            self._connected()

    def _start_tls(self):
        raw = self.sock
        ctx = self._tls_ctx
        try:
            sock = ctx.wrap_socket(raw, server_hostname=self._cb.get("server_hostname") or self.host,
                                   do_handshake_on_connect=False)
        except (OSError, ValueError) as exc:
            raise TLSError("TLS setup for %s failed: %r" % (self.host, exc))
        self.engine._rekey(self, sock)
        if MICROPYTHON:
            self._connected()  # the handshake runs inside the first non-blocking write/read
            return
        self.state = _HANDSHAKE
        self._handshake()

    def _handshake(self):
        try:
            self.sock.do_handshake()
        except OSError as exc:
            name = exc.__class__.__name__
            if name == "SSLWantReadError":
                self._want = _IN
                return
            if name == "SSLWantWriteError":
                self._want = _OUT
                return
            raise TLSError("TLS handshake with %s failed: %r" % (self.host, exc))
        self._t_io = ticks_ms()
        self._connected()

    def _connected(self):
        if self.state != _CONNECTING and self.state != _HANDSHAKE:
            return
        self.state = _HTTP
        self._parser = http11.ResponseParser(*self._limits)
        fn = self._cb.get("on_connect")
        if fn:
            fn(self)
        self._next()

    def _read(self):
        mv = self.engine._mv
        for _ in range(_MAX_READS):
            n = self._recv(mv)
            if n is None:
                return
            self._t_io = ticks_ms()
            if self.state == _WS:
                p = self.websocket.protocol
                if n:
                    p.receive_data(mv[:n])
                else:
                    p.receive_eof()
                self.websocket._dispatch()
                self._ws_progress()
            else:
                if n:
                    self._parser.feed(mv[:n])
                else:
                    self._parser.feed_eof()
                self._http_events(n == 0)
            if self.state == _CLOSED or n == 0:
                return
        self.engine._hot = True  # more may be waiting: the next round does not sleep

    def _write(self):
        while True:
            if not self._out:
                req = self._active
                if self.state == _HTTP and req is not None and req.chunks is not None:
                    # Streamed request body: pull the next piece only when the previous one is out
                    # (a piece may be a view of the transaction's buffer).
                    c = next(req.chunks, None)
                    if c is None:
                        req.chunks = None
                        return
                    if len(c):
                        self._out.append([c, None])
                    continue
                else:
                    return
            item = self._out[0]
            buf = item[0]
            pos = self._out_pos
            n = self._send(memoryview(buf)[pos:])
            if n is None:
                return
            self._t_io = ticks_ms()
            pos += n
            if pos < len(buf):
                self._out_pos = pos  # partial write: the rest goes when the socket is writable again
                return
            self._out.pop(0)
            self._out_pos = 0
            if item[1]:
                item[1](True)
            if self.state == _WS:
                self._ws_progress()
                if self.state == _CLOSED:
                    return

    # -- HTTP ----------------------------------------------------------------------------------------
    def _next(self):
        """Start the next queued request when the connection is idle."""
        while True:
            if self.state != _HTTP or self._active is not None or not self._queue:
                return
            req = self._queue.pop(0)
            if req.websocket is not None:
                break
            # The framing rules live in request.Request; this only moves the bytes it produces.
            # Prepared here, when its turn comes (header and query hooks are called once, now).
            r = req.request
            try:
                req.head, body = r.prepare(self.host_header, not self.persistent)
            except Exception as exc:  # a request the caller built wrong fails alone
                self._req_fail(req, exc)
                continue
            if body is not None and not isinstance(body, (bytes, bytearray, memoryview)):
                req.chunks = r.body_pieces(body, bytearray(512))  # pulled as the socket drains
            else:
                req.body = body
            break
        self._active = req
        self._t_io = ticks_ms()
        self._parser.start(req.method)
        if req.body is not None and len(req.body) <= 1024:
            self._out.append([req.head + bytes(req.body), None])  # one write for small requests
        else:
            self._out.append([req.head, None])
            if req.body is not None:
                self._out.append([req.body, None])
        req.body = None
        req.head = None
        self._update_mask()

    def _http_events(self, eof):
        p = self._parser
        while True:
            req = self._active
            if req is None:
                if eof:
                    self._end(None)  # the server closed an idle keep-alive connection
                return
            ev = p.next_event()
            if ev is None:
                return
            kind = ev[0]
            if kind == http11.RESPONSE:
                head = ev[1]
                resp = Response(req, head)
                req.response = resp
                if req.websocket is None or head.status != 101:
                    mb = self.max_body
                    if (req.on_body is None and mb is not None and head.content_length is not None
                            and head.content_length > mb):
                        raise LimitExceeded("body of %d bytes is over the %d-byte limit (give on_body to "
                                            "stream it)" % (head.content_length, mb))
                    if req.on_response:
                        req.on_response(resp)
                if p.done:
                    self._finish(req, http11.Headers())
            elif kind == http11.DATA:
                data = ev[1]
                if req.on_body is not None and req.websocket is None:
                    req.on_body(data)
                else:
                    req._size += len(data)
                    if self.max_body is not None and req._size > self.max_body:
                        raise LimitExceeded("body over the %d-byte limit (give on_body to stream it)"
                                            % self.max_body)
                    req._parts.append(data)
            else:
                self._finish(req, ev[1])
            if self.state != _HTTP:
                return

    def _finish(self, req, trailers):
        resp = req.response
        resp.trailers = trailers
        resp.complete = True
        if req.on_body is None or req.websocket is not None:
            resp.body = b"".join(req._parts)
        req._parts = None
        self._active = None
        req.done = True
        if req.websocket is not None:
            self._upgraded(req, resp)
            return
        unsent = req.chunks is not None  # the server answered before the whole body went out
        req.chunks = None
        if req.on_complete:
            req.on_complete(resp, True)
        if unsent or not (self.persistent and resp.head.keep_alive):
            self._end(None)
        else:
            self._next()

    # -- WebSocket -----------------------------------------------------------------------------------
    def _upgraded(self, req, resp):
        wsh = req.websocket
        if resp.status != 101:
            # Refused: the caller gets the whole response; the connection stays usable for HTTP.
            wsh._err(HandshakeError("upgrade refused: %d %s" % (resp.status, resp.reason), resp))
            if not (self.persistent and resp.head.keep_alive):
                self._end(None)
            else:
                self._next()
            return
        from . import rfc6455 as ws

        o = wsh._options
        try:
            sub, accepted = ws.check_handshake_response(resp.head, o[4], o[5], o[6], resp)
        except HandshakeError as exc:
            wsh._err(exc)
            raise  # a wrong 101: the byte stream is unusable, the connection ends
        self.state = _WS
        self.websocket = wsh
        leftover = self._parser.take_leftover()
        self._parser = None
        pending = self._queue
        self._queue = []
        for r in pending:
            self._req_fail(r, UsageError("the connection became a WebSocket before this request ran"))
        wsh.extensions = accepted
        wsh._open(resp, sub, leftover)
        self._ws_progress()

    def _ws_progress(self):
        """After WebSocket input/output: start the close timer, and drop the socket when done."""
        if self.state != _WS:
            return
        p = self.websocket.protocol
        if p.state != _OPEN and self._t_closing is None:
            self._t_closing = ticks_ms()
        if p.eof:
            self._end(self._ws_cause())  # the server closed TCP: nothing more can be exchanged

    def _ws_cause(self):
        p = self.websocket.protocol
        if p.failure is not None:
            return p.failure
        if p.close_rcvd is None or p.close_rcvd[0] == _CLOSE_ABNORMAL:
            return ConnectionLost("the WebSocket ended without a Close frame")
        return None

    # -- timeouts --------------------------------------------------------------------------------------
    def _deadline(self):
        """(ms left, what, seconds) for the nearest timeout of this connection, or None."""
        st = self.state
        if st == _CONNECTING or st == _HANDSHAKE:
            if self.connect_timeout is None:
                return None
            t = self.connect_timeout
            return (int(t * 1000) - ticks_diff(ticks_ms(), self._t_start), "connect", t)
        if st == _WS:
            wsh = self.websocket
            if self._t_closing is not None:
                t = wsh.close_timeout
                return (int(t * 1000) - ticks_diff(ticks_ms(), self._t_closing), "close", t)
            t = self.timeout if self._out else wsh.timeout
        elif st == _HTTP:
            t = self.timeout if (self._active is not None or self._out) else None
        else:
            return None
        if t is None:
            return None
        return (int(t * 1000) - ticks_diff(ticks_ms(), self._t_io), "inactivity", t)

    def _check_time(self):
        if self._app_close:
            self._end(None, ConnectionLost("the connection was closed by the application"))
            return
        if self._deferred is not None:
            exc = self._deferred
            self._deferred = None
            raise exc
        d = self._deadline()
        if d is None or d[0] > 0:
            return
        if d[1] == "connect":
            raise TimeoutError("connect to %s:%d did not complete within %s s" % (self.host, self.port, d[2]))
        if d[1] == "close":
            p = self.websocket.protocol
            if p.failure is None and p.close_rcvd is None:
                raise TimeoutError("no Close from the server within %s s" % d[2])
            self._end(self._ws_cause())  # the server did not close TCP in time: we do (section 7.1.1)
            return
        raise TimeoutError("no progress on %s:%d within %s s" % (self.host, self.port, d[2]))

    # -- ending ----------------------------------------------------------------------------------------
    def _req_fail(self, req, exc):
        if req.done:
            return
        req.done = True
        req.error = exc
        if req.websocket is not None:
            req.websocket._err(exc)
            return
        if req.on_err:
            req.on_err(exc)
        if req.response is not None and req.on_complete:
            req.on_complete(req.response, False)

    def _end(self, cause, pending_exc=None):
        """Close the socket and report: requests still queued or running fail, the WebSocket reports its
        close, on_err(conn, cause) when there is a cause, then on_close(conn, cause), each once."""
        if self.state == _CLOSED:
            return
        self.state = _CLOSED
        self.error = cause
        self.engine._forget(self)
        out = self._out
        self._out = []
        pend = cause or pending_exc or ConnectionLost("the connection closed before the request completed")
        reqs = ([self._active] if self._active is not None else []) + self._queue
        self._active = None
        self._queue = []
        for item in out:
            if item[1]:
                item[1](False)
        for r in reqs:
            self._req_fail(r, pend)
        if self.websocket is not None:
            self.websocket._ended(cause)
        fn = self._cb.get("on_err")
        if cause is not None and fn:
            fn(self, cause)
        fn = self._cb.get("on_close")
        if fn:
            fn(self, cause)


class Engine:
    """Drives any number of connections from one loop (see the module docstring).

    ``buffer_size`` is the one receive buffer shared by all connections (the cores copy what they
    keep).  Defaults for ``connect()``: ``connect_timeout`` and ``timeout`` (inactivity while a request
    or a write is outstanding) in seconds.
    """

    def __init__(self, buffer_size=2048, connect_timeout=10.0, timeout=30.0):
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self._poller = select.poll()
        self._conns = []
        self._by_key = {}
        self._buf = bytearray(buffer_size)
        self._mv = memoryview(self._buf)
        self._hot = False

    @property
    def connections(self):
        """The connections not yet closed."""
        return list(self._conns)

    # -- API -----------------------------------------------------------------------------------------
    def connect(self, host, port=None, tls=False, on_connect=None, on_close=None, on_err=None,
                connect_timeout=-1, timeout=-1, persistent=True, ssl_context=None, cadata=None, verify=True,
                server_hostname=None, max_line=2048, max_headers=40, max_header_bytes=8192,
                max_chunk_line=256, max_body=65536, user_data=None):
        """Start connecting; returns the Conn at once.  ``on_connect(conn)`` follows from poll() when TCP
        (and TLS) is up; ``on_err(conn, exc)`` and ``on_close(conn, cause)`` when it fails or ends.
        Requests and the upgrade may be queued right away: they run once connected."""
        if not host:
            raise UsageError("a host name or address is required")
        port = port or (443 if tls else 80)
        cb = {"on_connect": on_connect, "on_close": on_close, "on_err": on_err,
              "server_hostname": server_hostname}
        conn = Conn(self, host, port, tls, persistent,
                    self.connect_timeout if connect_timeout == -1 else connect_timeout,
                    self.timeout if timeout == -1 else timeout, cb,
                    (max_line, max_headers, max_header_bytes, max_chunk_line), max_body, user_data)
        if tls:
            from .tls import tls_context  # only TLS users pay for it

            conn._tls_ctx = tls_context(ssl_context, cadata, verify)  # usage errors raise here
        self._conns.append(conn)
        try:
            info = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
            if not info:
                raise OSError("no address")
            info = info[0]
            sock = socket.socket(info[0], info[1], info[2])
        except OSError as exc:
            conn._deferred = ConnectError("cannot resolve %r: %r" % (host, exc))
            self._hot = True
            return conn
        sock.setblocking(False)
        conn.sock = sock
        self._rekey(conn, sock)
        conn._mask = _OUT
        try:
            sock.connect(info[-1])
        except OSError as exc:
            if not (exc.args and exc.args[0] in (EINPROGRESS, EAGAIN, EWOULDBLOCK)):
                conn._deferred = ConnectError("connect to %s:%d failed: %r" % (host, port, exc))
                self._hot = True
        return conn

    def request(self, conn, method, target="/", headers=None, body=None, on_response=None, on_body=None,
                on_complete=None, on_err=None, user_data=None, **kw):
        """Queue a request on ``conn`` (FIFO, one at a time).  Returns its Transaction.

        ``method`` is a method name or a ready ``request.Request``; ``headers``, ``body`` and the other
        keywords (query, form, content_type, content_length ...) are those of ``request.Request``: a
        body of unknown length goes chunked, pulled piece by piece as the socket drains.
        Callbacks: ``on_response(resp)`` when the head arrived; ``on_body(chunk)`` for each piece of
        body (without it the body is collected into ``resp.body``, bounded by ``max_body``);
        ``on_complete(resp, ok)`` at the end; ``on_err(exc)`` on failure.
        """
        self._check_http(conn)
        r = make_request(method, target, headers, body, kw)
        req = Transaction(conn, r, on_response, on_body or r.on_body, on_complete, on_err,
                          user_data if user_data is not None else r.user_data)
        conn._queue.append(req)
        conn._next()
        return req

    def upgrade(self, conn, path="/", headers=None, subprotocols=None, extensions=None, on_open=None,
                on_msg=None, on_msg_rx_init=None, on_msg_rx_data=None, on_msg_rx_complete=None, on_ping=None,
                on_pong=None, on_close=None, on_err=None, max_message=65536, max_frame=None, streaming=None,
                rng=None, allowed_rsv=0, timeout=None, close_timeout=5.0, user_data=None):
        """Queue the WebSocket upgrade (HTTPc_WebSockUpgrade) behind the requests already queued on this
        persistent connection.  Returns the WebSocket handle at once; ``on_open(ws)`` says it is ready.
        A refused upgrade gives ``on_err(HandshakeError)`` (``.response`` has the whole response) and
        leaves the connection usable for HTTP.  ``streaming`` defaults to True when ``on_msg_rx_data``
        is given.  ``timeout``: close the WebSocket with TimeoutError after that many idle seconds."""
        self._check_http(conn)
        if not conn.persistent:
            raise UsageError("WebSocket upgrade needs a persistent connection (persistent=True)")
        for r in conn._queue:
            if r.websocket is not None:
                raise UsageError("an upgrade is already queued on this connection")
        head, key, protos, exts = upgrade_head(conn.host_header, path, headers, subprotocols, extensions, rng)
        if streaming is None:
            streaming = on_msg_rx_data is not None
        cb = {"on_open": on_open, "on_msg": on_msg, "on_msg_rx_init": on_msg_rx_init,
              "on_msg_rx_data": on_msg_rx_data, "on_msg_rx_complete": on_msg_rx_complete, "on_ping": on_ping,
              "on_pong": on_pong, "on_close": on_close, "on_err": on_err}
        opts = (max_message, max_frame, streaming, rng, key, protos, exts, allowed_rsv)
        wsh = WebSocket(conn, cb, opts, timeout, close_timeout, user_data)
        req = Transaction(conn, Request("GET", path), None, None, None, None, user_data)
        req.head = head
        req.websocket = wsh
        conn._queue.append(req)
        conn._next()
        return wsh

    def ws_send(self, conn, message, on_tx_complete=None):
        """Queue a message on the WebSocket of ``conn`` (str text, bytes binary)."""
        if conn.websocket is None:
            raise UsageError("this connection is not a WebSocket (yet)")
        conn.websocket.send(message, on_tx_complete)

    def close(self, conn, abort=False):
        """Close ``conn``: an open WebSocket starts its closing handshake (Close 1000, bounded by its
        close_timeout) unless ``abort``; otherwise the socket closes in the next poll().  Requests not
        yet answered get on_err(ConnectionLost); on_close(conn, None) follows."""
        if conn.state == _CLOSED:
            return
        if conn.state == _WS and not abort and conn.websocket.protocol.state == _OPEN:
            conn.websocket.close()
            return
        conn._app_close = True  # reported from the next poll(), like every other callback
        self._hot = True

    def close_all(self):
        for c in list(self._conns):
            self.close(c, abort=True)

    def _check_http(self, conn):
        if conn.engine is not self:
            raise UsageError("this connection belongs to another engine")
        if conn.state == _CLOSED or conn._app_close:
            raise UsageError("the connection is closed")
        if conn.state == _WS:
            raise UsageError("this connection was upgraded to a WebSocket: HTTP requests are refused "
                             "(close the WebSocket and connect again)")

    # -- the loop --------------------------------------------------------------------------------------
    def poll(self, timeout_ms=0):
        """One round: wait up to ``timeout_ms`` (shortened to the nearest connection timeout; -1 waits
        until something happens) for any socket, then read, feed, fire callbacks, write and enforce
        timeouts.  Returns the number of sockets that were ready."""
        self._each(Conn._check_time)
        wait = timeout_ms
        if self._hot:
            wait = 0
            self._hot = False
        for c in self._conns:
            d = c._deadline()
            if d is not None:
                left = max(0, d[0])
                if wait is None or wait < 0 or left < wait:
                    wait = left
        if wait is None:
            wait = -1
        if wait < 0 and not self._conns:
            return 0  # nothing to wait for: never block forever on an empty poll set
        ready = self._poller.poll(wait)
        for key, ev in ready:
            c = self._by_key.get(key)
            if c is not None and c.state != _CLOSED:
                self._guard(c, Conn._ready, ev)
        self._each(Conn._check_time)
        return len(ready)

    def run(self, until=None, timeout=None):
        """Poll until ``until()`` is true (default: until no connection is left) or ``timeout`` seconds
        have passed.  Returns True when the condition was met, False on timeout."""
        start = ticks_ms()
        while True:
            if until() if until is not None else not self._conns:
                return True
            if timeout is not None:
                left = int(timeout * 1000) - ticks_diff(ticks_ms(), start)
                if left <= 0:
                    return False
            else:
                left = 1000
            self.poll(min(1000, left))

    # -- internals -------------------------------------------------------------------------------------
    def _each(self, fn):
        for c in list(self._conns):
            self._guard(c, fn)

    def _guard(self, conn, fn, *args):
        """Run one step of ``conn``; any exception (peer fault, timeout, a callback's own error) ends that
        connection only."""
        try:
            fn(conn, *args)
        except Exception as exc:  # isolation between connections is the point
            if conn.state == _CLOSED:
                raise  # an on_err/on_close callback failed while reporting: the application's bug
            conn._end(exc)

    def _rekey(self, conn, sock):
        if conn._key is not None:
            try:
                self._poller.unregister(conn._key)
            except (OSError, KeyError, ValueError):
                pass
            self._by_key.pop(conn._key, None)
        conn.sock = sock
        conn._key = sock if MICROPYTHON else sock.fileno()
        self._by_key[conn._key] = conn
        mask = conn._mask or _OUT
        self._poller.register(sock, mask)
        conn._mask = mask

    def _forget(self, conn):
        if conn in self._conns:
            self._conns.remove(conn)
        if conn._key is not None:
            self._by_key.pop(conn._key, None)
            try:
                self._poller.unregister(conn._key)
            except (OSError, KeyError, ValueError):
                pass
        if conn.sock is not None:
            try:
                conn.sock.close()
            except OSError:
                pass
