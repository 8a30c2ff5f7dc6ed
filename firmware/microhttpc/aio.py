"""asyncio I/O layer: the blocking objects as coroutines, on MicroPython's asyncio and on CPython's.

    conn = await aio.Connection.open(host, port, timeout=10)
    resp = await conn.request("GET", "/hello")
    body = await resp.read()                  # or: async for chunk in resp.iter_chunks()
    ws = await conn.upgrade("/ws")            # the same persistent connection
    await ws.send("hi"); print(await ws.recv()); await ws.close()

Owns: the stream pair from ``asyncio.open_connection`` and the timeouts (``asyncio.wait_for``).
Must not: decide anything about HTTP or RFC 6455.  Each method is the same short loop: read
(``StreamReader.read(n)``) -> feed ``http11.ResponseParser`` / ``rfc6455.Protocol`` -> act on events ->
write what the core queued (``StreamWriter.write`` + ``drain``, one write per frame or request head).

Writes go through one ``asyncio.Lock`` per connection, so a task may ``send`` while another waits in
``recv`` (MicroPython's stream keeps one output buffer that two concurrent drains would share).
There are no async generators on MicroPython: ``iter_chunks()`` and the WebSocket are async
iterators written as classes.  ``rfc6455`` is imported on the first WebSocket use, so HTTP-only
applications never load it.
"""

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio

from . import http11
from .errors import (
    ConnectError,
    ConnectionClosed,
    ConnectionLost,
    HandshakeError,
    HTTPCError,
    LimitExceeded,
    TimeoutError,
    TLSError,
    UsageError,
)
from .request import Request, split_url
from .rt import MICROPYTHON

_ATIMEOUT = asyncio.TimeoutError  # CPython >= 3.11: the builtin TimeoutError; MicroPython: its own


async def _within(aw, timeout, what):
    """Await ``aw`` for at most ``timeout`` seconds (None: no limit) -> TimeoutError(what)."""
    if timeout is None:
        return await aw
    try:
        return await asyncio.wait_for(aw, timeout)
    except _ATIMEOUT:
        raise TimeoutError("%s within %s s" % (what, timeout))


def _host_header(host, port, tls):
    h = "[" + host + "]" if ":" in host and not host.startswith("[") else host
    return h if port == (443 if tls else 80) else "%s:%d" % (h, port)


def _upgrade_head(host_hdr, path, headers, subprotocols, extensions, rng):
    # The same steps as poll.upgrade_head, repeated here (a few lines) so that an asyncio
    # application does not load the whole poll engine onto the board's heap.
    from . import rfc6455 as ws

    hdrs = Request("GET", path, headers=headers).user_headers()
    ws.check_app_headers(hdrs)
    key = ws.make_key(rng) if rng else ws.make_key()
    out = [("Host", host_hdr)] + ws.handshake_headers(key, subprotocols, extensions) + hdrs
    protos, exts = ws.offers(subprotocols, extensions, hdrs)
    return http11.build_request_head("GET", path, out), key, protos, exts


class Response:
    """One response: ``status``, ``reason`` (as sent), ``version``, ``headers``, ``content_length``;
    the body with ``await read()`` (whole, bounded by ``max_size``/the connection's ``max_body``),
    ``await read_chunk()`` (a piece, None at the end) or ``async for chunk in iter_chunks()``.
    ``trailers`` once the body has been read to its end."""

    def __init__(self, conn, head):
        self._conn = conn
        self.head = head
        self.status = head.status
        self.reason = head.reason
        self.version = head.version
        self.headers = head.headers
        self.content_length = head.content_length
        self.trailers = None
        self.complete = False
        self._body = None

    async def read_chunk(self):
        """The next piece of body as it arrives, or None at the end."""
        while not self.complete:
            ev = await self._conn._next_event()
            if ev[0] == http11.DATA:
                if ev[1]:
                    return ev[1]
            else:
                self.trailers = ev[1]
                self.complete = True
                await self._conn._response_done(self)
        return None

    def iter_chunks(self):
        """``async for chunk in resp.iter_chunks()``: the body in pieces, bounded memory."""
        return _Chunks(self)

    async def read(self, max_size=None):
        if self._body is not None:
            return self._body
        limit = self._conn.max_body if max_size is None else max_size
        if limit is not None and self.content_length is not None and self.content_length > limit:
            raise LimitExceeded("body of %d bytes is over the %d-byte limit (stream it instead)"
                                % (self.content_length, limit))
        parts = []
        total = 0
        while True:
            c = await self.read_chunk()
            if c is None:
                break
            total += len(c)
            if limit is not None and total > limit:
                await self._conn._abort()
                raise LimitExceeded("body over the %d-byte limit (stream it instead)" % limit)
            parts.append(c)
        self._body = b"".join(parts)
        return self._body

    async def text(self, encoding="utf-8"):
        return (await self.read()).decode(encoding)

    async def json(self):
        import json

        return json.loads(await self.read())

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.reason)


class _Chunks:
    def __init__(self, resp):
        self._resp = resp

    def __aiter__(self):
        return self

    async def __anext__(self):
        c = await self._resp.read_chunk()
        if c is None:
            raise StopAsyncIteration
        return c


class Connection:
    """A connection to one server, as coroutines (see ``client.Connection`` for the parameters).
    ``timeout`` bounds each wait for data; ``connect_timeout`` the connect and TLS handshake."""

    def __init__(self, host, port=None, tls=False, persistent=True, connect_timeout=10.0, timeout=30.0,
                 ssl_context=None, cadata=None, verify=True, server_hostname=None, buffer_size=2048,
                 max_line=2048, max_headers=40, max_header_bytes=8192, max_chunk_line=256, max_body=65536,
                 user_data=None):
        if not host:
            raise UsageError("a host name or address is required")
        self.host = host
        self.tls = tls
        self.port = port or (443 if tls else 80)
        self.persistent = persistent
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.server_hostname = server_hostname
        self.buffer_size = buffer_size
        self.max_body = max_body
        self.user_data = user_data
        self.host_header = _host_header(host, self.port, tls)
        self._ssl = None
        if tls:
            from .net import tls_context

            self._ssl = tls_context(ssl_context, cadata, verify)
        self._limits = (max_line, max_headers, max_header_bytes, max_chunk_line)
        self._reader = None
        self._writer = None
        self._mv = None
        self._lock = asyncio.Lock()
        self._parser = None
        self._current = None
        self.websocket = None

    @classmethod
    async def open(cls, host, port=None, **kw):
        """Create a Connection and connect it (``await aio.Connection.open(host, port, ...)``)."""
        conn = cls(host, port, **kw)
        await conn.connect()
        return conn

    @property
    def is_open(self):
        return self._writer is not None

    async def connect(self):
        """Connect (TCP, then TLS when asked); a no-op when open."""
        if self._writer is not None:
            return self
        kw = {}
        if self._ssl is not None:
            kw["ssl"] = self._ssl
            kw["server_hostname"] = self.server_hostname or self.host
        try:
            what = "connect to %s:%d did not complete" % (self.host, self.port)
            self._reader, self._writer = await _within(asyncio.open_connection(self.host, self.port, **kw),
                                                       self.connect_timeout, what)
        except HTTPCError:
            raise
        except (OSError, ValueError) as exc:
            if "SSL" in exc.__class__.__name__ or isinstance(exc, ValueError):
                raise TLSError("TLS handshake with %s failed: %r" % (self.host, exc))
            raise ConnectError("connect to %s:%d failed: %r" % (self.host, self.port, exc))
        if MICROPYTHON:
            self._check_connected()
        self._parser = http11.ResponseParser(*self._limits)
        return self

    def _check_connected(self):
        """MicroPython's open_connection returns once the socket is writable, without looking at the
        outcome of the connect: a refused one shows POLLERR/POLLHUP, checked here."""
        import select

        p = select.poll()
        p.register(self._writer.s, select.POLLOUT)
        for _, ev in p.poll(0):
            if ev & (getattr(select, "POLLERR", 8) | getattr(select, "POLLHUP", 16)):
                w = self._writer
                self._reader = self._writer = None
                w.close()
                raise ConnectError("connect to %s:%d failed (refused or unreachable)"
                                   % (self.host, self.port))

    async def close(self):
        """Close the connection (its WebSocket first, with a Close frame, if upgraded)."""
        if self.websocket is not None:
            w = self.websocket
            self.websocket = None
            await w.close()
        await self._abort()

    async def _abort(self):
        w = self._writer
        self._reader = self._writer = None
        self._parser = None
        if self._current is not None:
            self._current.complete = True
            self._current = None
        if w is not None:
            try:
                w.close()
                await asyncio.wait_for(w.wait_closed(), 1)  # bounded, like every wait in this layer
            except Exception:  # already broken: closing is best effort
                pass

    async def __aenter__(self):
        return await self.connect()

    async def __aexit__(self, *exc):
        await self.close()

    # -- bytes -------------------------------------------------------------------------------------
    async def _write(self, data):
        async with self._lock:
            try:
                self._writer.write(data)
                await _within(self._writer.drain(), self.timeout, "the server did not accept data")
            except (OSError, AttributeError) as exc:  # AttributeError: closed under our feet
                raise ConnectionLost("send failed: %r" % (exc,))
            except ValueError as exc:  # MicroPython: the TLS handshake (run by the first write) failed
                raise TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))

    async def _recv(self, timeout):
        """Up to buffer_size bytes (b"" at EOF).  MicroPython's stream can ``readinto`` one reused
        buffer, sparing the heap a fresh block per read; the cores copy what they keep."""
        r = self._reader
        try:
            if hasattr(r, "readinto"):
                if self._mv is None:
                    self._mv = memoryview(bytearray(self.buffer_size))
                n = await _within(r.readinto(self._mv), timeout, "no data from the server")
                return self._mv[:n] if n else b""
            return await _within(r.read(self.buffer_size), timeout, "no data from the server")
        except OSError as exc:
            raise ConnectionLost("receive failed: %r" % (exc,))
        except ValueError as exc:
            raise TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))

    async def _next_event(self):
        p = self._parser
        if p is None:
            raise UsageError("connection is not open")
        try:
            while True:
                ev = p.next_event()
                if ev is not None:
                    return ev
                data = await self._recv(self.timeout)
                if data:
                    p.feed(data)
                else:
                    p.feed_eof()
        except BaseException:
            await self._abort()
            raise

    async def _response_done(self, resp):
        if self._current is resp:
            self._current = None
        if not (self.persistent and resp.head.keep_alive):
            await self._abort()

    # -- HTTP --------------------------------------------------------------------------------------
    async def request(self, method, target="/", headers=None, body=None, **kw):
        """Send a request; returns its Response once the head has arrived (read the body next).
        ``method`` may be a ready ``request.Request``; keywords are those of ``request.Request``."""
        if self.websocket is not None:
            raise UsageError("this connection was upgraded to a WebSocket: HTTP requests are refused "
                             "(close the WebSocket and reopen, or use another Connection)")
        if isinstance(method, Request):
            req = method
        else:
            req = Request(method, target, headers=headers, body=body, **kw)
        if self._current is not None and not self._current.complete:
            await self._abort()  # the previous body was not read: the connection can't be reused
        await self.connect()
        head, body = req.prepare(self.host_header, not self.persistent)
        try:
            if isinstance(body, (bytes, bytearray, memoryview)):
                await self._write(head + bytes(body) if len(body) <= 1024 else head)
                if len(body) > 1024:
                    await self._write(body)
            else:
                await self._write(head)
                if body is not None:
                    for piece in req.body_pieces(body, bytearray(512)):
                        await self._write(piece)
        except BaseException:
            await self._abort()
            raise
        return await self._response(req.method)

    async def _response(self, method):
        self._parser.start(method)
        ev = await self._next_event()
        resp = Response(self, ev[1])
        self._current = resp
        if self._parser.done:  # no body (HEAD, 1xx, 204, 304, 101)
            resp.complete = True
            resp.trailers = http11.Headers()
            if resp.status != 101:
                await self._response_done(resp)
        return resp

    # -- WebSocket ---------------------------------------------------------------------------------
    async def upgrade(self, path="/", headers=None, subprotocols=None, extensions=None, max_message=65536,
                      max_frame=None, rng=None, allowed_rsv=0, timeout=None, close_timeout=5.0, on_ping=None,
                      on_pong=None, on_close=None):
        """Upgrade this open, persistent connection (see ``client.Connection.upgrade``).  A refused
        upgrade raises HandshakeError with the whole response; the connection stays usable."""
        from . import rfc6455 as ws

        if not self.persistent:
            raise UsageError("WebSocket upgrade needs a persistent connection (persistent=True)")
        if self.websocket is not None:
            raise UsageError("this connection is already a WebSocket")
        if self._current is not None and not self._current.complete:
            raise UsageError("read the previous response body before upgrading")
        head, key, protos, exts = _upgrade_head(self.host_header, path, headers, subprotocols, extensions,
                                                rng)
        await self.connect()
        try:
            await self._write(head)
        except BaseException:
            await self._abort()
            raise
        resp = await self._response("GET")
        if resp.status != 101:
            try:
                await resp.read()  # the caller gets the whole response
            except (LimitExceeded, ConnectionLost):
                await self._abort()
            raise HandshakeError("upgrade refused: %d %s" % (resp.status, resp.reason), resp)
        try:
            sub, accepted = ws.check_handshake_response(resp.head, key, protos, exts, resp)
        except HandshakeError:
            await self._abort()  # a wrong 101: the byte stream is unusable
            raise
        self._current = None
        leftover = self._parser.take_leftover()
        # defer: a message that came just before a fault or a Close is handed over while the connection
        # is still open, so the application can answer it; recv() then acts on what followed.
        proto = ws.Protocol(max_message=max_message, max_frame=max_frame, rng=rng, allowed_rsv=allowed_rsv,
                            defer=True)
        w = WebSocket(self, proto, sub, resp, timeout, close_timeout, on_ping, on_pong, on_close)
        w.extensions = accepted
        self.websocket = w
        if leftover:
            proto.receive_data(leftover)  # frames that came with the 101 head (RFC 6455 section 4.1)
            await w._after_input()
        return w


class WebSocket:
    """An open WebSocket (from ``Connection.upgrade`` or ``ws_connect``): ``await send(msg)``,
    ``await recv()`` (str or bytes), ``await ping()``, ``await close()``, ``async for msg in ws``.
    ``on_ping(data)``, ``on_pong(data)``, ``on_close(code, reason)`` (once) are optional callbacks."""

    def __init__(self, conn, protocol, subprotocol, response, timeout, close_timeout, on_ping, on_pong,
                 on_close):
        self.conn = conn
        self.protocol = protocol
        self.subprotocol = subprotocol
        self.extensions = []
        self.response = response
        self.timeout = timeout
        self.close_timeout = close_timeout
        self.on_ping = on_ping
        self.on_pong = on_pong
        self.on_close = on_close
        self._messages = []
        self._closed_reported = False
        self._socket_closed = False
        self._reading = False  # a task is waiting in the stream's read (only one may)
        self._gone = asyncio.Event()  # set once the socket is closed

    async def _flush(self):
        for frame in self.protocol.data_to_send():
            if self._socket_closed:
                return
            try:
                await self.conn._write(frame)
            except ConnectionLost:
                self.protocol.receive_eof()
                await self._close_socket()
                return

    async def send(self, message, frame_size=None):
        """Send a whole message: str as text, bytes-like as binary."""
        if isinstance(message, str):
            self.protocol.send_text(message, frame_size)
        else:
            self.protocol.send_binary(message, frame_size)
        await self._flush()

    async def ping(self, data=b""):
        """Send a PING; its PONG is seen by ``recv()`` (``on_pong``, ``pongs``)."""
        self.protocol.send_ping(data.encode() if isinstance(data, str) else data)
        await self._flush()

    async def pong(self, data=b""):
        self.protocol.send_pong(data.encode() if isinstance(data, str) else data)
        await self._flush()

    async def recv(self, timeout=-1):
        """The next whole message; TimeoutError after ``timeout`` s (default: the WebSocket's; the
        connection stays open); ConnectionClosed once closed."""
        if timeout == -1:
            timeout = self.timeout
        while not self._messages:
            p = self.protocol
            if p.deferred is not None:
                p.receive_data(b"")  # the fault or Close behind the messages already handed over
                await self._after_input()
                continue
            if p.eof or self._socket_closed:
                self._finish()
            await self._read(timeout)
            await self._after_input()
        return self._messages.pop(0)

    async def _read(self, timeout):
        self._reading = True
        try:
            data = await self.conn._recv(timeout)
        except ConnectionLost:
            data = b""
        finally:
            self._reading = False
        if self._socket_closed:
            return b""
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        return data

    async def _after_input(self):
        from . import rfc6455 as ws

        p = self.protocol
        await self._flush()  # auto-PONGs, the echo of a Close, our Close after a fault
        for kind, a, b in p.events():
            if kind == ws.EV_TEXT or kind == ws.EV_BINARY:
                self._messages.append(a)
            elif kind == ws.EV_PING:
                if self.on_ping:
                    self.on_ping(a)
            elif kind == ws.EV_PONG:
                if self.on_pong:
                    self.on_pong(a)
        if p.state != ws.OPEN:
            await self._wind_down()

    async def _wind_down(self):
        """Closing: wait at most close_timeout for the server's Close and its TCP close (section 7.1.1)."""
        from . import rfc6455 as ws

        p = self.protocol
        if self._socket_closed:
            return
        try:
            if self._reading:
                # Another task waits in recv(): it sees the server's Close and winds down itself.
                await _within(self._gone.wait(), self.close_timeout, "closing handshake")
            else:
                await _within(self._drain_until_eof(), self.close_timeout, "closing handshake")
        except (TimeoutError, ConnectionLost):
            pass
        if self._socket_closed:
            return
        if p.close_rcvd is None or p.state != ws.CLOSED:
            p.receive_eof()
        await self._close_socket()

    async def _drain_until_eof(self):
        from . import rfc6455 as ws

        p = self.protocol
        while not p.eof:
            data = await self._read(None)
            await self._flush()
            for kind, a, b in p.events():
                if kind == ws.EV_TEXT or kind == ws.EV_BINARY:
                    self._messages.append(a)
            if not data:
                return

    async def _close_socket(self):
        if not self._socket_closed:
            self._socket_closed = True
            self._gone.set()
            await self.conn._abort()

    def _finish(self):
        exc = self.protocol.closed_error()
        if not self._closed_reported:
            self._closed_reported = True
            if self.on_close:
                self.on_close(exc.code, exc.reason)
        raise exc

    async def close(self, code=1000, reason=""):
        """Send Close(code, reason), wait (bounded) for the server's Close and TCP close.  Idempotent."""
        from . import rfc6455 as ws

        p = self.protocol
        if p.deferred is not None and not self._socket_closed:
            p.receive_data(b"")  # the server's fault or Close comes first
            await self._after_input()
        if p.state == ws.OPEN and not self._socket_closed:
            p.send_close(code, reason)
            await self._flush()
        await self._wind_down()
        if not self._closed_reported:
            try:
                self._finish()
            except ConnectionClosed:
                pass

    @property
    def closed(self):
        return self._socket_closed

    @property
    def close_code(self):
        return self.protocol.close_rcvd[0] if self.protocol.close_rcvd else None

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.recv()
        except ConnectionClosed:
            raise StopAsyncIteration

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


async def ws_connect(url, headers=None, subprotocols=None, connect_timeout=10.0, timeout=None,
                     ssl_context=None, cadata=None, verify=True, buffer_size=2048, **ws_options):
    """Connect to a ``ws://`` or ``wss://`` URL and upgrade: the one-call asyncio WebSocket client."""
    scheme, host, port, target = split_url(url)
    if scheme not in ("ws", "wss"):
        raise UsageError("ws_connect needs a ws:// or wss:// URL, got %r" % (url,))
    conn = Connection(host, port, tls=scheme == "wss", connect_timeout=connect_timeout, timeout=timeout,
                      ssl_context=ssl_context, cadata=cadata, verify=verify, buffer_size=buffer_size)
    await conn.connect()
    try:
        return await conn.upgrade(target, headers=headers, subprotocols=subprotocols, timeout=timeout,
                                  **ws_options)
    except BaseException:
        await conn._abort()
        raise
