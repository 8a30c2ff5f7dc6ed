"""asyncio I/O layer: the blocking objects as coroutines, on MicroPython's asyncio and on CPython's.

    conn = await aio.Connection.open(host, port, timeout=10)
    resp = await conn.request("GET", "/hello")
    body = await resp.read()                  # or: async for chunk in resp.iter_chunks()
    ws = await conn.upgrade("/ws")            # the same persistent connection
    await ws.send("hi"); print(await ws.recv()); await ws.close()

Owns: the connection (CPython: a transport and its protocol, ``_cpyaio.Pipe``; MicroPython: the
non-blocking socket itself, read and written as its asyncio ``Stream`` does, without the Stream) and
the timeouts (see ``_within``: one watchdog task for every wait on MicroPython; on CPython a
timer per connection for reads and writes, ``_cpyaio.Watch``, and ``asyncio.timeout`` for the rest).
Must not: decide anything about HTTP or RFC 6455.  Each method is the same short loop: read
(``_recv``) -> feed ``http11.ResponseParser`` / ``rfc6455.Protocol`` -> act on events -> write what the
core queued (``_write``, one write per frame or request head).

One task writes a WebSocket's frames at a time (aiows ``_flush``), so a task may ``send`` while another
waits in ``recv`` (a frame written in pieces is never interleaved with another); HTTP needs nothing
of the kind (one request at a time).
There are no async generators on MicroPython: ``iter_chunks()`` and the WebSocket are async
iterators written as classes.  ``rfc6455`` is imported on the first WebSocket use, so HTTP-only
applications never load it.
"""

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio

from . import errors, http11
from .errors import (
    ConnectError,
    ConnectionLost,
    HTTPCError,
    LimitExceeded,
    TimeoutError,
    UsageError,
)
from .rt import MICROPYTHON, load
from .session import Body, Session
from . import rtio
from . import session


async def _within(aw, timeout, what):
    """Await ``aw`` for at most ``timeout`` seconds (None: no limit) -> TimeoutError(what).
    ``aw`` runs in the calling task, cancelled at the deadline: on MicroPython by the watchdog (a
    small list per wait), on CPython >= 3.11 by ``asyncio.timeout`` (a timer); not in a task of its
    own as ``wait_for`` (older CPython) runs it."""
    if timeout is None:
        return await aw
    if not MICROPYTHON:
        try:
            if hasattr(asyncio, "timeout"):
                async with asyncio.timeout(timeout):
                    return await aw
            return await asyncio.wait_for(aw, timeout)
        except asyncio.TimeoutError:  # CPython >= 3.11: the builtin TimeoutError
            raise TimeoutError("%s within %s s" % (what, timeout))
    w = _arm(timeout)
    try:
        return await aw
    except asyncio.CancelledError:
        if not w[2]:
            raise  # cancelled by someone else
    finally:
        _waits.remove(w)
    raise TimeoutError("%s within %s s" % (what, timeout))


def _arm(timeout):
    """MicroPython: the watchdog cancels the current task ``timeout`` seconds from now (None: never,
    and None is returned), unless the returned wait [deadline tick, task, expired] leaves ``_waits``
    first (the caller's ``finally``)."""
    global _dog
    if timeout is None:
        return None
    q = asyncio.core._task_queue
    w = [rtio.ticks_add(rtio.ticks_ms(), int(timeout * 1000)), asyncio.current_task(), False]
    d = _dog
    if d is not None and d[2] is not q:
        d = None  # a new event loop: the old one's watchdog and waits are gone
        del _waits[:]
    # All that allocates first: a MemoryError here publishes nothing (neither a watchdog without its
    # task, nor a wait its caller never got)
    if d is None or rtio.ticks_diff(w[0], d[1]) < 0:  # none yet, or it sleeps past this deadline
        n = [None, w[0], q]
        n[0] = asyncio.create_task(_watchdog(n))  # (it runs once this task waits: _dog is n by then)
        if d is not None:
            d[0].cancel()
        _dog = n
    _waits.append(w)
    return w


# MicroPython: the waits with a timeout, [deadline tick, task, expired], and the one watchdog task
# that cancels them at their deadline: [task, the tick it wakes at, the task queue of its loop].
_waits = []
_dog = None


async def _watchdog(d):
    global _dog
    while _dog is d:
        now = rtio.ticks_ms()
        nap = None
        for w in _waits:
            left = rtio.ticks_diff(w[0], now)
            if w[2]:
                continue
            if left > 0:
                nap = left if nap is None or left < nap else nap
            else:
                w[2] = True
                w[1].cancel()  # CancelledError where it waits; _within turns it into TimeoutError
        if nap is None:  # nothing left to watch: the next wait starts a new watchdog
            _dog = None
            return
        d[1] = rtio.ticks_add(now, nap)
        w = None  # (the last wait looked at would keep its task, a finished one too, alive while asleep)
        await asyncio.sleep_ms(nap)


def _enqueue(s, write=False, e=None):
    """MicroPython: a wait on the socket ``s`` in asyncio's IOQueue: the current task's, until ``s`` is
    readable (writable), and its entry in the queue returned ([the tasks waiting to read and to write,
    then the socket]); or, with ``e``, the entry of a wait on ``s`` that a cancel ended (the
    application's ``task.cancel()`` or ``asyncio.wait_for``, or the watchdog's at a timeout): the
    IOQueue then forgets the entry as a whole, with the other task waiting on the socket (a send while
    a recv waits, or the reverse), which would never wake: that one is put back.

    A wait that finds ``s`` new to the queue registers it in the queue's poll set, and a register that
    meets a full heap leaves an empty slot in the set's table: the loop's next wait crashed the port
    (SIGSEGV, extmod/modselect.c).  Then the entry goes, and the slot is filled by a register again, in
    the heap held back for it (``_probe``: taken back when a connection opens or closes), and taken
    out; the MemoryError is the caller's.  (A second such failure before the reserve is back may still
    crash the port.)"""
    q = asyncio.core._io_queue
    new = id(s) not in q.map
    try:
        if e is None:
            q.queue_write(s) if write else q.queue_read(s)
        elif new:
            ev = 0
            for i in range(len(e) - 1):
                if e[i] is not None and e[i].data is q:  # still waiting (woken: None; cancelled: the error)
                    ev |= 4 if i else 1  # POLLOUT, POLLIN (a newer port's POLLPRI slot: never ours)
                else:
                    e[i] = None
            if ev:
                q.map[id(s)] = e
                q.poller.register(s, ev)
    except MemoryError:
        if new:
            q.map.pop(id(s), None)
            _probe[2] = None
            rtio.gc.collect()
            q.poller.register(s, 0)
            q.poller.unregister(s)
        raise
    return q.map.get(id(s))


_buf = None  # MicroPython: the receive buffer every default-sized connection shares (see _recv)

if MICROPYTHON:

    def _done():
        return
        yield

    _done = _done()  # what Connection._abort gives to await: run out at the first, so never a wait


# MicroPython: a poll set, the socket in it (see _reset); heap held back for _enqueue
_probe: list = [None, None, None]


def _reset(sock):
    """MicroPython: has ``sock`` (plain or TLS) met a reset?  Then a plain one is read with recv(), once
    per call (``rtio.recv_into``; a TLS one always is): readinto() reads on after a read that did not fill
    its buffer, and when that next read meets the reset it raises, and the bytes that came before the
    reset are lost: a WebSocket's last messages and its Close, a body's end.  A TLS one is not written
    then (a write that meets the reset fails it for reads too).  One poll set
    for all connections, asking for no event (for POLLIN a TLS socket answers from what it holds,
    without looking at the connection), holds the socket read last: a poll set per connection took
    288 bytes of each."""
    p, s, _ = _probe
    if p is None:  # (after a MemoryError below)
        import select

        p = _probe[0] = select.poll()
    if s is not sock:
        _probe[1] = None
        if s is not None:
            p.unregister(s)
        try:
            p.register(sock, 0)
        except MemoryError:
            # On a full heap select.poll's register leaves an empty slot, and the next ipoll or
            # unregister of the set crashes the port (SIGSEGV): the set goes (the next call makes one)
            _probe[0] = None
            raise
        _probe[1] = sock
    for _, f in p.ipoll(0):
        return f & 8 and hasattr(sock, "recv")  # (a TLS socket of a port without DTLS has none)
    return 0


def _open(host, port, ssl, server_hostname):
    """MicroPython (a generator is a coroutine there): a non-blocking socket connecting to host:port,
    TLS-wrapped when ``ssl`` (the handshake runs with the first reads and writes), once writable; as
    its ``asyncio.open_connection`` does, without the Stream."""
    import socket
    from errno import EINPROGRESS

    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]
    s = raw = socket.socket(ai[0], ai[1], ai[2])
    try:
        s.setblocking(False)
        try:
            s.connect(ai[-1])
        except OSError as exc:
            if exc.errno != EINPROGRESS:
                raise
        rtio.set_nodelay(s)  # as the other layers: a frame or request head is not held back (Nagle)
        if ssl is not None:
            s = ssl.wrap_socket(s, server_hostname=server_hostname, do_handshake_on_connect=False)
            s.setblocking(False)
        _enqueue(s, True)
        yield
    except BaseException:  # refused, a TLS setup error, or the connect timeout's cancel: no socket left open
        rtio.close(s, raw)
        raise
    return s, raw


class Response(session.Response):
    """One response (see ``session.Response`` for the fields); the body with ``await read()`` (whole,
    bounded by ``max_size``/the connection's ``max_body``), ``await read_chunk()`` (a piece, None at
    the end), ``await readinto(buf)`` or ``async for chunk in iter_chunks()``.  An unread body is
    drained before the next request as on the blocking layer (``drain_limit``, ``drain_timeout``)."""

    _body = None

    async def read_chunk(self):
        """The next piece of body as it arrives, or None at the end."""
        if self._pending:
            c = bytes(self._pending)  # (a view of what read(n) left: made bytes before it is let go)
            self._pending = b""
            return c
        self._pending = b""  # (not None: as the blocking layer's)
        while not self.complete:
            ev = await self._conn._event()
            if ev[0] == http11.DATA and ev[1]:
                return ev[1]
        return self._end(None)

    def iter_chunks(self):
        """``async for chunk in resp.iter_chunks()``: the body in pieces, bounded memory."""
        return _Chunks(self)

    async def readinto(self, buf):
        """Body bytes into ``buf``; the count, 0 at the end.  They go from the socket straight into
        ``buf`` when nothing is buffered before them (MicroPython; CPython copies them from its
        stream reader), else they are copied there (as the blocking layer's: no bytes object)."""
        buf = self._into(buf)
        if not len(buf):
            return 0
        if self._pending:
            c = self._take(self._pending, len(buf))
            buf[: len(c)] = c
            return len(c)
        conn = self._conn
        self._pending = b""  # (not None: as the blocking layer's)
        while not self.complete:
            k = conn.parser is not None and conn.parser.raw_room(len(buf))  # (None: ended, unmarked: _event says so)
            if k:
                if conn.task is not None and conn.task is not asyncio.current_task():  # (as _event: another
                    raise UsageError("another task is reading this connection")  # task's drain took part of it)
                r = conn._reader
                try:
                    data = await conn._recv(conn.wait_time(), memoryview(buf)[:k])  # (a bytearray's slice: a copy)
                    if conn._reader is not r:
                        raise ConnectionLost("")
                except BaseException as exc:
                    if conn._reader is not r:  # (as _event: another task's close() woke the read)
                        raise conn._gone(exc)
                    if isinstance(exc, TimeoutError):
                        exc = conn.expired()  # first: the abort clears the timers it names
                    await conn._abort()
                    raise exc
                if data:
                    conn.rx += len(data)
                    conn.parser.body_received(len(data))
                    return len(data)
                conn.receive_eof()  # the parser decides: the end of a read-until-close body, or an error
                continue  # (complete now at the end of a read-until-close body)
            ev = await conn._event(buf)
            if ev[0] == http11.DATA and ev[1]:
                return ev[1]
        return self._end(0)

    async def read(self, n=-1, max_size=None):
        """As the blocking ``Response.read``: the whole body (``n`` < 0), bounded by ``max_size``
        (default: the connection's ``max_body``; LimitExceeded, against Content-Length before a byte is
        read), or up to ``n`` bytes (b"" at the end)."""
        n = self._read_n(n, max_size)
        if n >= 0:
            if n == 0:
                return b""
            return self._take(self._pending or await self.read_chunk(), n)
        if self._body is not None:
            return self._body
        conn = self._conn
        whole = self._pending is None  # (as the blocking layer's)
        held = self.complete and self._pending
        # The bytes still to come: none for a HEAD's answer, a 304, a body on_body took (their
        # Content-Length was over max_body: LimitExceeded for nothing); what remains after read(n)
        size = None if self.complete or conn.active is not self else conn.parser.body_left()
        # The attributes set below get their room in the object now, while nothing is read: with the heap
        # full, the growth at the end lost the body read (a bare MemoryError, then b"" as the body)
        try:
            self._body, self._pending, self._cut = None, self._pending, self._cut
        except MemoryError:  # a fault like a reset (README, "Out of memory"): it stayed open
            if conn.active is self:
                conn.lost()  # (a plain call: no coroutine to make)
            raise
        try:  # (as the blocking layer's)
            body = Body(conn.max_body if max_size is None else max_size, size, conn.tls)
        except MemoryError:
            try:
                e = LimitExceeded("body does not fit in memory (stream it instead)", "max_body", None, size)
            except MemoryError:  # (as the blocking layer's)
                if conn.active is self or conn.active is None:
                    conn.lost()
                raise
            raise e
        try:
            if size and size < 16777216 and not self._pending and not self.complete \
                    and conn.parser.body_left() == size:
                # As the blocking layer: straight into one buffer, copied once (no list of pieces).  Not
                # from 16 MiB (max_body=None): that buffer would be made, and zeroed, before a byte came
                # (a server that said 4 GiB and sent 2 bytes held CPython 13 s and 4 GiB; pieces then).
                mv = memoryview(bytearray(size))
                got = 0
                while got < size:
                    got += await self.readinto(mv[got:])  # never 0 before the end: an early EOF raises
                await self.read_chunk()  # the END event: trailers, keep-alive verdict
                body = bytes(mv)
            else:
                while body.add(await self.read_chunk()):
                    pass
                body = body.value()
            # read(n), readinto() and iter_chunks() hand it out next, once, when it is the whole body (as
            # the blocking layer's); read() gives it again
            self._body = body
            self._pending = body if whole else b""
        except MemoryError:
            body = mv = None
            gone = self._cut  # (cut already: the connection ended under the read, another task's close())
            if held:  # (as the blocking layer's: all of it was here, and stays)
                self._pending = held
            else:
                self._cut = True  # what was read is gone: reading on raises (a read() gave b"", body complete)
                if not gone and (conn.active is self or conn.active is None):  # (None: the copy after the
                    await conn._abort()  # END, idle: it ends too, as on the blocking layer; it stayed open.
                    # Not after another task's close(): the connection may be that task's next one already)
            raise LimitExceeded("body does not fit in memory (stream it instead)", "max_body", None, size)
        except BaseException:  # (LimitExceeded, a timeout, a cancellation: the rest of the body is lost)
            if held:  # (as the blocking layer's)
                self._pending = held
                raise
            self._cut = True
            if conn.active is self:  # (a response of the past: the connection carries another now)
                await conn._abort()
            raise
        return body

    async def text(self, encoding=None):
        """The whole body (``await read()``), decoded as the blocking ``Response.text()`` does."""
        from .textbody import codec, text  # (as the blocking Response's: U+FFFD for what is not valid)

        encoding = codec(encoding, self.headers)
        return text(await self.read(), encoding, self.headers)

    async def json(self):
        """The whole body (``await read()``), parsed as JSON; JSONDecodeError when it is not JSON."""
        body = await self.read()  # (first: a MemoryError loading the parser leaves no body unread)
        from .jsonbody import json  # (JSONDecodeError when the body is not JSON)

        return json(body, self.headers)

    async def close(self):
        """Discard the rest of the body, as the blocking ``Response.close``: the connection is closed when
        the body was not complete (unless all its bytes were taken); reading dropped bytes then raises
        ConnectionLost."""
        if not self.complete and (self._pending or self._conn.parser.body_left() != 0):  # (as the blocking layer's)
            await self._conn._abort()
        elif self._pending and self._body is None:  # (as the blocking layer's)
            self._cut = True
        self._pending = b""


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


class Connection(Session):
    """A connection to one server, as coroutines: a ``session.Session`` (the parameters, defaults and
    rules of ``client.Connection``) plus its asyncio connection."""

    response_class = Response
    clock = rtio

    # As on the blocking layer: board-sized on MicroPython, fewer reads per body on CPython.  Like
    # _ssl (TLS only), a class attribute unless given: a smaller table per connection.
    buffer_size = 2048 if MICROPYTHON else 65536
    _ssl = None
    _raw = None  # MicroPython, TLS: the TCP socket under it, closed with it (rtio.close)
    task = None  # the task in a read of this connection (see _event)
    _hop = None  # the other origins' connections redirect chains ended on, still open (see request); False: close()d

    def __init__(self, *args, **kw):
        Session.__init__(self, *args, **kw)
        if self.tls:
            from .tls import tls_context

            self._ssl = tls_context(self.ssl_context, self.cadata, self.verify)
        self._reader = None  # MicroPython: both are the socket
        self._writer = None
        self._mv = None  # (websocket: the class's None until an upgrade; with the _target and task of
        # a request, a connection keeps 17 attributes: a table of 17 slots, not 23, for each of many)

    @classmethod
    async def open(cls, host, port=None, **kw):
        """Create a Connection and connect it (``await aio.Connection.open(host, port, ...)``)."""
        conn = cls(host, port, **kw)
        await conn.connect()
        return conn

    @property
    def is_open(self):
        """True while the connection is open (after ``connect()``/``open()``, before ``close()``)."""
        return self._writer is not None

    async def connect(self):
        """Connect (TCP, then TLS when asked); a no-op when open."""
        return await self._connect(None)

    async def _connect(self, dl):
        """``connect()`` for a request whose deadline ``dl`` ((tick, seconds) or None) bounds it too."""
        if self._writer is not None:
            return self
        t, name = self.task, self.server_hostname or self.host
        try:
            what = "connect to %s:%d did not complete" % (self.host, self.port)
            if MICROPYTHON:
                if _probe[2] is None:
                    _probe[2] = bytearray(128)  # (see _enqueue: before the socket joins asyncio's poll set)
                opening = _open(self.host, self.port, self._ssl, name)
            else:
                from ._cpyaio import connect

                kw = {} if self._ssl is None else {"ssl": self._ssl, "server_hostname": name}
                opening = connect(self, self.host, self.port, **kw)
            got = await _within(opening, self.remaining(dl), what)
            if self.task is not t or self._writer is not None:  # another task closed (or opened) it meanwhile:
                rtio.close(got[0], got[1] if MICROPYTHON else None)  # this socket is no one's (two connects: one leaked,
                if self.task is not t:  # and a request read another's answer from the other socket)
                    raise UsageError("another task closed this connection while this one connected it")
                return self
            if MICROPYTHON:  # (the socket, and the TCP one under it)
                if got[1] is not got[0]:
                    self._raw = got[1]
                got = (got[0], got[0])
            self._reader, self._writer = got
            self._hop = self._hop or None  # (a close()'s mark goes: see request)
        except HTTPCError:
            raise
        except (OSError, ValueError) as exc:
            if isinstance(exc, UnicodeError):  # a name IDNA refuses (an empty label ...)
                raise ConnectError("cannot resolve %r: %r" % (self.host, exc))
            if "SSL" in exc.__class__.__name__ or isinstance(exc, ValueError):
                raise errors.TLSError("TLS handshake with %s failed: %r" % (self.host, exc))
            raise ConnectError("connect to %s:%d failed: %r" % (self.host, self.port, exc))
        try:
            if MICROPYTHON:
                global _buf
                import select

                # MicroPython's open_connection returns once the socket is writable, without looking at
                # the outcome of the connect: a refused one shows POLLERR/POLLHUP.
                p = select.poll()
                p.register(self._writer, select.POLLOUT)
                for _, ev in p.poll(0):
                    if ev & (getattr(select, "POLLERR", 8) | getattr(select, "POLLHUP", 16)):
                        raise ConnectError("connect to %s:%d failed (refused or unreachable)"
                                           % (self.host, self.port))
                if _probe[0] is None:
                    _probe[0] = select.poll()  # (see _reset: made here, not in a read)
                n = self.buffer_size
                if n != Connection.buffer_size:  # a size of its own: a buffer of its own, kept while open
                    self._mv = self._mv or memoryview(rtio.long_lived(n))
                elif _buf is None:  # the shared one, allocated early (see _recv)
                    _buf = memoryview(rtio.long_lived(n))
            self.opened(MICROPYTHON and self.tls)  # MicroPython's TLS handshake runs in the first writes
        except BaseException:  # refused, or no memory: no socket left open behind the error
            self.lost()
            raise
        return self

    def _input_waiting(self):  # pyright: ignore[reportRedeclaration]
        """True when bytes, EOF or a reset wait on a connection that should be idle (never blocks): a
        poll, as the blocking layer's ``readable()`` (a one-byte read of a TLS socket before its first
        request ran handshake steps, and a certificate refused there read as a stale connection: a
        second connection opened without a word, and ConnectError where TLSError was due)."""
        try:
            s = self._reader
            if _reset(s):  # (and ``s`` is in the one poll set)
                return True
            p = _probe[0]
            p.modify(s, 1)  # select.POLLIN
            try:
                for _ in p.ipoll(0):
                    return True
                return False
            finally:
                p.modify(s, 0)
        except (OSError, ValueError, AttributeError):
            return True

    if not MICROPYTHON:
        from ._cpyaio import _input_waiting  # CPython: the transport's Pipe, and the socket under it

    async def close(self):
        """Close the connection (its WebSocket first, with a Close frame, if upgraded)."""
        w = self.websocket
        try:
            if w is not None:
                self.websocket = None
                await w.close()
        finally:  # the socket closes whatever the WebSocket's close raised
            a = self._abort()
            self._hop = False  # (a redirect chain draining a 3xx of this connection's ends: request)
            await a

    def lost(self):
        """``Session.lost``, and the socket closed at once: a plain call, so that after a MemoryError,
        with no heap for a coroutine, the connection still ends (``aiows``)."""
        if self._hop:  # (closed with this one; False after close(): see request)
            for h in self._hop:
                h.lost()
            self._hop = None
        r = self._reader  # (MicroPython: the socket itself, closed at once; CPython: _cpyaio.Pipe)
        if MICROPYTHON and r is not None:
            # What waits unread is read first (reads without waiting, about 64 KiB at most: a flood
            # cannot hold it): a socket closed with input waiting is reset, and a reset drops what the
            # kernel had not sent yet, the frames of messages whose send() had returned (a send torn by
            # a cancel, or one that timed out); closed so, they go out first, then a FIN.
            b = self._mv or _buf
            try:
                for _ in range(32 if b is not None else 0):
                    if not r.readinto(b):
                        break
            except OSError:  # (a reset socket; one class: a tuple of them is made at the raise, and after
                pass  # a MemoryError there may be no heap for it)
        self._reader = self._writer = self.task = None
        self._mv = None  # a closed connection holds no buffers (connect() makes a new one)
        Session.lost(self)
        if r is not None:
            if MICROPYTHON:
                if _probe[2] is None:  # (see _enqueue: taken back when the heap has it)
                    try:
                        _probe[2] = bytearray(128)
                    except MemoryError:
                        pass
                # The tasks waiting on the socket resume (and find it closed): the entry of a closed
                # socket never fires (a send blocked while another task closed the connection waited on).
                io = asyncio.core._io_queue
                e = io.map.pop(id(r), None)
                if e is not None:
                    io.poller.unregister(r)
                    for i in range(len(e) - 1):
                        if e[i] is not None:
                            asyncio.core._task_queue.push(e[i])
                            e[i] = None  # (woken: no wait on this socket to put back, see _enqueue)
            try:
                r.close()
            except Exception:  # already broken: closing is best effort
                pass
            if self._raw is not None:
                rtio.close(self._raw)

    async def __aenter__(self):
        return await self.connect()

    async def __aexit__(self, *exc):
        await self.close()

    # -- the pump ----------------------------------------------------------------------------------
    def _failed(self, message, exc):
        """The error for an exception of the socket (AttributeError: closed under our feet; ValueError,
        or an OSError with an mbedTLS code (< 0): MicroPython's TLS failed, a TLSError while its handshake
        runs in the first writes; after it a record that fails (a bad MAC) is a lost connection)."""
        if self._t_tls is not None and (isinstance(exc, ValueError) or MICROPYTHON and isinstance(exc, OSError)
                                        and -29312 != exc.args[0] < 0):  # (CONN_EOF: a close, as net.py says)
            return errors.TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))
        return ConnectionLost(message % (exc,))

    # MicroPython: generators, which are coroutines there, awaiting the socket as its asyncio Stream
    # does (``queue_read`` / ``queue_write``), with the timeout armed in the same frame (no ``_within``
    # around a second generator: one frame per waiting task).
    if MICROPYTHON:

        def _abort(self):  # pyright: ignore[reportRedeclaration]
            """``lost()``, and what to await for it: here nothing, and no coroutine made (after a
            MemoryError the heap may hold none: the socket stayed open).  (CPython: _cpyaio._abort.)"""
            self.lost()
            return _done

        def _write(self, data, timeout=None):  # pyright: ignore[reportRedeclaration]
            """Write all of ``data`` within the session's ``wait_time()`` from the first wait (and
            ``timeout``, a keepalive's patience, when less).  The kernel says a socket is writable only once a
            share of its send buffer has drained (see net.Stream.sendall): a write is tried every
            second of a wait too, and what it takes goes (a steady, slow reader is alive)."""
            sock = self._writer
            if sock is None:  # (as _recv)
                raise ConnectionLost("the connection is closed")
            w = e = None
            t = end = ...  # the bound and its tick, once the socket made us wait
            done = 0
            try:
                if self.tls and _reset(sock):
                    # (as net.py: a write that meets the reset fails the TLS socket for reads too, and what
                    # came before the reset would be lost with it)
                    raise OSError(104)  # ECONNRESET
                while True:
                    n = sock.write(memoryview(data)[done:] if done else data)  # None: nothing taken now
                    if n and self._t_tls is not None:
                        self.sent()  # bytes went out: the TLS handshake is over (the head due from now)
                    done += n or 0
                    if done >= len(data):
                        break
                    if t is ...:  # bounded only once the socket makes us wait
                        t = self.wait_time()
                        if timeout is not None and (t is None or timeout < t):
                            t = timeout
                        end = rtio.deadline(t)
                    left = rtio.remaining(end)
                    if left == 0:  # (after one more write at the bound; the deadline's or the TLS
                        # handshake's error when it was theirs, not the head's: the request is not out)
                        raise self.expired(TimeoutError("the server did not accept data within %s s" % t))
                    w = _arm(1 if left is None or left > 1 else left)
                    e = _enqueue(sock, True)
                    try:
                        yield
                    except asyncio.CancelledError:
                        if not w[2]:
                            raise  # cancelled by someone else
                        _enqueue(sock, e=e)  # our second is up: a write is tried
                    _waits.remove(w)
                    w = None
            except HTTPCError:  # our TimeoutError is an OSError too
                raise
            except asyncio.CancelledError:
                _enqueue(sock, e=e)
                if done:
                    self.lost()  # part of ``data`` is on the wire: nothing may follow it (a torn frame)
                raise
            except (OSError, ValueError, AttributeError) as exc:
                raise self._failed("send failed: %r", exc)
            finally:
                if w is not None:
                    _waits.remove(w)

        def _recv(self, timeout, into=None):  # pyright: ignore[reportRedeclaration]
            """Up to buffer_size bytes (b"" at EOF), valid until the next await: the socket is read
            without a pause into a buffer that all connections of the default buffer_size share (no
            block per connection, none per read: the cores copy what they keep); or into ``into`` (a
            writable view), and the view of what came is returned."""
            sock = self._reader
            if sock is None:  # (lost: a send torn by a cancel.  Its None left in asyncio's poller crashed
                raise ConnectionLost("the connection is closed")  # MicroPython at the next wait)
            mv = into if into is not None else self._mv or _buf
            w = _arm(timeout)
            e = None
            self.task = t = asyncio.current_task()  # (see _event)
            n = self.tls  # TLS: a read first, after a turn of the loop: it may hold decrypted bytes, and a
            try:  # wait per record took 1.3 ms on the unix port (its poll of a TLS socket sleeps 1 ms)
                while True:
                    if n:
                        yield from asyncio.sleep(0)
                    else:
                        e = _enqueue(sock)
                        yield
                    # None when the wake-up brought nothing.  One read where the session says so, once
                    # the socket met a reset (_reset), and over TLS always (rtio.recv_into says why).
                    n = self.one_read() or self.tls and hasattr(sock, "recv") and -1 or _reset(sock) and 256
                    n = rtio.recv_into(sock, mv, n) if n else sock.readinto(mv)
                    if n is not None:
                        return mv[:n] if n else b""
            except asyncio.CancelledError:
                if e is not None:  # (None: cancelled in the first turn, no wait of its own queued)
                    _enqueue(sock, e=e)
                if w is None or not w[2]:
                    raise  # cancelled by someone else
            except (OSError, ValueError, AttributeError) as exc:
                raise self._failed("receive failed: %r", exc)
            finally:
                if self.task is t:  # (not another's: a close() woke this read, and the next request is on)
                    self.task = None
                if w is not None:
                    _waits.remove(w)
            try:  # the deadline came first: what the socket holds already is taken (a 0 s wait reads too)
                n = self.tls and hasattr(sock, "recv") and -1 or _reset(sock) and 256
                n = rtio.recv_into(sock, mv, n) if n else sock.readinto(mv)
            except (OSError, ValueError, AttributeError) as exc:
                raise self._failed("receive failed: %r", exc)
            if n is not None:
                return mv[:n] if n else b""
            raise TimeoutError("no data from the server within %s s" % timeout)

    else:
        from ._cpyaio import _abort, recv as _recv, write as _write  # CPython: the transport and its Pipe

    async def _event(self, into=None):
        """The session's next event, reading as needed; any failure closes the connection (``into``: see
        ``Session.next_event``).  One task
        reads a connection at a time (``task``: the one in a read; two readers of one MicroPython
        socket took each other's bytes)."""
        s = self
        if self.task is not None and self.task is not asyncio.current_task():
            raise UsageError("another task is reading this connection (one request at a time on a Connection)")
        r = self._reader
        body = s.active is not None  # (else a response head is awaited)
        try:
            while True:
                ev = s.next_event(into)
                if ev is not None:
                    if s.idle and not s.reusable and s.upgrading is None:
                        await self._abort()  # complete, and the connection can't be reused
                    return ev
                try:
                    mv = None
                    if MICROPYTHON and s.upgrading is not None:
                        mv = (self._mv or _buf)[:512]  # a 101's head: read little (see client._event)
                    data = await self._recv(s.wait_time(), mv)
                except TimeoutError:
                    raise s.expired()
                if self._reader is not r:  # (see _gone: the session is not this read's now)
                    raise ConnectionLost("")
                if data:
                    s.receive_data(data)
                else:
                    s.receive_eof()
        except BaseException as exc:
            if r is not None and self._reader is not r:
                raise self._gone(exc, body)
            await self._abort()
            raise

    def _gone(self, exc, body=True):
        """What a read gets when another task's ``close()`` ended the connection it waited on (``exc``:
        what the close did to it): in a ``body``, ConnectionLost, as a body read after ``close()`` on
        the blocking layer, whatever the body's framing (it was UsageError for chunked and
        read-until-close bodies and ConnectionLost for Content-Length ones); else (a request on its way,
        its response head awaited) UsageError: not a loss to send it again after (another task may
        have opened the next connection already, and the resend took that one's answer); a
        cancellation as it is.  The connection is left alone (it may be that task's next one), and
        nothing is fed to the session (it may be that next request's)."""
        if not isinstance(exc, HTTPCError):
            return exc
        if body:
            return ConnectionLost("another task closed this connection while this read waited on it")
        return UsageError("another task closed this connection while this one's request was on it")

    async def _prepare_line(self, dl=None):
        """As ``client.Connection._prepare_line``: drain or close the previous body, reopen unless the
        session says the open connection can carry the next request (the connect bounded by its
        deadline ``dl`` too).  True when one is reused.  Not while another task's request is on its way
        or its response is being read (UsageError)."""
        t = asyncio.current_task()
        self.check_usable()  # (a WebSocket's connection is not closed for an HTTP request: a redirect's hop
        # back here, after another task's upgrade while the chain was away, closed that task's WebSocket,
        # whose frames then went to the new HTTP connection)
        o = self.task
        if o is not None and o is not t and o.done():  # its task ended and left it taken (a cancel in a race:
            self.lost()  # every request after it was UsageError, for good): lost, and opened again below
        if self.method is not None or self.task is not None and self.task is not t:
            raise UsageError("another task is using this connection (one request at a time on a Connection)")
        self.task = t  # this task's until its first read ends (or the connection does)
        try:
            self.t_end = dl  # the drain within the request's deadline too (as the blocking one's)
            await self._settle()
            if self._writer is not None:
                if self.ready:
                    stale = self._input_waiting()
                    if stale is None:  # (CPython, TLS: see _cpyaio._input_waiting) two rounds of the loop:
                        await asyncio.sleep(0)  # the transport reads in the second, then the Pipe has
                        await asyncio.sleep(0)  # what was data
                        stale = self._reader.buffered() or self._reader.eof
                    if not stale:
                        return self.parser._state != 0  # kept alive: it carried one (client._prepare_line)
                await self._abort()
            await self._connect(dl)
        except BaseException:
            if self.task is t:  # (not the task's that closed it meanwhile and took it)
                self.task = None
            raise
        return False

    async def _settle(self):
        cur = self.active
        if cur is None or cur.complete:
            return
        own = self.task
        if self._drain is not None and self._drain[0] is not cur:  # one a cancel cut short (the next response's
            self._drain = None  # pieces went to its response)
        try:
            piece = b""
            while self.drain(cur, piece):
                piece = await cur.read_chunk()
                self.task = own  # (each read let it go: another task's read() took part of the body between them)
        except HTTPCError:
            pass
        except MemoryError:  # (a clause of its own: a tuple to match is built on MicroPython's heap)
            pass
        if not cur.complete:
            await self._abort()

    # -- HTTP --------------------------------------------------------------------------------------
    async def request(self, method, target="/", headers=None, body=None, **kw):
        """Send a request; returns its Response once the head has arrived (read the body next).
        ``method`` may be a ready ``request.Request``; keywords are those of ``request.Request``.
        Redirects as on the blocking layer (``follow_redirects``; another origin gets its own
        short-lived Connection)."""
        try:
            req = load("request").request(method, target, headers, body, kw)  # on use (rt.load: threads): WebSockets alone never load it
            self.check_usable()
            path = self.target(req)
            hdrs = req.user_headers()
        except MemoryError:  # a fault like a reset, as in _send_one: the connection goes (building the
            self.lost()  # target and headers too: it stayed open; lost(): no coroutine, no heap needed)
            raise
        limit = self.follow_redirects if req.follow_redirects is None else req.follow_redirects
        conn = self
        cur = req
        history = [] if limit else None  # (no redirects to follow: no list made per request)
        held = None  # (the task, while it holds this connection for its chain)
        try:
            while True:
                try:
                    resp = await conn._send_one(cur, path, hdrs)
                except MemoryError:  # (building the request, too): a fault like a reset, the connection goes
                    conn.lost()  # (no coroutine: the heap may hold none)
                    raise
                resp.request = req
                if req.user_data is not None:
                    resp.user_data = req.user_data
                try:
                    hop = self.redirect(conn, resp, cur, hdrs, limit, history)
                except HTTPCError:
                    await conn._settle()
                    raise
                except BaseException:  # on_header's: the response is nobody's now, its connection goes
                    await conn._abort()
                    raise
                if hop is None:
                    break
                await conn._settle()  # the 3xx body: drained, or its connection closed
                if self._hop is False:  # by another task's close() (lost() closed its hops): no hop after it
                    raise UsageError("another task closed this connection while this one's request was on it")
                conn, cur, path = hop
                hdrs = cur.headers
                if conn is not self:
                    # Another origin's connection: this one's from the hop on (its close() closes it, the
                    # chain failing as here), and after the chain if its body is not read to the end (its
                    # socket stays open), as another task may be reading it, between its reads too (see below)
                    hops = [conn]  # (the newest first)
                    for h in self._hop or ():
                        if h._reader is not None and h is not conn:  # (still open: a body read to the end closed its own)
                            hops.append(h)
                    self._hop = hops
                    if self.task is None:
                        # While the chain is on another origin, it is still this connection's request: another
                        # task's request or upgrade() on it meanwhile is UsageError, as when it is here (an
                        # upgrade made it a WebSocket, and the hop back closed that, or failed)
                        self.task = held = asyncio.current_task()
        finally:
            if held is not None and self.task is held:
                self.task = None
        if conn is not self:  # the newest four are kept, and any older one a task waits in a read of (they piled up
            hops = self._hop or []  # until close(): MemoryError after a dozen at 128K); a chain that failed takes no place
            # (a list here: False is close()'s mark, and close() ends the chain before it gets here)
            for i in range(len(hops) - 1, 3, -1):  # pyright: ignore[reportArgumentType]
                if hops[i].task is None:  # pyright: ignore[reportIndexIssue]
                    hops.pop(i).lost()  # pyright: ignore[reportAttributeAccessIssue]
        if req.on_body is not None:
            try:
                while True:
                    c = await resp.read_chunk()
                    if c is None:
                        break
                    c = req.on_body(c)
                    if c is not None and hasattr(c, "throw"):  # an async def: called, never awaited, it did
                        c.close()  # nothing (the body was lost: read() gave b"" with status 200)
                        raise UsageError("on_body is an async def (or a generator): callbacks are called, not awaited")
            except BaseException:  # (as for on_header)
                await conn._abort()
                raise
        return resp

    async def send(self, req):
        """``request(req)``: send a ready ``request.Request``."""
        return await self.request(req)

    async def _send_one(self, req, path, hdrs):
        """``req`` on this connection, up to its response head; sent once more, on a new connection,
        when the session says a stale keep-alive connection lost it (``may_retry``)."""
        head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)  # may refuse: before I/O
        dl = self.until(req.deadline)  # from now: a drain before it and its connect count too
        reused = await self._prepare_line(dl)
        while True:
            self.begin(req.method, dl, req.sent_target, req.keep_alive)
            r = self._reader
            early = False  # the head is out, the body goes: an early answer is read (see _early)
            try:
                try:
                    self.wait_time()  # (a deadline passed in a drain or a redirect's connect: nothing is sent)
                    if isinstance(body, (bytes, bytearray, memoryview)) and len(body) <= 1024:
                        await self._write(head + bytes(body))  # one write for small requests
                    else:
                        await self._write(head)
                        if body is not None:
                            early = True
                            room = 0
                            for piece in req.body_pieces(body, bytearray(512)):
                                # The bounds at every piece (a socket that takes all never waits); a
                                # turn of the loop at an empty one ("nothing yet") and every 16 KiB:
                                # other tasks run, a cancel comes.
                                self.wait_time()
                                n = len(piece)
                                if n:
                                    await self._write(piece)
                                    self.sent()  # the response head is due within timeout of the last byte
                                room -= n
                                if room <= 0 or not n:
                                    room = 16384
                                    await asyncio.sleep(0)
                except BaseException as exc:  # (one clause, no tuple of classes to match: MicroPython builds
                    # that on the heap, and with none left its MemoryError left the connection mid-request)
                    if self._reader is not r:  # another task's close() (see _gone), or a TLS write that met it
                        raise self._gone(exc, False)  # (MicroPython's handshake runs in the first write, and
                        # mbedTLS's error was TLSError; its abort then closed the closer's next connection)
                    if not (isinstance(exc, ConnectionLost) or isinstance(exc, TimeoutError)):
                        await self._abort()
                        raise
                    # As on the blocking layer: the answer the server sent before it stopped reading
                    # the body is read when its first bytes are there already.
                    try:
                        data = early and await self._recv(0)  # what the socket holds, without waiting
                    except HTTPCError:
                        data = None
                    except BaseException:  # (a cancel)
                        await self._abort()
                        raise
                    if not data:
                        if isinstance(exc, TimeoutError):
                            exc = self.expired(exc)  # the deadline's, by name, when it was the bound
                        await self._abort()
                        raise exc
                    self.reusable = False
                    self.receive_data(data)
                head = body = piece = None  # not kept while the answer is awaited
                while True:  # up to the head (not a coroutine of its own: a frame less per waiting request)
                    ev = await self._event()
                    if ev[0] == http11.RESPONSE:
                        return ev[1]
            except ConnectionLost as exc:
                if not self.may_retry(req, exc, reused):
                    raise
            reused = False
            self.task = asyncio.current_task()  # (lost() let it go: the resend's connect is this task's)
            await self._connect(dl)
            head, body = req.prepare(self.host_header, not self.persistent, hdrs, path)

    # -- WebSocket ---------------------------------------------------------------------------------
    async def upgrade(self, path="/", headers=None, subprotocols=None, extensions=None, **ws_options):
        """Upgrade this open, persistent connection (see ``client.Connection.upgrade``: the same
        keywords, callbacks included).  A refused upgrade (not 101) raises UpgradeRefused with the whole
        response and the connection stays usable; a wrong 101 raises HandshakeError."""
        if self.websocket is not None:
            raise UsageError("this connection is already a WebSocket")
        s = self
        if self._writer is None:  # (as on the blocking layer: it connected, or reopened a closed one)
            raise UsageError("WebSocket upgrade needs an open connection: call connect() first")
        if not s.idle:
            raise UsageError("read the previous response body before upgrading")
        if not s.persistent:
            raise UsageError("WebSocket upgrade needs a persistent connection (persistent=True)")
        try:
            from .wsession import finish_upgrade, make_protocol, start_upgrade

            await self._prepare_line()
            head = start_upgrade(s, path, headers, subprotocols, extensions, ws_options, ())
            proto = make_protocol(**ws_options)  # long-lived: made before the handshake's transient objects
        except BaseException as e:
            if self.task is asyncio.current_task():  # (a refused keyword left the connection this task's)
                self.task = None
            if isinstance(e, MemoryError):
                await self._abort()  # out of memory is a fault like a reset: the connection goes
            raise
        try:
            await self._write(head)
        except BaseException:
            await self._abort()
            raise
        while True:
            ev = await self._event()
            if ev[0] == http11.RESPONSE:
                break
        resp = ev[1]
        if resp.status != 101:
            lost = None
            try:
                await resp.read()  # the caller gets the whole response
            except (LimitExceeded, ConnectionLost) as e:
                lost = e
                await self._abort()
            from .errors2 import refused

            raise refused(resp, lost)
        try:
            sub, accepted, leftover = finish_upgrade(s, resp)
            start_upgrade = finish_upgrade = None  # (as client.Connection.upgrade: the handshake's code goes first)
            load("aiows")  # packed into the heap's holes on MicroPython (rt.load)
            from .aiows import WebSocket

            w = WebSocket(self, proto, sub, accepted, resp, leftover, ws_options)
            self.websocket = w  # (an attribute more: in here, a MemoryError ends the connection too)
        except BaseException:
            # A wrong 101, or no memory for the WebSocket: after a 101 the byte stream belongs to a
            # WebSocket, so without one the connection is unusable.
            await self._abort()
            raise
        return w


async def ws_connect(url, headers=None, subprotocols=None, connect_timeout=10.0, timeout=30.0,
                     ssl_context=None, cadata=None, verify=True, server_hostname=None, buffer_size=None, **ws_options):
    """Connect to a ``ws://`` or ``wss://`` URL and upgrade: the one-call asyncio WebSocket client.
    ``timeout`` bounds the handshake and is the WebSocket's receive timeout; ``server_hostname`` as on
    the blocking ``ws_connect``."""
    scheme, host, port, target = load("urlsplit").split_url(url)  # (rt.load: threads)
    if scheme not in ("ws", "wss"):
        raise UsageError("ws_connect needs a ws:// or wss:// URL, got %r" % (url,))
    if ws_options or headers or subprotocols:  # checked before connecting (see wsconnect.ws_connect)
        from .wsession import start_upgrade

        start_upgrade(None, target, headers, subprotocols, ws_options.get("extensions"), ws_options, ("extensions",))
    conn = Connection(host, port, tls=scheme == "wss", connect_timeout=connect_timeout, timeout=timeout,
                      ssl_context=ssl_context, cadata=cadata, verify=verify, buffer_size=buffer_size,
                      server_hostname=server_hostname)
    conn.deadline = conn.timeout  # the handshake as a whole, a refusal's body too (not the connect)
    await conn.connect()
    try:
        return await conn.upgrade(target, headers=headers, subprotocols=subprotocols, **ws_options)
    except BaseException:
        await conn._abort()
        raise


def reconnect(target, **kw):
    """``async for ws in reconnect(url, **ws_connect_keywords)``: a connected WebSocket each time
    round, reopened with exponential backoff and jitter (see ``backoff``)."""
    from .backoff import reconnect

    return reconnect(target, aio=True, **kw)


def __getattr__(name):
    # The one-call functions (request, get, post, put, patch, delete, head, close_all) are in
    # ``aioapi``, loaded on first use (an unknown name raises AttributeError from there).
    from . import aioapi

    return getattr(aioapi, name)
