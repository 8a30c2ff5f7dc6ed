"""Blocking HTTP/1.1 I/O layer: ``Connection`` (HTTPc_ConnOpen/ReqSend/WebSockUpgrade/ConnClose) and
``Response``.  A pump over ``session.Session``: write what it prepared, read -> ``receive_data`` ->
``next_event``, waiting at most ``wait_time()``.  The connection rules (keep-alive, leftovers, drain,
retry, redirects, timers, the 101 checks) live in the session.
"""

from .rt import MICROPYTHON, const, load
from . import http11
from .net import _spare, open_stream
from .session import Body, Session
from . import rtio
from . import session
from .errors import ConnectionLost, HTTPCError, LimitExceeded, TimeoutError, UsageError

_SMALL_BODY = const(1024)  # bodies up to this size go out in the same write as the head
_BIG_BODY = const(65536)  # CPython: whole bodies from this size are read straight into the bytes returned


class Response(session.Response):
    """One response (see ``session.Response`` for the fields), read whole with ``read()`` /
    ``text()`` / ``json()`` or streamed with ``read(n)``, ``readinto(buf)`` or ``iter_chunks()``.

    Reuse: the next request on the connection first finishes this body: a remainder of up to the
    connection's ``drain_limit`` bytes that arrives within ``drain_timeout`` is read and kept
    (``read()`` still returns it); a larger or slower one closes the connection, and reading this body
    on then raises ConnectionLost.  ``close()`` drops the rest at once."""

    _body = None  # cached whole body after read()

    def _next_chunk(self):
        """The next piece of body as it arrives, or None at the end of the body."""
        if self._pending:
            c = bytes(self._pending)  # (a view of what read(n) left: made bytes before it is let go)
            self._pending = b""
            return c
        self._pending = b""  # (not None: body bytes are handed out, see read())
        while not self.complete:
            ev = self._conn._event()
            if ev[0] == http11.DATA and ev[1]:
                return ev[1]
        return self._end(None)

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
        Content-Length over it raises LimitExceeded before anything is read (the body stays, to
        stream), and so does a body that does not fit in the heap (its bytes read are gone).
        """
        n = self._read_n(n, max_size)
        if n >= 0:
            if n == 0:
                return b""
            return self._take(self._pending or self._next_chunk(), n)
        if self._body is not None:
            return self._body
        conn = self._conn
        whole = self._pending is None  # no read took a byte of it before (see below)
        held = self.complete and self._pending  # all that is left is here (a past response's body, kept)
        # The bytes still to come: none for a HEAD's answer, a 304, a body on_body took (their
        # Content-Length was over max_body: LimitExceeded for nothing); what remains after read(n)
        size = None if self.complete or conn.active is not self else conn.parser.body_left()
        # The attributes set below get their room in the object now, while nothing is read: with the heap
        # full, the growth at the end lost the body read (a bare MemoryError, then b"" as the body)
        try:
            self._body, self._pending, self._cut = None, self._pending, self._cut
        except MemoryError:  # a fault like a reset (README, "Out of memory"): it stayed open
            if conn.active is self:
                conn._abort()
            raise
        # A Content-Length over the limit: LimitExceeded here, before a byte is read; the body is still
        # there to stream, as the message says (it was cut, the connection closed)
        try:
            body = Body(conn.max_body if max_size is None else max_size, size, conn.tls)
        except MemoryError:  # (nothing read: the body stays, to stream)
            try:
                e = LimitExceeded("body does not fit in memory (stream it instead)", "max_body", None, size)
            except MemoryError:  # (no heap for that either: a fault like a reset, the connection goes (a bare
                if conn.active is self or conn.active is None:  # MemoryError left it open); not under the
                    conn._abort()  # response it carries now, when this one is of the past)
                raise
            raise e
        try:
            if size and not self._pending and not self.complete and conn.parser.body_left() == size:
                # A whole Content-Length body, received by ``readinto`` straight into where it ends up.
                # MicroPython: one buffer of that size, then copied once into the bytes returned (two
                # blocks at the peak, no list of pieces to fragment the heap).  CPython, from 64 KiB:
                # the bytes object returned itself (``_cpython.read_body``; for a small body its
                # reader costs more than the copy).
                if MICROPYTHON or size < _BIG_BODY:
                    mv = memoryview(bytearray(size))
                    ev = conn.parser.next_event(mv)  # what came with the head, if any
                    got = 0 if ev is None else ev[1]
                    while got < size:
                        got += self.readinto(mv[got:])  # never 0 before the end: an early EOF raises
                    body = bytes(mv)
                else:
                    from ._cpython import read_body

                    body = read_body(self.readinto, size)
                self._next_chunk()  # the END event: trailers, keep-alive verdict
            else:
                while body.add(self._next_chunk()):
                    pass
                body = body.value()
            # read(n), readinto() and iter_chunks() hand it out next, once (they said the body had ended:
            # microhttpc.get(url).iter_chunks() gave nothing), when it is the whole body: not what was
            # left after a read(n) or iter_lines() (handed out again: read(3), read(), read(5) gave its
            # bytes 4 to 8 twice); read() gives it again
            self._body = body
            self._pending = body if whole else b""
        except MemoryError:  # max_body=None and a body larger than the heap: stream it instead
            body = mv = None
            if held:  # (nothing came from the socket: it stays, to read again; it was lost)
                self._pending = held
            else:
                self._cut = True  # what was read is gone: reading on raises (a read() gave b"", body complete)
                if conn.active is self or conn.active is None:  # (None: the join after the END, idle: it ends
                    conn._abort()  # too, as on aio; a LimitExceeded that found no heap left it open)
            raise LimitExceeded("body does not fit in memory (stream it instead)", "max_body", None, size)
        except BaseException:  # (LimitExceeded, a timeout, an interrupt: the rest of the body is lost)
            if held:  # (all of it here, over max_size: it stays, to stream, as a Content-Length over it does)
                self._pending = held
                raise
            self._cut = True
            if conn.active is self:  # (a response of the past: the connection carries another now)
                conn._abort()
            raise
        return body

    def readinto(self, buf):
        """Read body bytes into the caller's ``buf`` (a bytearray or memoryview); returns the count, 0 at
        the end.  Body bytes go from the socket straight into ``buf`` when nothing is buffered before
        them, else they are copied there: nothing is allocated per read."""
        if type(buf) is not bytearray:  # (a bytearray needs no check: one call less per read)
            buf = self._into(buf)
        if not len(buf):
            return 0
        if self._pending:
            c = self._take(self._pending, len(buf))  # (it lets go of what it hands out only: out of memory,
            buf[: len(c)] = c  # nothing is lost)
            return len(c)
        conn = self._conn
        self._pending = b""  # (not None: see read())
        while not self.complete:
            n = conn._recv(buf)
            if n:
                return n
            ev = conn._event(buf)
            if ev[0] == http11.DATA and ev[1]:
                return ev[1]
        return self._end(0)

    def close(self):
        """Discard the rest of the body.  The connection is closed if the body was not complete (unless all
        its bytes were taken: its end is read with the next request or read).  Reading a body whose
        bytes were dropped so raises ConnectionLost, a cut-off body never passes for a whole one (a body
        the next request had drained and kept read as an empty one); a body ``read()`` whole is still
        returned."""
        if not self.complete and (self._pending or self._conn.parser.body_left() != 0):  # (all its bytes taken:
            self._conn._abort()  # its end is read without I/O later: read(10) of 10 bytes then close() closed it)
        elif self._pending and self._body is None:  # a body the next request drained and kept, dropped now
            self._cut = True
        self._pending = b""


class Connection(Session):
    """A connection to one server (HTTPc_ConnOpen ... HTTPc_ConnClose): requests (sequential or queued,
    keep-alive), WebSocket upgrade, close.  A ``session.Session`` (the parameters and the rules, the
    same on every layer) plus a socket.

    ``connect_timeout`` bounds name resolution (CPython; see ``net.resolve``), TCP connect and the TLS
    handshake together; TLS: ``ssl_context``, ``cadata`` (PEM or DER CA certificates), ``verify`` (on
    by default), ``server_hostname`` (SNI and certificate name, default ``host``); ``buffer_size`` the
    receive/transmit buffer (default 2 KiB on MicroPython, 64 KiB on CPython).  The others, as
    ``session.Session``: ``host``, ``port``, ``tls``, ``persistent``, ``timeout``, ``deadline``,
    ``follow_redirects``, ``drain_limit``, ``drain_timeout``, ``max_line``, ``max_headers``,
    ``max_header_bytes``, ``max_chunk_line``, ``max_interim``, ``max_body``, ``user_data``.
    """

    response_class = Response
    clock = rtio
    _hop = None  # the other origin's connection the last redirect chain ended on (see send)

    def __init__(self, *args, **kw):
        Session.__init__(self, *args, **kw)
        self._buf = self._mv = None  # the receive buffer while open (see open())
        self.stream = None
        self._queue = []
        self.websocket = None

    # -- open / close ------------------------------------------------------------------------------
    @property
    def is_open(self):
        """True while the connection is open (after ``open()``, before ``close()`` or a fault)."""
        return self.stream is not None

    def open(self):
        """Connect (resolve, TCP, TLS; on MicroPython the TLS handshake runs in the first request's first
        write, see tls.wrap).  A no-op when already open."""
        return self._open(None)

    def _open(self, dl):
        """``open()`` for a request whose deadline ``dl`` ((tick, seconds) or None) bounds the connect too."""
        if self.stream is not None:
            return self
        if self._buf is None:
            # Board-sized on MicroPython; on CPython a larger buffer means fewer reads per body, and
            # 64 KiB stays below the size where each allocation becomes an mmap of its own.  Made
            # before the socket, early and low in the heap; dropped when the connection closes.
            # The buffer the last connection or WebSocket to close gave back is taken when it has the
            # size: a reconnecting application keeps using one block, not a new hole per connection.
            n = self.buffer_size or (2048 if MICROPYTHON else 65536)
            try:
                buf = _spare.pop()  # one call: no other thread can take the same buffer
            except IndexError:
                buf = None
            self._buf = buf if buf is not None and len(buf) == n else rtio.long_lived(n)
            self._mv = memoryview(self._buf)
        # The session's state first: a MemoryError there must not leave an open socket behind.
        self.opened(MICROPYTHON and self.tls)  # MicroPython's TLS handshake runs in the first write
        self.stream = open_stream(self.host, self.port, self.remaining(dl), self.tls, self.server_hostname,
                                  self.ssl_context, self.cadata, self.verify)
        return self

    def close(self):
        """Close the connection (and its WebSocket, with a Close frame, if upgraded)."""
        if self._hop is not None:
            self._hop = self._hop._abort()
        if self.websocket is not None:
            ws = self.websocket
            self.websocket = None
            ws.close()
        self._abort()

    def _abort(self):
        st = self.stream
        self.stream = None  # first: closed from here on, whatever fails below
        if st is not None:
            st.close()
        buf = self._buf
        self._buf = self._mv = None  # a closed connection holds no buffers
        if buf is not None and not _spare:
            _spare.append(buf)  # for the next connection (see open())
        self.lost()

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    # -- the pump ------------------------------------------------------------------------------------
    def _event(self, into=None):
        """The session's next event, reading as needed; any failure closes the connection.  ``into``:
        see ``Session.next_event``."""
        s = self
        try:
            while True:
                ev = s.next_event(into)
                if ev is not None:
                    if s.idle and not s.reusable and s.upgrading is None:
                        self._abort()  # the response is complete and the connection can't be reused
                    return ev
                self.stream.settimeout(s.wait_time())
                # Awaiting a 101, read little: what follows its head (frames) is copied out of the
                # parser once, and the parser's buffer grows to the size of a read.  MicroPython reads
                # once where the session says so (one_read).
                n = MICROPYTHON and s.one_read()
                if n:
                    n = self.stream._recv(self._mv, n)
                else:
                    n = self.stream.recv_some(self._mv if s.upgrading is None else self._mv[:512])
                if n is None:
                    raise s.expired()
                if n:
                    s.receive_data(self._mv[:n])
                else:
                    s.receive_eof()
        except BaseException:
            self._abort()
            raise

    def _recv(self, buf):
        """Body bytes received straight into ``buf`` when the parser has nothing buffered before them
        (see ``http11.ResponseParser.raw_room``); 0 when the parser must see the next bytes."""
        k = self.parser is not None and self.parser.raw_room(len(buf))  # (None: the connection ended, and lost()
        if not k:  # found no heap to mark the response cut: _event says so)
            return 0
        try:
            self.stream.settimeout(self.wait_time())
            mv = buf if k == len(buf) else memoryview(buf)[:k]
            k = MICROPYTHON and self.tls and self.one_read()  # (a plain socket reads as it will)
            n = self.stream._recv(mv, k) if k else self.stream.recv_some(mv)
            if n is None:
                raise self.expired()
        except BaseException:
            self._abort()
            raise
        if not n:
            self.receive_eof()
            return 0
        self.rx += n
        self.parser.body_received(n)
        return n

    def _write(self, data):
        try:
            self.stream.settimeout(self.wait_time())
            self.stream.sendall(data)
        except BaseException as exc:
            if isinstance(exc, TimeoutError):
                exc = self.expired(exc)  # the deadline's or the TLS handshake's bound by name
            self._abort()
            raise exc
        self.sent()

    def _prepare_line(self, dl=None):
        """Make the connection ready for a request: finish the previous body (drain or close), and
        reopen when the session says the open connection can't carry it (the connect bounded by the
        request's deadline ``dl`` too).  Returns True when a kept-alive connection is reused: one that
        carried a request before (its parser is past http11._S_IDLE; one just opened by open() is not:
        a request it lost was sent twice, where the engine and a first request sent it once)."""
        if self.method is not None:  # a body's own request (its upgrade: refused before, not idle): this closed the connection the
            # request being sent was on, and that one went on over the new one, awaiting a head for ever
            raise UsageError("a request is already in flight on this connection")
        self.t_end = dl  # the drain within the request's deadline too (it took drain_timeout whatever that was)
        self._settle()
        s = self
        if self.stream is not None:
            if s.ready and not self.stream.readable():
                return s.parser._state != 0
            self._abort()  # left-over bytes, an idle close or input, or no keep-alive: a new one
        self._open(dl)
        return False

    def _settle(self):
        """Finish the previous response before the next request: drain it within the session's bounds
        (``drain_limit`` bytes, ``drain_timeout`` seconds), else close."""
        cur = self.active
        if cur is None or cur.complete:
            return
        try:
            piece = b""
            while self.drain(cur, piece):
                piece = cur._next_chunk()
        except HTTPCError:
            pass
        except MemoryError:  # (a clause of its own: a tuple to match is built on MicroPython's heap)
            pass
        if not cur.complete:
            self._abort()

    # -- requests ----------------------------------------------------------------------------------
    def request(self, method, target="/", headers=None, body=None, **kw):
        """Send one request and return its Response once the head has arrived (``send(Request(...))``;
        ``method`` may be a ready ``request.Request``, then sent as it is).

        ``headers``: a dict, a list of (name, value) pairs or a callable returning one (any names;
        CR/LF/NUL refused).  ``body``: bytes/str (Content-Length), or a file, a callable ``fn(buf) -> n``
        or an iterable of chunks (chunked, or Content-Length with ``content_length=``).  Other
        keywords are those of ``Request``: query, content_length, form, multipart, content_type,
        on_header, on_body, follow_redirects, deadline, user_data, rng, json, auth.
        """
        try:
            # here, not at the top: a WebSocket-only application never loads it (rt.load: a thread may be
            # loading it, see there).  ``method`` may be a ready Request, as on the other layers.
            req = load("request").request(method, target, headers, body, kw)
        except MemoryError:  # a fault like a reset, as in send(): the connection goes
            self._abort()
            raise
        return self.send(req)

    def send(self, req):
        """Send the Request ``req`` (HTTPc_ReqSend, blocking) and return its Response once the head has
        arrived; with ``follow_redirects`` the Response is the last one of the chain.

        Redirects (RFC 9110 section 15.4): 303, and 301/302 after a POST, become GET without a body;
        307/308 resend the method and body (a body that can't be replayed: the 3xx Response is returned
        unfollowed).  Authorization, Cookie and Proxy-Authorization are dropped once the chain leaves
        this origin; another origin gets its own short-lived connection (``Connection: close``).
        More than the allowed number raises TooManyRedirects.
        """
        self.check_usable()
        if self._hop is not None:  # the other origin's connection the last chain ended on: its turn is over
            self._hop = self._hop._abort()
        try:
            path = self.target(req)
            hdrs = req.user_headers()  # a header hook runs once per send, redirects included
        except MemoryError:  # a fault like a reset, as while it goes out: the connection goes (it stayed open)
            self._abort()
            raise
        limit = self.follow_redirects if req.follow_redirects is None else req.follow_redirects
        conn = self
        cur = req
        history = [] if limit else None  # (no redirects to follow: no list made per request)
        while True:
            try:
                resp = conn._send_one(cur, path, hdrs)
            except MemoryError:  # (building the request, too): a fault like a reset, the connection goes
                conn._abort()
                raise
            resp.request = req
            if req.user_data is not None:
                resp.user_data = req.user_data
            try:
                hop = self.redirect(conn, resp, cur, hdrs, limit, history)
            except HTTPCError:
                conn._settle()
                raise
            except BaseException:  # on_header's: the response is nobody's now, its connection goes
                conn._abort()
                raise
            if hop is None:
                break
            conn._settle()  # the 3xx body: drained, or its connection closed
            conn, cur, path = hop
            hdrs = cur.headers
        if conn is not self:  # closed with this connection's next request, upgrade() or close(), if its body
            self._hop = conn  # was not read to the end (its socket stayed open: one more each time)
        if req.on_body is not None:
            try:
                for c in resp.iter_chunks():
                    req.on_body(c)
            except BaseException:  # (as for on_header; upgrade() then found a body nobody could read)
                conn._abort()
                raise
        return resp

    def queue(self, req):
        """Add ``req`` to this connection's FIFO queue (HTTPc runs a connection's requests in order, one
        at a time, no pipelining); ``run()`` sends them.  Returns ``req``."""
        self.target(req)  # (not a Request: UsageError now, not at run())
        self._queue.append(req)
        return req

    def run(self):
        """Send the queued requests in order, yielding each Response.  A body left unread when the next
        one is asked for is read and kept, so ``resp.read()`` still works; one over ``max_body`` or the
        heap goes as before ``request()``: drained, or its connection closed (it stopped the run).  An
        exception leaves the requests after it queued, for the next run()."""
        while self._queue:
            req = self._queue.pop(0)
            resp = self.send(req)
            yield resp
            if not resp.complete:
                try:
                    resp.read()
                except LimitExceeded as e:  # over max_body or the heap: the next send's drain, as for any
                    if e.limit != "max_body":  # body left unread (a chunk line over its limit: a fault)
                        raise

    def _send_one(self, req, path, hdrs):
        """``req`` on this connection, up to its response head; sent once more, on a new connection,
        when the session says a stale keep-alive connection lost it (``may_retry``)."""
        head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)  # may refuse: before I/O
        dl = self.until(req.deadline)  # from now: a drain before it and its connect count too
        reused = self._prepare_line(dl)
        while True:
            self.begin(req.method, dl, req.sent_target, req.keep_alive)
            try:
                if body is None:
                    self._write(head)
                elif isinstance(body, (bytes, bytearray, memoryview)) and len(body) <= _SMALL_BODY:
                    self._write(head + bytes(body))  # one write for small requests
                else:
                    self._write(head)
                    st = self.stream
                    try:
                        for piece in req.body_pieces(body, self._buf):
                            if self.stream is not st:  # the body's own code closed it (AttributeError here), or
                                # closed and reopened it: the rest went out on the new one, awaiting a head for ever
                                raise UsageError("connection is not open")
                            st.settimeout(self.wait_time())  # (an empty piece: only the bounds)
                            if len(piece):
                                st.sendall(piece)
                                self.sent()  # the response head is due within timeout of the last byte
                        if self.stream is not st:  # (as above, after its last piece)
                            raise UsageError("connection is not open")
                    except BaseException as exc:  # (no tuple of classes to match: MicroPython builds it on the
                        # heap, and a MemoryError of its own left the connection mid-request, not aborted)
                        if not (isinstance(exc, ConnectionLost) or isinstance(exc, TimeoutError)):
                            self._abort()
                            raise
                        load("bodies").early_answer(self, exc)  # what the server said before (or exc)
                return self._head()
            except ConnectionLost as exc:
                if not self.may_retry(req, exc, reused):
                    raise
            reused = False
            self._open(dl)
            head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)

    def _head(self):
        while True:
            ev = self._event()
            if ev[0] == http11.RESPONSE:
                return ev[1]

    # -- WebSocket ---------------------------------------------------------------------------------
    def upgrade(self, path="/", headers=None, subprotocols=None, extensions=None, **ws_options):
        """Upgrade this open, persistent connection to a WebSocket (HTTPc_WebSockUpgrade).

        ``headers`` may carry Origin, Authorization, cookies...; Connection, Upgrade and the
        Sec-WebSocket-Key/-Accept/-Version headers are the module's (HeaderNotAllowed otherwise).
        ``subprotocols``/``extensions`` (lists) are offered; Sec-WebSocket-Protocol/-Extensions headers
        in ``headers`` are offers too (both ways may be combined); the server may only pick among them.
        The choice is in ``ws.subprotocol`` and ``ws.extensions``; no extension is implemented here, so
        frames with RSV bits fail unless ``allowed_rsv`` names the bits the application handles.
        Another status than 101 raises UpgradeRefused with ``.response`` (body read); the connection
        stays usable for HTTP if the server kept it open.  A 101 that breaks RFC 6455 raises
        HandshakeError (a ProtocolError) and closes the connection.  After a 101 the connection carries
        the WebSocket and closes with it (``is_open`` is False once the WebSocket has closed, for any
        reason).  Other keywords: those of
        ``wsession.make_protocol`` (max_message, max_frame, streaming, rng, allowed_rsv) and of
        ``WebSocket`` (callbacks, timeout, close_timeout, buffer_size, frame_size, tx_buffer_size).
        """
        if self._hop is not None:  # (as for a request: the last chain's turn is over)
            self._hop = self._hop._abort()
        sub, accepted, leftover, resp = self._handshake(path, headers, subprotocols, extensions, ws_options)
        try:
            load("websocket")  # packed into the heap's holes on MicroPython (rt.load)
            from .websocket import after_101

            ws = after_101(self.stream, self._buf, leftover, sub, accepted, resp, self.timeout, ws_options)
            self._buf = self._mv = None  # the connection is the WebSocket's now, and so is its buffer
        except BaseException:
            # No memory for the WebSocket: after a 101 the byte stream belongs to a WebSocket, so
            # without one the connection is unusable.
            self._abort()
            raise
        ws._conn = self
        self.websocket = ws
        return ws

    def _handshake(self, path, headers, subprotocols, extensions, ws_options):
        """The upgrade's HTTP part: its request, and the 101 checked (``handshake``, loaded for it and
        gone after it in a short heap); returns (subprotocol, accepted extensions, the bytes that came
        after the 101's head, the 101 response).  No WebSocket module loads before the 101 is checked
        (``ws_connect`` lets this module go first, see ``wsconnect``)."""
        s = self
        if self.stream is None:
            raise UsageError("WebSocket upgrade needs an open connection: call open() first")
        if self.websocket is not None:
            raise UsageError("this connection is already a WebSocket")
        if not s.idle:
            raise UsageError("read the previous response body before upgrading")
        try:
            hs = load("handshake")
            self._prepare_line()  # a connection the server closed (or spoke on) while idle is replaced
            head = hs.start_upgrade(s, path, headers, subprotocols, extensions, ws_options)
            self._write(head)
            resp = self._head()
        except MemoryError:
            self._abort()  # out of memory is a fault like a reset: the connection goes, with its buffers
            raise
        if resp.status != 101:
            lost = None
            try:
                resp.read()  # the caller gets the whole response; the connection stays usable
            except (LimitExceeded, ConnectionLost) as e:  # (its read() then said only "the connection was closed")
                lost = e
                self._abort()
            from .errors2 import refused

            raise refused(resp, lost)
        try:
            sub, accepted, leftover = hs.finish_upgrade(s, resp)
        except BaseException:
            self._abort()  # a wrong 101: the connection can't carry HTTP after it either
            raise
        return sub, accepted, leftover, resp


def parse_url(url):
    """Split ``scheme://host[:port]/path?query`` into (scheme, host, port, target)."""
    return load("urlsplit").split_url(url)  # on use: URL handling stays off the import-time heap


__all__ = ("Connection", "Response", "parse_url")
