"""The asyncio WebSocket (``aio.Connection.upgrade``, ``aio.ws_connect``): a pump over
``wsession.WSCore`` and ``rfc6455.Protocol``.  Loaded on the first upgrade."""

from . import rfc6455 as ws
from .aio import _within, asyncio
from .errors import ConnectionLost, TimeoutError, UsageError
from .rfc6455 import ConnectionClosed
from .rt import MICROPYTHON
from .session import seconds
from .rtio import deadline, remaining
from .wsession import WSCore, payload


class WebSocket(WSCore):
    """An open WebSocket (from ``Connection.upgrade`` or ``ws_connect``): ``await send(msg)``,
    ``await recv()`` (str or bytes), ``await ping()``, ``await close()``, ``async for msg in ws``.
    Callbacks as on the blocking WebSocket (``on_ping``, ``on_pong``, ``on_close`` once, ``on_err``;
    streaming ``on_msg_rx_init`` / ``on_msg_rx_data`` / ``on_msg_rx_complete`` and auto mode), called
    from inside ``recv()`` and ``close()``."""

    _leftover = None
    frame_size = None  # split outgoing messages into frames of at most this many bytes (None: don't)

    def __init__(self, conn, protocol, subprotocol, extensions, response, leftover, opts):
        self._setup(protocol, subprotocol, extensions, response, opts.get("timeout", conn.timeout),
                    opts.get("close_timeout", 5.0), opts.get("user_data"), opts)
        self.conn = conn
        if leftover:
            self._leftover = leftover  # frames that came with the 101, parsed before the socket is read
        self._socket_closed = False
        if opts.get("frame_size"):
            self.frame_size = opts["frame_size"]
        self._reading = False  # a task is waiting in the stream's read (only one may)
        self._writing = False  # a task is writing the protocol's frames (see _flush)
        if opts.get("ping_interval"):
            from .keepalive import aio

            aio(self, opts)

    async def _flush(self, wait=False):
        """Write the frames the protocol queued.  One task writes at a time (a task may send while
        another waits in recv() and answers a PING): a task that finds another writing leaves its
        frames queued, and the writer takes them too before it stops; with ``wait`` (a send) it waits
        for the writer to finish first, so that its frames are out (or the connection is) when it
        returns: a second sender cannot pile up frames behind a server that reads nothing."""
        while self._writing:
            if not wait:
                return
            ev = self._writing  # an Event once a task waits for the writer
            if ev is True:
                ev = self._writing = asyncio.Event()
            await ev.wait()
        self._writing = True
        p = self.protocol
        wrote = False
        out = ()
        k = 0
        lent = None
        try:
            while True:
                out = p.data_to_send()
                if not out:
                    break
                if p.tx_buffer is not None:
                    # Its first frame may be built in the protocol's lent buffer (the large-frame buffer
                    # kept on CPython): no other frame is built there until it is out (another task's
                    # send or a PONG overwrote it in the transport, which from CPython 3.12 keeps a
                    # view, not a copy: two tasks' 4 MiB messages went out mixed).
                    lent, p.tx_buffer = p.tx_buffer, None
                for k in range(len(out)):
                    if self._socket_closed:
                        return
                    if self._ka is None:
                        await self.conn._write(out[k])
                        continue
                    # With a keepalive, in pieces of 16 KiB, each within its patience (see websocket's
                    # _write): a peer that takes every byte is alive however long a large frame takes
                    mv = memoryview(out[k])
                    for i in range(0, len(mv), 16384):
                        try:
                            await self.conn._write(mv[i : i + 16384], self._ka.patience)
                        except asyncio.CancelledError:
                            # Cancelled with pieces of the frame out: on MicroPython a torn frame, nothing
                            # may follow it (see aio); on CPython the rest goes to the transport whole, as
                            # one write of the frame would have (its piece in hand went already)
                            if MICROPYTHON:
                                if i:
                                    self.conn.lost()
                            elif i + 16384 < len(mv):
                                self.conn._writer.write(mv[i + 16384 :])
                            raise
                wrote = True
            if p.tx_buffer is None:
                p.tx_buffer = lent  # (all out: free again; not after a fault, which may leave it held)
        except asyncio.CancelledError:
            # The writer was cancelled (wait_for, task.cancel): the frames it took and did not hand over,
            # other tasks' among them, go back in front of the queue for the next writer (they were
            # dropped, and those tasks' send() returned as if they had gone out).  The one it was
            # writing: CPython's transport took it whole before the wait; on MicroPython none of it
            # went out, or the connection ended (a torn frame, see aio).
            p._out[:0] = out[k + (0 if MICROPYTHON else 1) :]
            if self.conn._reader is None and not self._socket_closed:  # (MicroPython: a torn frame ended the
                self._drop()  # connection: the WebSocket with it, ConnectionClosed 1006 next; the next send()
            raise  # after a torn send_fragment() said a UsageError of the message being sent, closed False)
        except ConnectionLost:
            self._unsent(out)
            # A task waiting in recv() reads what came before the reset, and the end (the socket was
            # closed under it, the messages and the server's Close lost: 1006); if it stops reading
            # first (or none waits), this one reads them back.
            await self._while_reading(deadline(self.close_timeout))
            if not self._socket_closed:
                await self._salvage()
                self._drop()
            return
        except TimeoutError:
            self._unsent(out)
            self._drop()  # part of a frame may be on the wire: the stream cannot go on
            raise
        finally:
            ev, self._writing = self._writing, False
            if ev is not True:
                ev.set()
        if MICROPYTHON and wrote and wait:
            # A write that the socket takes at once does not pause; as MicroPython's own Stream.drain,
            # give the other tasks their turn, so that a loop of sends cannot starve them.  (A send's:
            # in recv()'s bounded flush of its PONGs a deadline that came during this turn, all written,
            # dropped the connection, see _flush_by; recv() waits for its reads anyway.)
            await asyncio.sleep_ms(0)

    async def send(self, message, frame_size=None):
        """Send a whole message: str as text, bytes-like as binary; in frames of at most ``frame_size``
        bytes (default: the WebSocket's ``frame_size``; None: one frame).  Returns once it is written;
        ConnectionClosed when the connection ended (also when the write found it reset)."""
        p = self.protocol
        try:  # (not through _tx: a message allocates no bound method, tuple or coroutine more)
            data = payload(message)  # (in the try: a bytes message's check makes a tuple, and with no heap
            tb = p.tx_buffer  # for it the connection stayed open)
            if not MICROPYTHON and len(data) >= 65536 and (tb is None or len(tb) < len(data) + 14) and not self.conn.tls:
                # CPython: a large frame is built in a buffer kept for the next one, as on the blocking
                # WebSocket (a fresh 4 MiB one is zeroed page by page: 0.75 of its rate, now about 1.0).  The
                # transport takes a frame's bytes in write(), before any other can be built (not TLS's: its
                # backlog may keep the view).
                p.tx_buffer = None  # (replaced: not both in the heap at once)
                p.tx_buffer = bytearray(len(data) + 14)
            p.send_message(ws.OP_TEXT if isinstance(message, str) else ws.OP_BINARY, data,
                           self.frame_size if frame_size is None else frame_size)  # (0: UsageError)
            # With a keepalive within its patience, as every write of the blocking WebSocket: a server
            # that stopped reading held a send for ever, or for all of ``timeout``.
            await (self._flush(True) if self._ka is None else self._flush_by(None, True))
        except MemoryError:
            self._drop()
            raise
        except ConnectionClosed:  # (ended before: on_close is told here if it was not yet, once, unless
            raise self._send_closed()  # messages before the end wait: see _send_closed)
        if self._socket_closed:  # the write failed (a reset): the message is lost, and the caller told
            raise self._send_closed()

    async def send_start(self, is_text=False):
        """Start a message of unknown length; then send_fragment() and send_end()."""
        await self._tx_of("send_start", is_text)

    async def send_fragment(self, data):
        """The next piece of the message that ``send_start()`` began (as the blocking WebSocket's)."""
        await self._tx_of("send_fragment", data)

    async def send_end(self, data=b""):
        """The last piece of the message that ``send_start()`` began (FIN set)."""
        await self._tx_of("send_end", data)

    async def ping(self, data=b""):
        """Send a PING; its PONG is seen by ``recv()`` (``on_pong``)."""
        await self._tx_of("send_ping", data)

    async def pong(self, data=b""):
        """An unsolicited PONG (PINGs are answered by the WebSocket itself)."""
        await self._tx_of("send_pong", data)

    def _tx_of(self, name, data):
        """The ``_tx`` of the protocol's method ``name`` (send_start, send_fragment, send_end, send_ping,
        send_pong) with ``data``: the payload, the bound method, the argument tuple and the coroutine are
        made in the try (on a full heap one of them raised before it, and the connection stayed open)."""
        try:
            f = getattr(self.protocol, name)
            if name == "send_start":
                return self._tx(f, data)
            if name == "send_fragment":
                return self._tx(f, payload(data), False, self.frame_size)
            if name == "send_end":
                return self._tx(f, payload(data), self.frame_size)
            return self._tx(f, payload(data))
        except MemoryError:
            if self._socket_closed:  # ended already (a fault told, say): the call says so, as with heap
                raise self.protocol.closed_error()
            self._drop()
            raise

    async def _tx(self, queue, *args):
        """``queue(*args)`` (one of the protocol's send_*), then write the frames.  No heap for a frame
        is a fault like a reset (README, "Out of memory"): the connection closes here, later calls
        raise ConnectionClosed (1006), and the caller gets the MemoryError."""
        try:
            queue(*args)
            await (self._flush(True) if self._ka is None else self._flush_by(None, True))  # (as send)
        except MemoryError:
            self._drop()
            raise
        except ConnectionClosed:
            raise self._send_closed()
        if self._socket_closed:  # (as send)
            raise self._send_closed()

    async def _while_reading(self, dl):
        """Wait while another task reads (looked at every 10 ms: no Event per WebSocket for these rare
        cases), until the socket is closed or the deadline ``dl`` passes."""
        while self._reading and not self._socket_closed and remaining(dl) != 0:
            await asyncio.sleep(0.01)

    async def _salvage(self):
        """A write met a reset.  What the socket still holds came before the reset (the kernel hands it
        to the reader first): all of it (at most 4,096 reads), without waiting, is parsed, so that recv() returns
        its messages and Close before ConnectionClosed, as poll's does (five messages and a Close were
        lost).  Copies: a streamed piece is a view of what it was given.  Not while a task waits in
        recv(): that one reads them; not once the socket is closed (another task's close(): MicroPython's
        poll crashed on the socket gone)."""
        if self._reading or self.conn._reader is None:  # (a recv() still reading after close_timeout: it reads them)
            return
        self._reading = 1  # (a recv() of another task waits meanwhile: see _read)
        try:
            if self._leftover:  # what came with the 101, not parsed yet, came before them
                data, self._leftover = self._leftover, None
                self.protocol.receive_data(bytes(data))
            for _ in range(4096):  # (as websocket's)
                if self.protocol.holds_back():
                    return
                data = await self.conn._recv(0)
                if not data:
                    return
                self.protocol.receive_data(bytes(data))
        except (ConnectionLost, TimeoutError):
            pass
        finally:
            self._reading = False

    async def _flush_by(self, dl, wait=False):
        """``_flush(wait)`` within what is left of the deadline ``dl`` of the call in progress (and the
        keepalive's bound, if any): a server that reads nothing holds our PONGs or Close no longer
        than that call may last.  Past it the connection is dropped (part of a frame may be out)."""
        left = remaining(dl)  # (a keepalive's patience bounds each piece: see _flush)
        if left is None:
            return await self._flush(wait)
        try:
            await _within(self._flush(wait), max(left, 0.001), "the server did not take our frames")
        except TimeoutError:
            self.protocol.receive_eof()
            self._drop()
            raise

    def _drop(self):
        """The connection ends here, without a Close frame (1006; as websocket.WebSocket._drop), and
        without a coroutine: after a MemoryError there may be no heap for one (the socket stayed open
        until close())."""
        self.protocol.receive_eof()  # first: it allocates nothing
        self._unsent(self.protocol._out)  # (frames no writer took: a Close there was not sent)
        self._socket_closed = True
        self.conn.lost()

    async def recv(self, timeout=...):
        """The next whole message; TimeoutError after ``timeout`` s in all (default: the WebSocket's;
        the connection stays open); ConnectionClosed once closed."""
        if timeout is ...:  # (not -1, as before: recv(-1) was the default, not UsageError as recv(-2))
            timeout = self.timeout
        dl = deadline(seconds(timeout, "timeout"))  # (nan, "5": UsageError, not a bare ValueError)
        first = True
        p = self.protocol
        # The steps that may still read, without waiting, once the deadline has passed: a message whose
        # bytes are all here comes whole (recv(0)), and a flood cannot hold the call.  None when the
        # messages go to callbacks (recv() returns none).
        spare = 0 if self.on_msg is not None or p.streaming else 32
        try:
            while not self._messages:
                if p.more_input():
                    if not first and spare < 0:  # the messages before it went to callbacks: a task one of
                        await asyncio.sleep(0)  # them started (an answer) runs before a fault or Close after them
                    p.receive_data(b"")  # what waited behind the messages already handed over
                elif self._leftover:
                    data = self._leftover
                    self._leftover = None
                    self._feed(data)  # frames that came with the 101 head (RFC 6455 section 4.1)
                else:
                    if p.eof or self._socket_closed:
                        raise self._closed()
                    if p.state != ws.OPEN and (p.failure is not None or p.close_rcvd):  # (not our close(): it winds down)
                        await self._flush_by(dl)  # closing, and the call that began it was cut short by a
                        await self._wind_down(dl, True)  # callback's exception (as websocket's _read_once)
                        continue
                    left = timeout if first else remaining(dl)
                    if left is not None and left <= 0 and not first and spare <= 0:
                        raise TimeoutError("no message within %s s" % timeout)
                    try:
                        await self._read(left)
                    except TimeoutError:
                        if left is None or remaining(dl) > 0 or self._socket_closed:
                            raise  # not the call's own timeout (a keepalive's verdict, at its end too)
                        raise TimeoutError("no message within %s s" % timeout)  # (the read's said its slice)
                first = False
                spare -= 1  # (every step counts, PINGs parsed from what was held too: a flood)
                # Events first: on MicroPython a streamed piece (EV_MSG_DATA) is a view of the receive
                # buffer that all connections share, valid only until the next await lets another
                # connection read into it.  Then the frames: auto-PONGs, the echo of a Close, our
                # Close after a fault.
                more = self._dispatch()
                if p._out:
                    await self._flush_by(dl)
                    more = self._dispatch()  # what the end of a failed write parsed (the held input)
                if p.state != ws.OPEN and not more:
                    await self._wind_down(dl, True)
        except MemoryError:  # a fault like a reset (README, "Out of memory"): reported once, here
            fault = p.failure is not None and self._err_reported is not False and self.on_close is not False  # (as
            # websocket.WebSocket._step)
            if not fault and p.failure is not None:  # on_err's own, raised now: the fault was told (a later
                self._err_reported = p.failure  # call's shortage at its end was a bare MemoryError, a second error)
            self._drop()
            if fault:
                raise self._closed()
            raise
        return self._messages.pop(0)

    async def _read(self, timeout):
        if self._reading:  # (MicroPython's asyncio keeps one waiter per socket: the first would hang)
            if self.protocol.state == ws.OPEN and self._reading is True:  # (not a read-back, _salvage)
                raise UsageError("another task is reading this WebSocket (recv() in one task at a time)")
            # Another task's close() (or the read-back after its failed write) reads the rest: its end
            # is this recv()'s (the reader of an ``async for`` got UsageError here and died).  Once that
            # task stops reading (a recv() whose timeout came), this one reads on, in the time left.
            dl = deadline(timeout)
            await self._while_reading(dl)
            if self._reading or self._socket_closed:
                return b""
            timeout = remaining(dl)
        self._reading = True
        # The rest of a message larger than the receive buffer goes straight into the message.
        try:
            data = await self.conn._recv(timeout, self.protocol.payload_room(self.conn.buffer_size))
        except ConnectionLost:
            data = b""
        finally:
            self._reading = False
        if self._socket_closed:
            return b""
        if data:
            # One small whole message, the common read, is queued at once (as the blocking recv()).
            msg = None if self.on_msg is not None else self.protocol.single(data, len(data))
            if msg is None:
                self._feed(data)
            else:
                self._messages.append(msg)
        else:
            self.protocol.receive_eof()
        return data

    async def _wind_down(self, by=None, recv=False):
        """Closing: wait at most close_timeout for the server's Close and its TCP close (section 7.1.1),
        or until ``by``, the deadline of the recv() in progress (``recv``), when it comes first (its
        timeout bounds the whole call).  A recv() ends the connection at its deadline unless a close()
        owns the handshake (CLOSING with no fault: only close() sends a Close then), which ends it by
        its own bound (a task's recv(0.1) made another's close() 1006 for a server that answered)."""
        p = self.protocol
        if self._socket_closed:
            return
        t = self.close_timeout
        left = remaining(by)
        if left is not None and (t is None or left < t):
            t = max(left, 0)
        oom = None
        try:
            if self._reading:
                # Another task waits in recv(): it sees the server's Close and winds down itself,
                # unless it stops reading first (cancelled: this call reads the rest, in the time left;
                # it waited out close_timeout and reported 1006 for a Close the server had sent at once).
                dl = deadline(t)
                await self._while_reading(dl)
                t = remaining(dl)
            if not self._socket_closed and not self._reading:
                await _within(self._drain_until_eof(), t, "closing handshake")
        except MemoryError as exc:  # (as websocket.WebSocket._wind_down: the call says so, once)
            if p.failure is None or self._err_reported is False:
                oom = exc
        except BaseException as exc:  # (no tuple of classes to match: MicroPython builds it on the heap, and
            # with none left its MemoryError went past this handler)
            if not (isinstance(exc, TimeoutError) or isinstance(exc, ConnectionLost)):
                # Cancelled (wait_for, task.cancel): the closing handshake ends here, and the socket with
                # it (it stayed open: a cancelled close() released nothing, a recv() after a cancelled
                # one timed out for good instead of ConnectionClosed with the server's code).
                self._drop()
                raise
        if not self._socket_closed and not (recv and p.state == ws.CLOSING and p.failure is None):
            if p.close_rcvd is None or p.state != ws.CLOSED:
                p.receive_eof()
            await self._close_socket()
        if oom is not None:
            raise oom

    async def _drain_until_eof(self):
        p = self.protocol
        while not p.eof:
            if MICROPYTHON and self.conn.tls and p.close_rcvd and p.state == ws.CLOSED:
                return  # (both Close frames passed: no EOF to wait for over TLS here, see wsession)
            if p.more_input():
                p.receive_data(b"")
                data = True
            elif self._leftover:  # (as websocket.WebSocket._wind_down)
                data, self._leftover = self._leftover, None
                p.receive_data(data)
            else:
                data = await self._read(None)
            await self._flush()
            self._closing(p.events())
            if not data:
                return

    async def _close_socket(self):
        if not self._socket_closed:
            aw = self.conn._abort()  # first: with no heap for it, the socket is not marked closed
            # A Close still queued, behind another task's write the server never took (MicroPython:
            # sent_code said 1000 for a Close that never went out), was not sent.
            self._unsent(self.protocol._out)
            self._socket_closed = True
            await aw

    async def close(self, code=1000, reason=""):
        """Send Close(code, reason), wait (bounded) for the server's Close and TCP close.  Idempotent."""
        p = self.protocol
        if self._socket_closed:  # (as the blocking one's: messages held back for a recv() are dropped)
            try:
                p.events()
            except MemoryError:  # (a new list: with no heap they stay, and close() returns all the same)
                pass
        dl = None
        try:
            dl = deadline(self.close_timeout)  # the Close's writes too (a server that reads nothing); in the
            # try: its float found no heap, and close() left the connection open with no on_close
            held = p.deferred is not None and not self._socket_closed
            if p.state != ws.OPEN or held:  # the arguments checked (UsageError after the end too, as poll's, and
                p.send_close(code, reason)  # before a Close held back); the server's fault or Close comes first
            if held:
                p.receive_data(b"")
                await self._flush_by(dl)
                self._dispatch()
            if p.state == ws.OPEN and not self._socket_closed:
                p.send_close(code, reason)
                await self._flush_by(dl)
        except TimeoutError:
            pass  # not written in time: the connection was dropped (1006), which ends it all the same
        except UsageError:
            raise  # a code or reason no Close can carry: nothing was sent, the connection stays open
        except BaseException:  # no heap for the Close, or cancelled while it waited to be written: the
            self._drop()  # connection ends here (cancelled, the socket stayed open until another close())
            self._told()
            raise
        try:
            if not self._socket_closed:  # (dropped: no coroutine made, after a MemoryError the heap may
                # hold none; close() raised a second MemoryError for one fault).  Within the close_timeout
                # the Close's write began (it took that and then that again: the blocking one's rule)
                await self._wind_down(dl)
        except MemoryError:  # met before the wind-down's own handler (its coroutine, remaining()): the
            if not self._socket_closed:  # socket stayed open, on_close said 1006 (as the blocking one's)
                self._drop()
            raise
        finally:
            self._closed()

    @property
    def closed(self):
        """True once the connection is closed (closing handshake done, or dropped)."""
        return self._socket_closed

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.recv()
        except ConnectionClosed as exc:
            if exc.cause is None and exc.code != 1006:
                raise StopAsyncIteration  # (as the blocking one's)
            raise

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close(1000 if exc[0] is None else 1011)  # (as the blocking one's __exit__)
