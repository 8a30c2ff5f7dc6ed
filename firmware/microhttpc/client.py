"""Blocking HTTP/1.1 I/O layer: ``Connection`` (HTTPc_ConnOpen/ReqSend/WebSockUpgrade/ConnClose) and
``Response``.  It only moves bytes between the socket and the sans-I/O cores in ``http11`` and
``rfc6455``; the rules live there.
"""

from .rt import MICROPYTHON, const
from . import http11
from .request import Request
from .net import open_stream
from .errors import (ConnectionLost, HandshakeError, HTTPCError, LimitExceeded, TooManyRedirects,
                     UsageError)

_REDIRECTS = (301, 302, 303, 307, 308)  # RFC 9110 section 15.4 (urls.REDIRECT_CODES, without the import)
# RFC 9110 section 9.2.2: methods a client may resend by itself when a reused connection turns out to
# have been closed by the server before it answered.
_IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE")
_SMALL_BODY = const(1024)  # bodies up to this size go out in the same write as the head


class Response:
    """One response: ``status``, ``reason`` (as sent), ``version``, ``headers`` (case-insensitive,
    repeats kept) and the body, read whole with ``read()`` / ``text()`` / ``json()`` or streamed with
    ``read(n)``, ``readinto(buf)`` or ``iter_chunks()``.  ``trailers`` holds chunked trailers once the
    body has been read to its end.  ``url`` is where it came from, ``history`` the (status, url) of
    each redirect followed to get here, ``request`` the Request that asked for it; ``user_data`` is
    yours.

    Reuse: the next request on the connection first finishes this body: a remainder of up to the
    connection's ``drain_limit`` bytes is read and kept (``read()`` still returns it), a larger or
    stalled one closes the connection, and reading this body on then raises ConnectionLost.
    ``close()`` drops the rest at once."""

    def __init__(self, conn, head, method):
        self._conn = conn
        self._origin = None  # (scheme, host, port, target) for ``url``
        self.history = []
        self.request = None
        self.head = head
        self.method = method
        self.status = head.status
        self.reason = head.reason
        self.version = head.version
        self.headers = head.headers
        self.content_length = head.content_length
        self.trailers = None
        self.complete = False
        self._body = None  # cached whole body after read()
        self._pending = b""  # body bytes received but not yet handed out by read(n)/readinto
        self._cut = False  # the connection was dropped before the end of the body
        self.user_data = None

    @property
    def url(self):
        """The URL this response came from (after redirects: the last one)."""
        if self._origin is None:
            return None
        from .urls import make_url

        return make_url(*self._origin)

    def _next_chunk(self):
        """The next piece of body as it arrives, or None at the end of the body."""
        if self._pending:
            c = self._pending
            self._pending = b""
            return c
        if self.complete:
            if self._cut:
                raise ConnectionLost("the rest of this body is gone: the connection was closed (an error, "
                                     "a timeout, or a newer request that could not drain it)")
            return None
        while True:
            ev = self._conn._next_event()
            if ev[0] == http11.DATA:
                if ev[1]:
                    return ev[1]
            else:  # END
                self.trailers = ev[1]
                self.complete = True
                self._conn._response_done(self)
                return None

    def iter_chunks(self):
        """Yield the body in pieces as they arrive (bounded memory for any body size)."""
        while True:
            c = self._next_chunk()
            if c is None:
                return
            yield c

    def read(self, n=-1, max_size=None):
        """Read the whole body (``n`` < 0) or up to ``n`` bytes (b"" at the end).

        A whole read is bounded by ``max_size`` (default: the connection's ``max_body``); a
        Content-Length over it raises LimitExceeded before anything is read.
        """
        if n is not None and n >= 0:
            if n == 0:
                return b""
            c = self._next_chunk()
            if c is None:
                return b""
            if len(c) > n:
                self._pending = c[n:]
                c = c[:n]
            return c
        if self._body is not None:
            return self._body
        limit = self._conn.max_body if max_size is None else max_size
        if limit is not None and self.content_length is not None and self.content_length > limit:
            raise LimitExceeded("body of %d bytes is over the %d-byte limit (stream it instead)"
                                % (self.content_length, limit))
        if self.content_length is not None and not self._pending and not self.complete:
            self._body = self._read_exact(self.content_length)
            return self._body
        parts = []
        total = 0
        while True:
            c = self._next_chunk()
            if c is None:
                break
            total += len(c)
            if limit is not None and total > limit:
                self._conn._abort()
                raise LimitExceeded("body over the %d-byte limit (stream it instead)" % limit)
            parts.append(c)
        self._body = b"".join(parts)
        return self._body

    def _read_exact(self, size):
        """A whole Content-Length body (already checked against the limit), received without per-read
        parsing and events.  MicroPython: straight into one buffer of that size (two blocks at the
        peak, no list of pieces to fragment the heap).  CPython: reads of the connection's buffer size
        joined once (big fresh allocations cost page faults there; small ones are recycled)."""
        conn = self._conn
        p = conn._parser
        left = p.body_left() if p is not None else None
        if left is None or left != size:  # part of it was read already: take the general path
            return b"".join(self.iter_chunks())
        if MICROPYTHON:
            try:
                buf = bytearray(size)
            except MemoryError:  # max_body=None and a body larger than the heap: stream it instead
                raise LimitExceeded("body of %d bytes does not fit in memory (stream it instead)" % size)
            mv = memoryview(buf)
        else:
            parts = []
            mv = conn._mv
        got = p.readinto_body(mv)
        if not MICROPYTHON and got:
            parts.append(bytes(mv[:got]))
        try:
            while got < size:
                conn.stream.settimeout(conn.timeout)
                n = conn.stream.recv_into(mv[got:] if MICROPYTHON else mv[: size - got])
                if not n:
                    raise ConnectionLost("connection closed with %d body bytes still expected" % (size - got))
                conn._rx += n
                p.body_received(n)
                if not MICROPYTHON:
                    parts.append(bytes(mv[:n]))
                got += n
        except BaseException:
            conn._abort()
            self._cut = True
            raise
        self._next_chunk()  # the END event: trailers, keep-alive bookkeeping
        return bytes(buf) if MICROPYTHON else b"".join(parts)

    def readinto(self, buf):
        """Read body bytes into the caller's ``buf`` (a bytearray or memoryview); returns the count, 0 at
        the end.  No allocation beyond what one socket read brings in."""
        c = self._next_chunk()
        if c is None:
            return 0
        n = len(buf)
        if len(c) > n:
            self._pending = c[n:]
            c = c[:n]
        buf[: len(c)] = c
        return len(c)

    def text(self, encoding="utf-8"):
        return self.read().decode(encoding)

    def json(self):
        import json

        return json.loads(self.read())

    def close(self):
        """Discard the rest of the body (the connection is closed if the body was not complete)."""
        if not self.complete:
            self._conn._abort()
            self.complete = True
        self._cut = False  # dropped on purpose: reads now return b""
        self._pending = b""

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.reason)


def _default_port(tls):
    return 443 if tls else 80


class Connection:
    """A connection to one server (HTTPc_ConnOpen ... HTTPc_ConnClose): requests (sequential or queued,
    keep-alive), WebSocket upgrade, close.

    ``host`` name or address; ``port`` (80, or 443 with ``tls``); ``persistent`` keep the connection
    open between requests (HTTPc's PERSISTENT; False sends ``Connection: close``); ``connect_timeout``
    bounds name resolution (CPython; see ``net.resolve``), TCP connect and the TLS handshake together;
    ``timeout`` bounds each wait for data (inactivity); TLS: ``ssl_context``, ``cadata`` (PEM or DER
    CA certificates), ``verify`` (on by default), ``server_hostname`` (SNI and certificate name,
    default ``host``); ``follow_redirects`` how many redirects ``send``/``request`` follow (0: none);
    ``drain_limit`` how much of an unread body is read and dropped to keep the connection for the
    next request (more: reconnect); limits: ``max_line``, ``max_headers``, ``max_header_bytes``,
    ``max_chunk_line``, ``max_body`` (whole-body reads); ``buffer_size`` the receive/transmit buffer (default 2 KiB on MicroPython, 64 KiB on CPython);
    ``user_data`` is yours.
    """

    def __init__(self, host, port=None, tls=False, persistent=True, connect_timeout=10.0, timeout=30.0,
                 ssl_context=None, cadata=None, verify=True, server_hostname=None, buffer_size=None,
                 max_line=2048, max_headers=40, max_header_bytes=8192, max_chunk_line=256, max_body=1 << 20,
                 user_data=None, follow_redirects=0, drain_limit=4096):
        if not host:
            raise UsageError("a host name or address is required")
        self.host = host
        self.tls = tls
        self.scheme = "https" if tls else "http"
        self.port = port if port else _default_port(tls)
        self.persistent = persistent
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cadata = cadata
        self.verify = verify
        self.server_hostname = server_hostname
        self.max_body = max_body
        self.user_data = user_data
        self.follow_redirects = follow_redirects
        self.drain_limit = drain_limit
        self._limits = (max_line, max_headers, max_header_bytes, max_chunk_line)
        if buffer_size is None:
            # Board-sized on MicroPython; on CPython a larger buffer means fewer reads per body, and
            # 64 KiB stays below the size where each allocation becomes an mmap of its own.
            buffer_size = 2048 if MICROPYTHON else 65536
        self._buf = bytearray(buffer_size)
        self._mv = memoryview(self._buf)
        self.stream = None
        self._parser = None
        self._current = None  # the Response whose body is still on the wire
        self._rx = 0  # bytes received since the current request was sent
        self._queue = []
        self.websocket = None

    # -- open / close ------------------------------------------------------------------------------
    @property
    def is_open(self):
        return self.stream is not None

    def open(self):
        """Connect (resolve, TCP, TLS).  A no-op when already open."""
        if self.stream is not None:
            return self
        self.stream = open_stream(self.host, self.port, self.connect_timeout, self.tls, self.server_hostname,
                                  self.ssl_context, self.cadata, self.verify)
        self._parser = http11.ResponseParser(*self._limits)
        return self

    def close(self):
        """Close the connection (and its WebSocket, with a Close frame, if upgraded)."""
        if self.websocket is not None:
            ws = self.websocket
            self.websocket = None
            ws.close()
        self._abort()

    def _abort(self):
        if self.stream is not None:
            self.stream.close()
        self.stream = None
        self._parser = None
        if self._current is not None:
            self._current.complete = True
            self._current._cut = True  # its body ends here: reading on raises instead of looking complete
            self._current = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    @property
    def host_header(self):
        """The Host header value: the host, with the port unless it is the scheme's default."""
        h = self.host
        if ":" in h and not h.startswith("["):
            h = "[" + h + "]"  # IPv6 literal
        if self.port != _default_port(self.tls):
            h = "%s:%d" % (h, self.port)
        return h

    def same_origin(self, scheme, host, port):
        """True when (scheme, host, port) is this connection's origin (RFC 6454: all three equal)."""
        return (scheme in ("https", "wss")) == bool(self.tls) and host.lower() == self.host.lower() \
            and port == self.port

    # -- requests ----------------------------------------------------------------------------------
    def request(self, method, target="/", headers=None, body=None, **kw):
        """Send one request and return its Response once the head has arrived (``send(Request(...))``).

        ``headers``: a dict, a list of (name, value) pairs or a callable returning one (any names;
        CR/LF/NUL refused).  ``body``: bytes/str (Content-Length), or a file, a callable ``fn(buf) -> n``
        or an iterable of chunks (chunked, or Content-Length with ``content_length=``).  Other
        keywords are those of ``Request``: query, content_length, form, multipart, content_type,
        on_header, on_body, follow_redirects, user_data.
        """
        return self.send(Request(method, target, headers=headers, body=body, **kw))

    def send(self, req):
        """Send the Request ``req`` (HTTPc_ReqSend, blocking) and return its Response once the head has
        arrived; with ``follow_redirects`` the Response is the last one of the chain.

        Redirects (RFC 9110 section 15.4): 303, and 301/302 after a POST, become GET without a body;
        307/308 resend the method and body (a body that can't be replayed: the 3xx Response is returned
        unfollowed).  Authorization, Cookie and Proxy-Authorization are dropped once the chain leaves
        this origin; another origin gets its own short-lived connection (``Connection: close``).
        More than the allowed number raises TooManyRedirects.
        """
        if self.websocket is not None:
            raise UsageError("this connection was upgraded to a WebSocket: HTTP requests are refused "
                             "(close the WebSocket and reopen, or use another Connection)")
        path = req.target
        if not path.startswith("/") and "://" in path:
            from .urls import split_url

            scheme, host, port, path = split_url(path)
            if not self.same_origin(scheme, host, port):
                raise UsageError("%s is not on this connection's origin %s://%s: use a Connection to it"
                                 % (req.target, self.scheme, self.host_header))
        hdrs = req.user_headers()  # a header hook runs once per send, redirects included
        limit = self.follow_redirects if req.follow_redirects is None else req.follow_redirects
        conn = self
        cur = req
        history = []
        while True:
            resp = conn._send_one(cur, path, hdrs)
            resp._origin = (conn.scheme, conn.host, conn.port, cur.sent_target)
            resp.request = req
            loc = resp.headers.get("location")
            if not limit or resp.status not in _REDIRECTS or loc is None:
                break
            if len(history) >= limit:
                conn._settle()
                raise TooManyRedirects("more than %d redirects (last: %d to %s)" % (limit, resp.status, loc),
                                       resp)
            from .urls import redirect_request, resolve_url, split_url

            url = resolve_url(resp.url, loc)
            scheme, host, port, npath = split_url(url)
            nxt = redirect_request(cur, resp.status, npath, not self.same_origin(scheme, host, port), hdrs)
            if nxt is None:
                break
            history.append((resp.status, resp.url))
            conn._settle()
            if self.same_origin(scheme, host, port):
                conn = self
            elif not conn.same_origin(scheme, host, port):
                conn = self._sibling(scheme, host, port)
            cur, path, hdrs = nxt, npath, nxt.headers
        resp.history = history
        if req.on_header is not None:
            for k, v in resp.headers.items():
                req.on_header(k, v)
        if req.on_body is not None:
            for c in resp.iter_chunks():
                req.on_body(c)
        return resp

    def queue(self, req):
        """Add ``req`` to this connection's FIFO queue (HTTPc runs a connection's requests in order, one
        at a time, no pipelining); ``run()`` sends them.  Returns ``req``."""
        self._queue.append(req)
        return req

    def run(self):
        """Send the queued requests in order, yielding each Response.  A body left unread when the next
        one is asked for is read and kept (``max_body`` bound), so ``resp.read()`` still works."""
        while self._queue:
            req = self._queue.pop(0)
            resp = self.send(req)
            yield resp
            if not resp.complete:
                resp.read()

    def _sibling(self, scheme, host, port):
        """A one-request connection to another origin, with this one's TLS options and limits."""
        tls = scheme in ("https", "wss")
        same_host = host.lower() == self.host.lower()
        c = Connection(host, port, tls, False, self.connect_timeout, self.timeout, self.ssl_context,
                       self.cadata, self.verify, self.server_hostname if same_host else None, len(self._buf),
                       *self._limits, max_body=self.max_body, drain_limit=self.drain_limit)
        return c

    def _settle(self):
        """Finish the previous response before the next request: drain up to ``drain_limit`` bytes of
        an unread body, else close (a silent or huge remainder never blocks the next request)."""
        cur = self._current
        if cur is None or cur.complete:
            return
        parts = []
        total = 0
        try:
            while total <= self.drain_limit:
                c = cur._next_chunk()
                if c is None:
                    cur._pending = b"".join(parts)  # still there for cur.read()
                    return
                parts.append(c)
                total += len(c)
        except HTTPCError:
            pass
        self._abort()

    def _send_one(self, req, path, hdrs):
        head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)  # may refuse: first
        self._settle()
        reused = self.stream is not None
        self.open()
        try:
            return self._roundtrip(req, head, body)
        except ConnectionLost:
            # RFC 9112 section 9.3.1: a server may close an idle persistent connection at any time; if
            # it did so before answering anything, an idempotent request is sent again on a new one.
            if not (reused and self._rx == 0 and req.method in _IDEMPOTENT and req.replayable()):
                raise
        self._abort()
        self.open()
        head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)
        return self._roundtrip(req, head, body)

    def _roundtrip(self, req, head, body):
        self._rx = 0
        try:
            if body is None:
                self.stream.sendall(head)
            elif isinstance(body, (bytes, bytearray, memoryview)) and len(body) <= _SMALL_BODY:
                self.stream.sendall(head + bytes(body))  # one write for small requests
            else:
                self.stream.sendall(head)
                for piece in req.body_pieces(body, self._buf):
                    self.stream.sendall(piece)
        except BaseException:
            self._abort()
            raise
        return self._read_head(req.method)

    def _exchange(self, method, target, headers, body=None, chunks=None):
        """Send a request head built from ready (name, value) pairs (the WebSocket upgrade's GET) and
        read the response head."""
        for name, value in headers:
            http11.check_header(name, value)
        self._rx = 0
        head = http11.build_request_head(method, target, headers)
        try:
            self.stream.sendall(head + bytes(body) if body else head)
            if chunks is not None:
                from .request import chunk_frame, LAST_CHUNK

                for c in chunks:
                    if isinstance(c, str):
                        c = c.encode()
                    if c:
                        self.stream.sendall(chunk_frame(c))
                self.stream.sendall(LAST_CHUNK)
        except BaseException:
            self._abort()
            raise
        return self._read_head(method)

    def _read_head(self, method):
        self._parser.start(method)
        ev = self._next_event()
        resp = Response(self, ev[1], method)
        self._current = resp
        if self._parser.done:  # no body (HEAD, 204, 304, 101)
            resp.complete = True
            resp.trailers = http11.Headers()
            if ev[1].status != 101:
                self._response_done(resp)
        return resp

    def _next_event(self):
        p = self._parser
        if p is None:
            raise UsageError("connection is not open")
        while True:
            try:
                ev = p.next_event()
            except BaseException:
                self._abort()
                raise
            if ev is not None:
                return ev
            self.stream.settimeout(self.timeout)
            try:
                n = self.stream.recv_into(self._mv)
            except BaseException:
                self._abort()
                raise
            if n:
                self._rx += n
                p.feed(self._mv[:n])
            else:
                p.feed_eof()

    def _response_done(self, resp):
        if self._current is resp:
            self._current = None
        if not (self.persistent and resp.head.keep_alive):
            self._abort()

    # -- WebSocket ---------------------------------------------------------------------------------
    def upgrade(self, path="/", headers=None, subprotocols=None, extensions=None, max_message=65536,
                max_frame=None, streaming=None, rng=None, allowed_rsv=0, **ws_options):
        """Upgrade this open, persistent connection to a WebSocket (HTTPc_WebSockUpgrade).

        ``headers`` may carry Origin, Authorization, cookies...; Connection, Upgrade and the
        Sec-WebSocket-Key/-Accept/-Version headers are the module's (HeaderNotAllowed otherwise).
        ``subprotocols``/``extensions`` (lists) are offered; Sec-WebSocket-Protocol/-Extensions headers
        in ``headers`` are offers too (both ways may be combined); the server may only pick among them.
        The choice is in ``ws.subprotocol`` and ``ws.extensions``; no extension is implemented here, so
        frames with RSV bits fail unless ``allowed_rsv`` names the bits the application handles.
        On anything but a valid 101 raises HandshakeError with ``.response`` (body read); the
        connection stays usable for HTTP if the server kept it open.  ``streaming`` defaults to True
        when ``on_msg_rx_data`` or ``on_msg_rx_init`` is given.  Other keywords go to WebSocket
        (callbacks, timeouts, buffer_size, frame_size).
        """
        if not self.persistent:
            raise UsageError("WebSocket upgrade needs a persistent connection (persistent=True)")
        if self.stream is None:
            raise UsageError("WebSocket upgrade needs an open connection: call open() first")
        if self.websocket is not None:
            raise UsageError("this connection is already a WebSocket")
        # Imported here, not at the top: HTTP-only applications never pay the WebSocket modules' heap.
        from . import rfc6455
        from .websocket import WebSocket

        hdrs = _header_list(headers)
        rfc6455.check_app_headers(hdrs)
        for k, _ in hdrs:
            if k.lower() == "host":
                raise UsageError("Host is generated by the client; remove it from the headers")
        if self._current is not None and not self._current.complete:
            raise UsageError("read the previous response body before upgrading")
        key = rfc6455.make_key(rng) if rng else rfc6455.make_key()
        out = [("Host", self.host_header)] + rfc6455.handshake_headers(key, subprotocols, extensions) + hdrs
        resp = self._exchange("GET", path, out)
        if resp.status != 101:
            try:
                resp.read()  # the caller gets the whole response; the connection stays usable
            except (LimitExceeded, ConnectionLost):
                self._abort()
            raise HandshakeError("upgrade refused: %d %s" % (resp.status, resp.reason), resp)
        protos, exts = rfc6455.offers(subprotocols, extensions, hdrs)
        try:
            sub, accepted = rfc6455.check_handshake_response(resp.head, key, protos, exts, resp)
        except HandshakeError:
            self._abort()  # the server switched protocols wrongly: the byte stream is unusable
            raise
        self._current = None
        leftover = self._parser.take_leftover()
        if streaming is None:
            streaming = (ws_options.get("on_msg_rx_data") or ws_options.get("on_msg_rx_init")) is not None
        proto = rfc6455.Protocol(max_message=max_message, max_frame=max_frame, streaming=streaming,
                                 rng=rng, allowed_rsv=allowed_rsv)
        ws_options.setdefault("timeout", self.timeout)
        if "buffer_size" not in ws_options:
            ws_options["buffer"] = self._buf  # idle from now on: the WebSocket reads into it
        self.websocket = WebSocket(self.stream, proto, leftover, sub, resp, **ws_options)
        self.websocket.extensions = accepted
        return self.websocket


def _header_list(headers):
    if headers is None:
        return []
    if isinstance(headers, dict):
        items = list(headers.items())
    else:
        items = list(headers)
    out = []
    for k, v in items:
        if not isinstance(v, str):
            v = str(v)
        http11.check_header(k, v)
        out.append((k, v))
    return out


def parse_url(url):
    """Split ``scheme://host[:port]/path?query`` into (scheme, host, port, target)."""
    from .urls import split_url  # imported on use: URL handling stays off the import-time heap

    return split_url(url)


def ws_connect(url, headers=None, subprotocols=None, connect_timeout=10.0, timeout=None, ssl_context=None,
               cadata=None, verify=True, **ws_options):
    """Open a connection to a ``ws://`` or ``wss://`` URL and upgrade it: the one-call WebSocket client.
    Other keywords are those of ``Connection.upgrade`` (extensions, limits, streaming, callbacks...)."""
    scheme, host, port, target = parse_url(url)
    if scheme not in ("ws", "wss"):
        raise UsageError("ws_connect needs a ws:// or wss:// URL, got %r" % (url,))
    conn = Connection(host, port, tls=scheme == "wss", connect_timeout=connect_timeout, timeout=timeout,
                      ssl_context=ssl_context, cadata=cadata, verify=verify)
    conn.open()
    try:
        return conn.upgrade(target, headers=headers, subprotocols=subprotocols, **ws_options)
    except BaseException:
        conn._abort()
        raise
