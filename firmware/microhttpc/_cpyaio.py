"""CPython's socket I/O for ``aio.Connection`` (its ``_write`` and ``_recv``), kept out of ``aio`` so
that a board never loads it (MicroPython's are in ``aio``: generators over the socket itself).  The
connection is the transport of ``loop.create_connection`` and its protocol, a ``Pipe``: the transport
receives into the Pipe's buffer, or straight into the buffer of a read that waits with one (a body's
``readinto``, the rest of a large WebSocket message), and a read takes what is there or waits on one
future.
(``asyncio.open_connection``'s streams copy every read twice more and wake the reader through a
second layer: the 16 B WebSocket echo ran at about 0.4 of the blocking layer's rate, 0.6-0.7 now.)

A read or a drain with a timeout is cancelled at its deadline by the connection's ``Watch``: one timer
handle, re-armed only when a new wait must end before it fires, so a wait costs a small list, not a
timer.  (``asyncio.timeout`` around every read makes and cancels a timer each time: about a fifth of
the rate of a 16 B WebSocket echo.)
"""

import asyncio
import os
import select
import struct
import weakref  # pyright: ignore[reportMissingImports]  (CPython only, as this module)

from .errors import HTTPCError, TimeoutError, UsageError


def _input_waiting(conn):
    """``aio.Connection._input_waiting`` on CPython: bytes or EOF in the connection's Pipe, or in the
    socket under it (a loop blocked while the connection was idle leaves them there: a forged response
    was then read as the next request's answer).  Never blocks.  None for a TLS socket that is
    readable: a post-handshake message (TLS 1.3's session tickets) makes it so without any data; the
    caller lets the loop read and decrypt it, then looks at the Pipe (every new TLS connection was
    dropped for a second one before its first request)."""
    p = conn._reader
    try:
        if p.buffered() or p.eof or conn._writer.is_closing():
            return True
        if not select.select((p.transport.get_extra_info("socket"),), (), (), 0)[0]:
            return False
        return None if p.tls else True
    except (OSError, ValueError, AttributeError):
        return True


def _abort(conn):
    """``aio.Connection._abort``: ``conn.lost()`` at once, then what to await: the end of its transport."""
    pipe = conn._reader
    conn.lost()
    return _gone(pipe)


async def _gone(pipe):
    if pipe is not None:
        try:
            await asyncio.wait_for(pipe.wait_closed(), 1)  # (at most 1 s; unsent bytes dropped: see Pipe)
        except Exception:
            pass


async def pool_keeper(close):
    """``aioapi``'s pool: an async generator of the running loop, waiting until that loop ends.
    ``asyncio.run`` then finalizes it (``shutdown_asyncgens``), and ``await close()`` closes the pooled
    connections while the loop still runs."""
    try:
        yield
    finally:
        await close()


class Pipe(asyncio.BufferedProtocol):
    """The protocol of one connection: the bytes that came and were not read yet (``view[start:end]``;
    what a read handed out stays in place until the next read), the end of the input (``eof``;
    ``error``: the exception that ended the connection, if any), the future of the task waiting to
    read (and its own buffer, ``target``) and those of the tasks waiting to write (``paused``)."""

    def __init__(self, loop, size, conn):
        self.loop = loop
        self.conn = conn  # a weak reference to the aio.Connection (upgraded or not): see connect()
        self.size = size  # reading pauses once this many bytes wait (the buffer may have grown past it)
        self.buf = bytearray(size)
        self.view = memoryview(self.buf)
        self.tls = False
        self.start = self.end = 0
        self.eof = self.lost = self.paused = self.full = False
        self.error = None
        self.transport = self.reader = None
        self.target = None  # the buffer of the waiting reader (``recv(into=)``): it gets the bytes
        self.got = 0  # bytes received into it
        self.writers = []
        self.gone = loop.create_future()  # done at connection_lost
        self.dropped = None  # the finaliser that closes the transport if the connection is dropped: see connect()

    # -- the transport's side --------------------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        self.tls = transport.get_extra_info("sslcontext") is not None
        # Writing pauses while the transport holds any byte, so a write returns once all of it is with
        # the kernel: from CPython 3.12 a transport keeps a view of what it could not send, not a copy,
        # and the buffer under it is reused (a large frame's kept buffer, an upload's 512-byte pieces).
        # A server that read slowly got 64 KiB messages overwritten by the next one before they went.
        # TLS: its flow control pauses at a size >= the high mark (a socket's: >), so 0 paused it with
        # nothing held and no resume came (an upload's second write waited out the timeout): 1 there.
        transport.set_write_buffer_limits(1 if self.tls else 0)

    def get_buffer(self, sizehint):
        # Over TLS the buffer returned has room for all the transport holds: at a TCP close without
        # close_notify asyncio's TLS layer (sslproto, _do_flush) decrypts once more into it and drops
        # what did not fit (a body read until the close came 68,947 bytes short of 200,000).  It holds
        # ``sizehint`` bytes still encrypted and at most one record (16 KiB) decrypted.  (Plain TCP: -1.)
        room = sizehint + 16384 if sizehint >= 0 and self.tls else 1
        t = self.target
        if t is not None:  # a reader waits with a buffer of its own: straight into it if it fits
            if len(t) - self.got >= room:
                return t[self.got :]
            self.target = None  # what comes goes to the Pipe's buffer, and the read takes it there
        if len(self.buf) - self.end < room:  # (and a transport that delivers once more after pause_reading)
            grown = bytearray(max(2 * len(self.buf), self.end + room))
            grown[: self.end] = self.view[: self.end]
            self.buf, self.view = grown, memoryview(grown)
        return self.view[self.end :]

    def buffer_updated(self, nbytes):
        t = self.target
        if t is not None:
            self.got += nbytes
            if self.got == len(t):
                self.target = None  # full: what comes next goes to the Pipe's buffer
        else:
            self.end += nbytes
            if self.end >= self.size and not self.full:
                self.full = True  # nothing more until the connection reads
                self.transport.pause_reading()
        _wake(self.reader)

    def eof_received(self):
        self.eof = True
        _wake(self.reader)
        # A WebSocket over plain TCP: the transport stays open for writing (a server that half-closed
        # after its Close still reads our echo; the WebSocket closes it).  Otherwise (HTTP: an idle
        # keep-alive connection would sit in CLOSE-WAIT; TLS) it closes, as it did.
        c = self.conn()
        return c is not None and c.upgraded and not self.tls

    def connection_lost(self, exc):
        if exc is not None and self.tls:
            _unseal(self)
        self.eof = self.lost = True
        self.error = exc
        _wake(self.reader)
        self.resume_writing()
        if not self.gone.done():
            self.gone.set_result(None)
        if self.dropped is not None:  # (closed: the finaliser lets the transport go; kept, each reconnect's
            self.dropped.detach()  # closed transport stayed with the connection, 330 KB over TLS)
            self.dropped = None

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        for f in self.writers:
            _wake(f)

    # -- the connection's side -------------------------------------------------------------------------
    def buffered(self):
        """The count of the bytes here that no read took yet."""
        return self.end - self.start

    def release(self):
        """A new read begins: the bytes handed out before are the caller's no more; make room."""
        s = self.start
        if s == self.end:
            self.start = self.end = 0
        elif self.full:
            self.view[: self.end - s] = self.view[s : self.end]
            self.start, self.end = 0, self.end - s
        else:
            return
        if self.full and self.end < self.size:  # (not while a full size waits: over TLS each resume
            self.full = False  # may bring all the TLS layer holds, and the buffer grew without end)
            self.transport.resume_reading()

    def take(self, into):
        """What came, up to len(into) when ``into`` is given (copied there: its view is returned; the
        rest stays); b"" at the end of the input.  A view of the Pipe's buffer stays valid until the
        next read: the caller copies what it keeps."""
        s, e = self.start, self.end
        if s == e:
            if self.error is not None:
                raise self.error
            return b""
        if into is None:
            self.start = e
            return self.view[s:e]
        k = min(e - s, len(into))
        into[:k] = self.view[s : s + k]
        self.start = s + k
        return into[:k]

    def unread(self, data):
        """Bytes a read received into its own buffer and could not hand over (a timeout or a
        cancellation came first): back in front of what came after them."""
        n, s, e = len(data), self.start, self.end
        if s >= n:
            self.view[s - n : s] = data
            self.start = s - n
            return
        both = bytes(data) + bytes(self.view[s:e])
        if len(both) > len(self.buf):
            self.buf = bytearray(len(both))
            self.view = memoryview(self.buf)
        self.view[: len(both)] = both
        self.start, self.end = 0, len(both)

    def close(self):
        """The connection ends (``aio.Connection.lost``): bytes the server did not take are dropped
        (an abort), not waited for (a transport's close() keeps the socket until they are out)."""
        t = self.transport
        if t is not None:
            t.abort() if t.get_write_buffer_size() else t.close()

    async def wait_closed(self):
        """Once the transport was closed: bytes the server did not take are dropped (an abort), not
        waited for; nor is the server's answer to our TLS close_notify (RFC 8446 section 6.1: the
        closing side need not wait; a server that answers nothing held every close and error 1 s)."""
        t = self.transport
        if t is not None and not self.lost and (t.get_write_buffer_size() or self.tls):
            t.abort()
        await self.gone


def _unseal(p):
    """A reset over TLS: the records asyncio's TLS layer took from the socket and had not decrypted yet
    (it reads ahead of a paused protocol, up to 256 KiB) are decrypted into the Pipe now, so that what
    came before the reset is handed over before it is reported, as the kernel keeps it on plain TCP
    (the reset dropped them: a body sent whole was ConnectionLost).  Whole records only, each
    checked; best effort (asyncio's internals: nothing is done where they differ)."""
    try:
        tls = p.transport._ssl_protocol
        while True:
            buf = p.get_buffer(tls._incoming.pending)
            n = tls._sslobj.read(len(buf), buf)
            if not n:
                return
            p.buffer_updated(n)
    except Exception:  # (ssl.SSLWantReadError: no whole record left)
        pass


def _wake(fut):
    if fut is not None and not fut.done():
        fut.set_result(None)


async def connect(conn, host, port, **kw):
    """(Pipe, transport) of a new connection to host:port (``kw``: ssl, server_hostname)."""
    loop = asyncio.get_running_loop()
    ref = weakref.ref(conn)
    transport, pipe = await loop.create_connection(lambda: Pipe(loop, conn.buffer_size, ref), host, port, **kw)
    # A connection (or its WebSocket) dropped without close(): its socket closes when it is collected, as a
    # blocking one's does (the loop held the transport, the transport the Pipe, and a Pipe that held the
    # connection kept it and its socket open until the loop ended: one descriptor per connection dropped)
    pipe.dropped = f = weakref.finalize(conn, _close_dropped, transport)
    f.atexit = False  # (not at exit: the loop is closed by then)
    return pipe, transport


def _close_dropped(transport):
    try:
        transport.close()
    except RuntimeError:  # its loop closed before the connection was dropped ("Event loop is closed"
        pass  # printed as an exception ignored): nothing can close it now, as before



class Watch:
    """The waits of one connection that have a timeout, each ``[deadline, task, expired]`` (loop
    time), and the timer that cancels the task of each at its deadline."""

    def __init__(self, loop):
        self.loop = loop
        self.waits = []
        self.timer = None

    def arm(self, timeout):
        """A new wait of the current task, ``timeout`` seconds from now; the caller removes it from
        ``waits`` when it ends (``finally``)."""
        w = [self.loop.time() + timeout, asyncio.current_task(), False]
        self.waits.append(w)
        t = self.timer
        if t is None or t.when() > w[0]:
            if t is not None:
                t.cancel()
            self.timer = self.loop.call_at(w[0], self._fire)
        return w

    def _fire(self):
        self.timer = None
        now = self.loop.time()
        later = None
        for w in self.waits:
            if w[2]:
                continue
            if w[0] <= now:
                w[2] = True
                w[1].cancel()  # CancelledError where it waits; wait() turns it into TimeoutError
            elif later is None or w[0] < later:
                later = w[0]
        if later is not None:
            self.timer = self.loop.call_at(later, self._fire)


async def wait(conn, aw, timeout, what):
    """Await ``aw`` for at most ``timeout`` seconds (None: no limit) -> TimeoutError(what), in the
    calling task, watched by the connection's ``Watch`` (a new one for each event loop)."""
    if timeout is None:
        return await aw
    loop = asyncio.get_running_loop()
    wd = getattr(conn, "_watch", None)
    if wd is None or wd.loop is not loop:
        wd = conn._watch = Watch(loop)
    w = wd.arm(timeout)
    try:
        return await aw
    except asyncio.CancelledError:
        task = w[1]
        # Ours only: no one else asked to cancel the task (CPython >= 3.11 counts the requests).
        if not w[2] or (hasattr(task, "uncancel") and task.uncancel()):
            raise
        if aw.done() and not aw.cancelled():  # it came in the turn of the loop the bound ended in: taken
            return aw.result()  # (recv(0) of a message larger than one read of the transport's)
    finally:
        wd.waits.remove(w)
    raise TimeoutError("%s within %s s" % (what, timeout))


def _salvage(transport, p):
    """A send failed (a reset) and the transport stopped reading at once: what the kernel received
    before, an answer the server sent early (RFC 9112 section 9.5: a 413 to an upload), is read now,
    while the socket is still open (it closes at the next turn of the loop): all of it (a WebSocket's
    messages and Close behind what the Pipe holds; at most the Pipe's buffer before: 21 of 40 such
    messages, then 1006).  Over TLS its records go to the TLS layer and are decrypted (``_unseal``):
    the 413 was lost in about half of the tries.  Best effort."""
    import socket

    s = transport.get_extra_info("socket")
    if s is None:
        return
    tls = transport.get_extra_info("ssl_object") is not None
    try:
        with socket.socket(s.family, s.type, s.proto, fileno=os.dup(s.fileno())) as d:  # pyright: ignore[reportCallIssue]
            d.setblocking(False)
            while True:  # (finite: nothing comes after a reset)
                if tls:
                    got = d.recv(65536)
                    if not got:
                        break
                    transport._ssl_protocol._incoming.write(got)
                    continue
                n = d.recv_into(p.get_buffer(65536))
                if not n:
                    return
                p.buffer_updated(n)
    except (OSError, ValueError, AttributeError):
        pass
    if tls:
        _unseal(p)


async def write(conn, data, timeout=None):
    """Write all of ``data``; while the transport holds too much (flow control), wait for it to take
    it, each wait within the session's ``wait_time()``; with ``timeout`` (a keepalive's patience),
    as long as the server takes some of our bytes within it (``_by``).  Over TLS in slices of 64 KiB:
    asyncio's TLS flow control counts only what it has not handed to the socket's transport yet, and
    one large write never paused it (50 MB to a server that read nothing: all of it held, the send
    returned at once)."""
    p = conn._reader
    t = conn._writer
    n = len(data)
    step = 65536 if conn.tls and n > 65536 else n or 1
    i = 0
    w = None  # with a timeout: [bytes held at the last look, loop time by which some more must go]
    try:
        while True:
            # A failed send closes the transport at once, and connection_lost comes only at the next
            # turn of the loop: the write just made is looked at too (it returned as if all went out,
            # and what the server sent before the reset, a 413, its Close, was lost).
            if p.lost or t.is_closing():
                if i >= n and i and p.eof and p.error is None:
                    # All of it went before the server's end came (over TLS its close_notify, which
                    # closes the transport at once): not a failed send; its answer is read next.
                    return
                _salvage(t, p)
                raise p.error or ConnectionResetError("the connection is closed")
            if i >= n and i:
                return
            t.write(data if step >= n else memoryview(data)[i : i + step])
            i += step
            try:
                if conn.tls:  # its transport sees a reset only in a turn of the loop (an endless upload
                    # went on after a 413 and a reset); the socket's transport at once, and the socket
                    # closes in that turn: what came before the reset is read now
                    if getattr(getattr(getattr(t, "_ssl_protocol", None), "_transport", None), "is_closing", bool)():
                        _salvage(t, p)
                    await asyncio.sleep(0)
                while p.paused and not p.lost:
                    f = p.loop.create_future()
                    p.writers.append(f)
                    try:
                        if timeout is None:
                            await wait(conn, f, conn.wait_time(), "the server did not accept data")
                        else:
                            w = await _by(conn, f, timeout, w)
                    finally:
                        p.writers.remove(f)
            except asyncio.CancelledError:
                if i < n:  # between slices: the rest goes as an unsliced write would, whole to the
                    t.write(memoryview(data)[i:])  # transport (a frame is never torn: see aiows._flush)
                raise
    except HTTPCError:
        raise
    except (OSError, ValueError, AttributeError, RuntimeError) as exc:
        raise conn._failed("send failed: %r", exc)


async def _by(conn, f, patience, w):
    """Await ``f`` (the transport took our bytes) and look at what the server took meanwhile, every
    eighth of the patience (at most a second apart): the kernel says a socket is writable only once a
    share of its send buffer has drained (a third on Linux: seconds of an autotuned buffer for a peer
    that takes every byte, slowly), so the transport waited that long with the peer alive.  Fails once
    nothing went for ``patience`` seconds (or the session's ``wait_time()``, when less), counted from the
    look that found the last bytes gone (a look a second apart let a server that took a little at the
    start and then nothing go a second more: 3 s for a patience of 2 s).  ``w`` is the state between
    calls, returned ([bytes held at the last look, the loop time by which more must go]); None again
    once ``f`` is done (the transport took bytes: what it holds next is more than that look saw)."""
    loop = asyncio.get_running_loop()
    bound = conn.wait_time()  # (raises once a deadline passed)
    if bound is None or patience < bound:
        bound = patience
    if w is None:
        w = [_held(conn._writer), loop.time() + bound]
    try:
        await wait(conn, f, max(min(1.0, bound / 8, w[1] - loop.time()), 0.001), "")
    except TimeoutError:
        held = _held(conn._writer)
        if held < w[0]:
            w[0], w[1] = held, loop.time() + bound
        elif loop.time() >= w[1]:
            conn.wait_time()
            raise TimeoutError("the server did not accept data within %s s" % bound)
        return w
    return None


def _held(t):
    """Bytes of ours the server has not taken yet: what the transport ``t`` holds and, where the kernel
    tells (Linux: SIOCOUTQ), what the socket's send queue still holds."""
    n = t.get_write_buffer_size()
    s = t.get_extra_info("socket")
    if s is not None and _OUTQ is not None:
        try:
            n += struct.unpack("i", fcntl.ioctl(s.fileno(), _OUTQ, bytes(4)))[0]
        except (OSError, ValueError):
            pass
    return n


try:
    import fcntl  # pyright: ignore[reportMissingImports]
    import termios  # pyright: ignore[reportMissingImports]

    _OUTQ = termios.TIOCOUTQ if hasattr(termios, "TIOCOUTQ") and os.uname().sysname == "Linux" else None
except ImportError:  # (Windows)
    _OUTQ = None


async def recv(conn, timeout, into=None):
    """What came (b"" at EOF), a view valid until the next read; with ``into``, up to its size,
    received or copied there, and the view of them in it is returned."""
    p = conn._reader
    try:
        if p.reader is not None:
            raise UsageError("another task is reading this connection")
        p.release()
        if not p.buffered() and not p.eof:
            p.reader = p.loop.create_future()
            p.target, p.got = (None if into is None else memoryview(into)), 0  # (a bytearray's slice is a copy)
            conn.task = t = asyncio.current_task()  # (see aio.Connection._event)
            try:
                await wait(conn, p.reader, timeout, "no data from the server")
            except BaseException:
                if p.got:  # they came before the timeout or the cancellation: not lost
                    p.unread(into[: p.got])
                raise
            finally:
                p.reader = p.target = None
                if conn.task is t:  # (not another task's: a close() woke this read, and its request is on)
                    conn.task = None
            if p.got:
                return into[: p.got]
        elif conn.task is asyncio.current_task():  # a read that found its bytes here lets the connection go
            conn.task = None  # too, as one that waited (a response whose head was here stayed its task's: another
            # task could not read it, and once that task ended, the next request lost the connection)
        return p.take(into)
    except HTTPCError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        raise conn._failed("receive failed: %r", exc)
