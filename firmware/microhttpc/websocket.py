"""Blocking WebSocket I/O layer: read -> feed the RFC 6455 core -> act on its events -> write what it
queued.  No protocol decisions are made here.

Two ways to receive (HTTPc's two modes):
- whole messages: ``recv()`` returns ``str`` (text) or ``bytes`` (binary);
- streaming: give ``on_msg_rx_init(is_text, length_or_None)``, ``on_msg_rx_data(chunk)`` and
  ``on_msg_rx_complete()``; ``poll()`` (or ``recv()``) then delivers each message piece by piece as it
  arrives, so a message larger than the heap is received in bounded memory.  ``chunk`` is a
  memoryview that is valid only during the call.
  HTTPc's auto mode: when ``on_msg_rx_init`` returns a writable buffer, the message is copied into
  it instead of going to ``on_msg_rx_data``; ``on_msg_rx_complete()`` then finds the length in
  ``rx_length``.  A message that does not fit fails the connection with 1009 (no allocation at all
  per message: the board-friendly way to receive whole messages).
Other callbacks: ``on_ping(data)``, ``on_pong(data)``, ``on_close(code, reason)`` (called once),
``on_err(exc)`` (a protocol fault of the server, called once, before the connection closes with its
code).  Callbacks run only inside ``recv()``, ``poll()`` and ``close()``, never inside ``upgrade()``:
frames that arrived in the same read as the 101 head are kept and parsed by the first of those calls.

Sending: every frame goes out with one write (header, mask and payload in one buffer), or as pieces
written one after the other with nothing in between, so a control frame can never be torn by another
write, and PINGs can go out between the fragments of a message sent with ``send_start()`` /
``send_fragment()`` / ``send_end()`` or ``send_stream()``.  Each frame is a new buffer, unless
``tx_buffer_size`` lends one: frames with payloads up to that size are then built in it (no allocation
per message, at the price of keeping the buffer), and a larger single-frame message goes out as its
header and then its payload masked piece by piece in it (``wspieces``, loaded then): no copy of the
message whatever its size.  On CPython a message of 64 KiB or more is built in a buffer kept for the
next large one, and received into the last large one's (``rfc6455.Protocol``): a fresh multi-megabyte
buffer costs a page fault per 4 KiB on every message.
"""

from . import rfc6455 as ws
from .rt import MICROPYTHON, const, seconds
from .rtio import deadline, long_lived, remaining, ticks_diff
from .net import _spare
from .wsession import WSCore, make_protocol, payload
from .errors import ConnectionLost, TimeoutError, UsageError
from .rfc6455 import ConnectionClosed

_IDLE = const(-1)  # WebSocket._dl when no call is in progress (a tick count is never negative)


class WebSocket(WSCore):
    """An open WebSocket on a connected stream (made by ``Connection.upgrade`` or ``ws_connect``)."""

    frame_size = None  # split outgoing messages into frames of at most this many bytes (None: don't)
    _leftover = None
    _conn = None  # the client.Connection upgraded to this WebSocket (closed with it), if the caller has it
    _give_back = False  # the receive buffer is ours: given back (net._spare) when the socket closes

    def __init__(self, stream, protocol, leftover=b"", subprotocol=None, response=None, buffer_size=None,
                 close_timeout=5.0, timeout=None, on_msg=None, on_msg_rx_init=None, on_msg_rx_data=None,
                 on_msg_rx_complete=None, on_ping=None, on_pong=None, on_close=None, on_err=None,
                 frame_size=None, user_data=None, buffer=None, tx_buffer_size=0, ping_interval=None,
                 ping_timeout=20.0, **kw):
        if kw:  # (upgrade() then closes the connection: after a 101 it belongs to a WebSocket)
            raise UsageError("unknown WebSocket keyword %r" % (next(iter(kw)),))
        self._setup(protocol, subprotocol, [], response, timeout, close_timeout, user_data,
                    {"on_msg": on_msg, "on_msg_rx_init": on_msg_rx_init, "on_msg_rx_data": on_msg_rx_data,
                     "on_msg_rx_complete": on_msg_rx_complete, "on_ping": on_ping, "on_pong": on_pong,
                     "on_close": on_close, "on_err": on_err})
        self.stream = stream
        self._socket_closed = False  # (read at every step: an instance attribute is found faster)
        # The deadline of the call in progress (recv, poll, close), which bounds its writes too; _IDLE when
        # none runs, None for one without a deadline.  Set now: stored first in a call, the attribute
        # could grow the table when no heap is left, before the call can end the connection for it.
        self._dl = _IDLE
        if frame_size is not None:
            if type(frame_size) is not int or frame_size < 1:
                raise UsageError("frame_size must be a positive int or None, not %r" % (frame_size,))
            self.frame_size = frame_size
        # The receive buffer: ``buffer`` (upgrade() passes the connection's own, idle from now on, so
        # nothing extra is allocated: 2 KiB on MicroPython, 64 KiB on CPython by default) unless
        # ``buffer_size`` asks for a new one.  Bigger reads mean fewer calls into the parser.
        if buffer_size is None and buffer is None:
            buffer_size = 4096 if MICROPYTHON else 65536
        if buffer_size:
            self._buf = long_lived(buffer_size)
            self._give_back = True
        else:
            self._buf = buffer
        self._mv = memoryview(self._buf)
        if leftover:
            # Bytes that arrived with the 101 head are already frames (RFC 6455 section 4.1): the
            # first recv()/poll() parses them before reading the socket.
            self._leftover = leftover
        if tx_buffer_size:
            # Every frame is written before the next is built (see _flush), so frames with payloads up
            # to tx_buffer_size bytes can be built in one lent buffer instead of a new allocation each:
            # a long session then fragments a small heap less (at the price of the buffer itself).
            protocol.tx_buffer = bytearray(tx_buffer_size + 14)
        if ping_interval:
            from .keepalive import blocking

            blocking(self, {"ping_interval": ping_interval, "ping_timeout": ping_timeout})

    # -- sending -----------------------------------------------------------------------------------
    def send(self, message, frame_size=None):
        """Send a whole message: ``str`` as text, bytes-like as binary; in frames of at most
        ``frame_size`` bytes (default: the WebSocket's ``frame_size``; None: one frame)."""
        data = self._payload(message)
        tb = self.protocol.tx_buffer
        if not (frame_size is None and self.frame_size is None and (
                len(data) + 14 <= len(tb) if tb is not None else MICROPYTHON or len(data) < 65536)
                and self._one(ws.OP_TEXT if isinstance(message, str) else ws.OP_BINARY, data)):
            self._send(isinstance(message, str), data, frame_size)

    def _one(self, op, data):
        """send()'s common case, a message in one frame that needs no buffer of its own (see _send), in
        a few small steps: built (``Protocol.frame``) and written at once, as _send would (on MicroPython
        _send's frame, larger, came from the heap every time).  False when the protocol cannot build it so
        (a frame queued before it, a message being streamed, not open): _send then does, or says why."""
        try:
            f = self.protocol.frame(op, data)
            if f is None:
                return False
            self._write((f,), False)
        except MemoryError:
            self._drop()
            raise
        if self._socket_closed:
            raise self._send_closed()
        return True

    def send_text(self, text, frame_size=None):
        """``send()`` of a str (UsageError for anything else)."""
        if not isinstance(text, str):
            raise UsageError("send_text() takes a str, not %s" % type(text).__name__)
        self._send(True, text, frame_size)

    def send_binary(self, data, frame_size=None):
        """``send()`` as a binary message (a str goes as its UTF-8 bytes)."""
        self._send(False, data, frame_size)

    def _send(self, is_text, data, frame_size):
        p = self.protocol
        fs = self.frame_size if frame_size is None else frame_size  # (0: UsageError, as in upgrade(); it was the default)
        if fs is not None and (type(fs) is not int or fs < 1):  # (before the message is begun)
            raise UsageError("frame_size must be a positive int or None, not %r" % (fs,))
        op = ws.OP_TEXT if is_text else ws.OP_BINARY
        try:
            data = payload(data)  # (in the try: see _payload)
            n = len(data)
            if fs and n > fs:
                # Frame by frame, each written before the next is built: one frame's copy in memory at a time.
                mv = memoryview(data)
                p.send_start(is_text)
                for i in range(0, n, fs):
                    p.send_fragment(mv[i : i + fs], i + fs >= n)
                    self._flush(False)
            else:
                tb = p.tx_buffer
                if n >= 65536 and not MICROPYTHON and (tb is None or len(tb) < n + 14):
                    # CPython: a large frame is built in a buffer kept for the next one (a fresh one
                    # is zeroed page by page for every message).  MicroPython keeps none, even in a heap
                    # with room: kept buffers of the largest message, each way, raised the heap a run of
                    # 70-120 KB messages needed from 850 to 1100 KiB (they were 0.23 -> 0.31 of a raw
                    # socket's 64 KiB echo rate); tx_buffer_size= and on_msg_rx_init lend buffers there.
                    p.tx_buffer = None  # (replaced: not both in the heap at once)
                    p.tx_buffer = tb = bytearray(n + 14)
                if tb is not None and n + 14 > len(tb):
                    # Larger than the lent buffer: the header, then the payload masked piece by piece
                    # in it, each written before the next is made (no copy of the message).  Not
                    # the default: each piece is a write, and a write wakes the peer (a 64 KiB echo
                    # in 16 KiB pieces ran at 0.75 of one write on one core).
                    from .wspieces import message_pieces

                    self._flush(False)
                    self._write(message_pieces(p, op, data, tb), False)
                else:
                    p.send_message(op, data)
                    self._flush(False)
        except MemoryError:
            self._drop()
            raise
        except ConnectionClosed:  # (a poll() that saw the end told no one yet: on_close now, once, unless
            raise self._send_closed()  # messages before the end wait: see _send_closed)
        if self._socket_closed:  # the write failed (a reset): the message is lost, and the caller told
            raise self._send_closed()

    def _salvage(self):
        """A write met a reset.  What the socket still holds came before the reset (the kernel hands it
        to the reader first): all of it (at most 4,096 reads; on MicroPython as far as the messages it
        makes fit the heap: ``Protocol.holds_back``), without waiting, is parsed, so that recv() returns
        its messages and Close before ConnectionClosed, as poll's does (five messages and a Close were
        lost).  Into a buffer of its own (a callback that sent may hold a view of the receive buffer),
        copied for the protocol, which may keep views of what it is given.  No heap for that is a
        MemoryError of the call in progress, reported as any other (as aiows's; it was swallowed, and
        what came was lost without a word)."""
        st = self.stream
        self.stream = getattr(st, "s", st)  # the stream under a keepalive's: it would write its PING into the
        self.stream.settimeout(0)  # reset socket (CPython's TLS then read as if the server had closed)
        p = self.protocol
        try:
            if self._leftover:  # what came with the 101 (or a first read), not parsed yet, came before them
                data, self._leftover = bytes(self._leftover), None
                p.receive_data(data)
            mv = memoryview(bytearray(512))
            for _ in range(4096):  # (finite: nothing comes after a reset; 16 lost an 11 KB tail)
                if p._discard or p.holds_back():  # (a fault, the server's Close: nothing after it is parsed)
                    return
                n = self._recv(mv)
                if not n:
                    return
                p.receive_data(bytes(mv[:n]))
        except MemoryError:
            if p.failure is None or self._err_reported is False:  # (after a fault, the 1009 of a message that
                raise  # did not fit, the end is reported as that fault, once: see _step)
        finally:
            self.stream = st

    def _drop(self):
        """The connection ends here, without a Close frame: no heap for a frame (README, "Out of
        memory"), a write that failed or timed out (part of a frame may be on the wire).  Later calls
        raise ConnectionClosed (1006); the caller raises what it caught, if anything."""
        self._close_socket()
        if self._batch:  # (in a callback: the rest of its read is not handed out, as on poll; but see _write)
            self._batch = None
        self.protocol.receive_eof()
        self._unsent(self.protocol._out)  # (as aiows's: what no write took, the read-back's and the echo of a Close
        # held back behind messages, which receive_eof applies: a Close there was not sent)

    def send_start(self, is_text=False):
        """Start a message of unknown length; continue with send_fragment(), finish with send_end()."""
        self._tx("send_start", is_text)

    def send_fragment(self, data):
        """Send ``data`` as the next frame(s) of the message begun with send_start() (split at
        ``frame_size`` when set).  ``str`` is encoded as UTF-8."""
        mv = memoryview(self._payload(data))
        fs = self.frame_size or len(mv) or 1
        for i in range(0, len(mv) or 1, fs):  # (an empty fragment: once)
            self._tx("send_fragment", mv[i : i + fs])

    def send_end(self, data=b""):
        """Send the last frame (``data``, possibly empty) of the message begun with send_start()."""
        data = self._payload(data)
        fs = self.frame_size
        if fs and len(data) > fs:
            n = len(data) - fs
            self.send_fragment(memoryview(data)[:n])
            data = memoryview(data)[n:]
        self._tx("send_end", data)

    def send_stream(self, chunks, is_text=False):
        """Send a message of unknown length from an iterable (or a callable returning chunks until it
        returns an empty one): HTTPc's dynamic mode.  Each chunk becomes one frame (or several, at
        ``frame_size``); the last frame is an empty FIN frame, as the length is known only then.  A
        chunk that is no str or bytes-like object ends the connection (UsageError): the message
        cannot be finished."""
        try:
            from .wsstream import send_stream
        except MemoryError:  # (its module, loaded on first use: the connection ends, as for any MemoryError;
            self._drop()  # it stayed open)
            raise
        send_stream(self, chunks, is_text)

    def ping(self, data=b""):
        """Send a PING (at most 125 bytes); the PONG arrives through on_pong."""
        self._tx("send_ping", self._payload(data))

    def pong(self, data=b""):
        """Send an unsolicited PONG (a heartbeat; PINGs are answered automatically)."""
        self._tx("send_pong", self._payload(data))

    def _payload(self, data):
        """``payload(data)`` (a str's encoding, a bytes-like's check), where no heap for it is a fault as
        for the frame (README "Out of memory"): the connection ends (it stayed open)."""
        try:
            return payload(data)
        except MemoryError:
            self._drop()
            raise

    def _tx(self, name, arg):
        """The protocol's ``name`` (send_start, send_fragment, send_end, send_ping, send_pong) of ``arg``,
        then the frame written (as aiows.WebSocket._tx), as the application's sends are written (see
        _write).  The method looked up in the try, no ``*args``: no heap for them is a fault too."""
        try:
            getattr(self.protocol, name)(arg)
            self._flush(False)
        except MemoryError:
            self._drop()
            raise
        except ConnectionClosed:  # (as _send)
            raise self._send_closed()
        if self._socket_closed:
            raise self._send_closed()

    def _flush(self, bound=True):
        out = self.protocol.data_to_send()
        if out:
            self._write(out, bound)

    def _write(self, out, bound=True):
        for frame in out:
            if self._socket_closed:
                return
            try:
                # Each wait bounded by the WebSocket's timeout, not the last read's (0 after poll(0)),
                # and (``bound``) by the deadline of the call in progress (recv(), poll(), close()): a
                # server that reads nothing holds our PONGs or Close no longer than that call may last.
                # Not the application's sends (``bound`` False), from a callback too: a poll(0) gave the
                # echo of a streamed message 1 ms, and a server that paused closed the connection.
                t = self.timeout
                if bound and self._dl is not None and self._dl != _IDLE:
                    left = remaining(self._dl)
                    if t is None or left < t:
                        t = max(left, 0.001)  # (0 would make the socket non-blocking)
                ka = self._ka
                if ka is not None and (t is None or ka.patience < t):
                    t = ka.patience  # (keepalive.Keepalive: no write waits longer)
                if ka is None or len(frame) <= 16384:  # (one write: no view made per message)
                    self.stream.sendall(frame, t)
                    continue
                # In pieces of 16 KiB, each within that: a peer that takes every byte is alive however
                # long a large frame takes (the whole frame within the patience failed a 30 MB message
                # to a server reading 2 MB/s after 2 s)
                mv = memoryview(frame)
                for i in range(0, len(mv), 16384):
                    self.stream.sendall(mv[i : i + 16384], t)
            except ConnectionLost:
                self._unsent(out)
                self._salvage()
                b = self._batch
                self._drop()
                self._batch = b  # a reset: what was read before it is handed out still (see _send_closed)
                return
            except TimeoutError:
                self._unsent(out)
                self._drop()  # part of a frame may be on the wire: the stream cannot go on
                raise

    # -- receiving ---------------------------------------------------------------------------------
    def recv(self, timeout=...):
        """The next whole message (``str`` or ``bytes``).

        Waits at most ``timeout`` seconds in all (default: the WebSocket's ``timeout``; None waits
        forever) and raises TimeoutError when no message came; the connection stays open.  Raises
        ConnectionClosed once the connection is closed (``code``/``reason`` from the server).
        In streaming mode (or with ``on_msg``), messages go to the callbacks and recv() only returns on
        close/timeout.  (``timeout=-1`` is UsageError, as any negative time: the default is ``...``.)
        """
        if timeout is ...:  # (not -1, as before: recv(-1) was the default, not UsageError as recv(-2))
            timeout = self.timeout
        dl = deadline(seconds(timeout, "timeout"))  # (nan, "5": UsageError, not a bare ValueError)
        p = self.protocol
        # The steps that may still read, without waiting, once the deadline has passed: a message whose
        # bytes are all here comes whole (recv(0)), and a flood cannot hold the call.  One only when the
        # messages go to callbacks (recv() returns none; a streamed step hands over 32 pieces).
        first = 1 if self.on_msg is not None or p.streaming else 32
        if (not self._messages and self._dl == _IDLE and self._ka is None and self.on_msg is None
                and not self._leftover and not self._socket_closed and p.state == ws.OPEN and not p._in_frame
                and not p.more_input()):
            # The common case first: one read that is one small whole message (Protocol.single) is
            # returned at once; anything else read goes through the steps below, as the bytes that
            # came with the 101 do.
            n = self._single(timeout)
            if n is None:
                raise TimeoutError("no message within %s s" % timeout)
            if type(n) is not int:
                return n
            if not n:
                p.receive_eof()
            first -= 1
        while not self._messages:
            if not self._step(dl, first):
                raise TimeoutError("no message within %s s" % timeout)
            first -= 1
        return self._messages.pop(0)

    def _single(self, timeout):
        """recv()'s first read, within ``timeout``: the small whole message it is (``Protocol.single``),
        else its count (0: the end; its bytes kept for the steps after it), None when nothing came.  A
        MemoryError ends the connection, as in _step: the bytes read would be lost (the next recv()
        parsed from inside the frame, and gave a message the server never sent), and a TLS socket's
        recv() allocates before it reads (the WebSocket stayed open there, not over TCP).  (Apart: a
        ``try`` in recv() took its frame over the C stack's 11 words.)"""
        try:
            self.stream.settimeout(timeout)
            n = self._recv(self._mv)
            if not n:
                return n
            msg = self.protocol.single(self._mv, n)
            if msg is None:
                self._leftover = self._mv[:n]
                return n
            return msg
        except MemoryError:
            self._drop()
            raise

    def poll(self, timeout=0):
        """Read what is there within ``timeout`` seconds and dispatch it to the callbacks (a streamed
        message: up to 32 reads of it while it keeps coming, each piece to ``on_msg_rx_data``).
        Returns False on timeout, True when something was processed; raises ConnectionClosed at the end."""
        return self._step(deadline(seconds(timeout, "timeout")), True)

    def _step(self, dl, first):
        """``_read_once`` for a call whose deadline ``dl`` bounds its writes too (``_write``); a
        MemoryError ends the connection, a fault like a reset (README, "Out of memory")."""
        if self._dl != _IDLE:
            raise UsageError("recv() or poll() inside a callback of this WebSocket's recv() or poll()")
        self._dl = dl
        try:
            return self._read_once(dl, first)
        except MemoryError:
            # The Close of a fault already reported (the 1009 of a message that did not fit), with no
            # heap for it: the end of the connection, not a MemoryError (see WSCore._report_err).
            # (not when on_err or on_close raised it, its own: on_close is False once it raised)
            fault = self.protocol.failure is not None and self._err_reported is not False and self.on_close is not False
            if not fault and self.protocol.failure is not None:  # on_err's own, raised now: the fault was told
                self._err_reported = self.protocol.failure  # (as aiows's recv)
            self._drop()
            if not fault:
                raise
            raise self._closed()
        finally:
            self._dl = _IDLE

    def _read_once(self, dl, first):
        """One step: input the protocol held back, else the bytes that came with the 101, else one read
        (at most until ``dl``; once it has passed, it looks without waiting while ``first`` > 0); then
        act on the events.  False when nothing came by ``dl`` (no exception: a poll that finds nothing
        allocates nothing)."""
        p = self.protocol
        ev = p._events
        if p.more_input() and not (self._socket_closed and len(ev) == 1 and ev[0][0] == ws.EV_CLOSE):
            p.receive_data(b"")  # what waited behind the messages already handed over (not the end of a
            # connection already told: a poll() after on_close returned True once more, after a fault)
        elif self._leftover:
            data = self._leftover
            self._leftover = None
            self._feed(data)
        else:
            if p.eof or self._socket_closed:
                raise self._closed()
            if p.state != ws.OPEN:  # closing, and the call that began it was cut short by a callback's
                self._flush()  # exception (an on_err that raised): the handshake goes on here, within
                self._wind_down(dl)  # close_timeout (each recv() waited its whole timeout, for good with None)
                return True
            n = self._read(dl, first)
            if n is None:
                return False
            if n < 0:  # a piece of a streamed message, handed over: no event, nothing to send
                return True
        self._flush()  # auto-PONGs, the echo of a Close, our Close after a fault
        if not self._dispatch() and p.state != ws.OPEN:  # a Close it queues (auto-mode overflow) goes
            self._wind_down(dl)  # out in _wind_down
        return True

    def _read(self, dl, first):
        """One read by the deadline ``dl`` (once it has passed, it looks without waiting while ``first`` > 0), into
        the receive buffer or straight into the message (``payload_room``), fed to the protocol; the count
        (0: the connection ended; negative: a piece of a streamed message, already handed over, and
        nothing else to act on), None when nothing came.  Small functions on the per-read path keep
        their frames off the heap (see ``net.Stream.recv_some``)."""
        left = remaining(dl)
        if left is not None and left <= 0 and first <= 0:
            return None
        self.stream.settimeout(left)
        mv = self.protocol.payload_room(len(self._mv)) or self._mv
        n = self._recv(mv)
        # A piece of a streamed message that filled the buffer most likely has more behind it: read on
        # without waiting, up to 32 pieces, rather than through a poll() each (4 KiB pieces of a 1 MiB
        # message: 1.3x the rate); not after a callback that closed the WebSocket.
        first = 0  # (from here: the pieces handed over; one local less keeps the frame off the heap)
        while n:
            if not self._feed(mv if n == len(mv) else mv[:n]):  # (from the room: already in place)
                return n
            first += 1
            if n < len(mv) or first == 32 or self.protocol.state != ws.OPEN:
                return -1
            self.stream.settimeout(0)
            n = self._recv(mv)
        if n == 0:
            self.protocol.receive_eof()
            return 0
        return -1 if first else None

    def _recv(self, buf):
        try:
            if MICROPYTHON and self.stream.host and self.one_read():  # (over TLS: see WSCore.one_read)
                return self.stream._recv(buf, 256)
            return self.stream.recv_some(buf)
        except ConnectionLost:
            return 0

    def _wind_down(self, by=None):
        """The closing handshake is under way or done: wait (bounded) for the server to close TCP.
        Nothing after a Close is a message (data after our own Close is dropped by the protocol).
        ``by``: the deadline of the call in progress (recv(), poll()), when it comes before
        close_timeout: its ``timeout`` bounds the whole call (a recv(1) took the 5 s of close_timeout
        after a server's Close whose TCP close did not follow).  Dropped already (a write that met a
        reset in this step): nothing to wait for, on_close is told all the same."""
        p = self.protocol
        if self._socket_closed:
            return self._told()
        dl = deadline(self.close_timeout)
        if by is not None and (dl is None or ticks_diff(by, dl) < 0):
            dl = by
        oom = None
        # RFC 6455 section 7.1.1: the server closes TCP first; wait for its Close frame (if we sent
        # ours first) and then for EOF, each at most close_timeout (MicroPython over TLS: not for EOF
        # once both Close frames passed, see wsession).
        try:
            self._flush()
            while not p.eof:
                if MICROPYTHON and self.stream.host and p.close_rcvd and p.state == ws.CLOSED:
                    break
                if p.more_input():
                    p.receive_data(b"")
                elif self._leftover:  # what came with the 101, not parsed yet: the server's Close may be there
                    data, self._leftover = self._leftover, None
                    p.receive_data(data)
                elif not self._read(dl, False):  # None: close_timeout passed; 0: the server closed TCP
                    break
                self._flush()
                self._closing(p.events())
        except MemoryError as exc:
            if p.failure is None or self._err_reported is False:  # (a fault reported already: not a second report)
                oom = exc  # no heap to read the rest: the connection ends all the same, and the call says so
        except BaseException:  # (an on_pong that raised: the connection ends all the same, as aio's)
            self._drop()
            raise
        if p.close_rcvd is None or p.state != ws.CLOSED:
            p.receive_eof()
        self._close_socket()
        self._told()  # on_close with ``closed`` (a ``while not ws.closed: ws.poll()`` loop never got it)
        if oom is not None:
            raise oom

    def _close_socket(self):
        if not self._socket_closed:
            self._socket_closed = True
            self.stream.close()
            if self._give_back and not _spare:
                _spare.append(self._buf)  # for the next connection (client.Connection.open)
            if self._conn is not None:
                self._conn._abort()  # the Connection it was upgraded from: closed with it

    # -- closing -----------------------------------------------------------------------------------
    def close(self, code=1000, reason=""):
        """Close cleanly: send Close(code, reason), wait up to close_timeout for the server's Close and
        its TCP close, then drop the connection.  Safe to call more than once."""
        p = self.protocol
        if self._socket_closed:  # (ended before, messages held back for a recv()/poll() that now never
            p.events()  # comes: an ordinary close() drops them, and on_close is the last callback)
        try:
            self._dl = deadline(self.close_timeout)  # the Close's writes too (a server that reads nothing);
            # in the try: its float found no heap, and close() left the connection open with no on_close
            held = p.deferred is not None and not self._socket_closed
            if p.state != ws.OPEN or held:  # the arguments checked (UsageError after the end too, as poll's, and
                p.send_close(code, reason)  # before a Close held back); the server's fault or Close comes first
            if held:
                p.receive_data(b"")
                self._flush()
                self._dispatch()
            if p.state == ws.OPEN and not self._socket_closed:
                p.send_close(code, reason)
                self._flush()  # (bound by close_timeout: not _tx's write)
        except BaseException as exc:  # (no tuple of classes to match: MicroPython builds it on the heap, and
            # with none left that raised a MemoryError of its own, past this handler: the connection stayed open)
            # A timeout, the end: not written (in time), the connection was dropped (1006), which ends it all the same
            if not (isinstance(exc, TimeoutError) or isinstance(exc, ConnectionClosed)):
                self._dl = _IDLE  # (no call in progress any more: see _step)
                if isinstance(exc, MemoryError):  # no heap for the Close frame: the connection was dropped
                    if not self._socket_closed:  # (or for the deadline, before the frame)
                        self._drop()
                    self._told()
                raise
        try:
            # By the same deadline as the Close's writes: close_timeout bounds the whole call (it took
            # up to twice that when the Close waited to be written); a MemoryError: once the socket is
            # closed (README "Out of memory").
            self._wind_down(self._dl)
        except MemoryError:  # (met before its own handler: its call frame, its deadline; the socket stayed open)
            if not self._socket_closed:
                self._drop()
            raise
        finally:
            self._dl = _IDLE
            self._told()  # (on_close; the exception is not wanted here: no MemoryError to make it)

    @property
    def closed(self):
        """True once the connection is closed (closing handshake done, or dropped)."""
        return self._socket_closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close(1000 if exc[0] is None else 1011)  # (an exception: 1011, as websockets; not the own
        # close(1000) that ends a reconnect loop)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self.recv()
        except ConnectionClosed as exc:
            if exc.cause is None and exc.code != 1006:
                raise StopIteration  # a closing handshake, whatever its code
            raise  # a failure (this side's fault, a drop without a Close frame) is not the end of the messages


__all__ = ("WebSocket", "UsageError", "ConnectionClosed")


def after_101(stream, buf, leftover, sub, accepted, resp, timeout, ws_options):
    """The WebSocket of a connection whose 101 was checked (``Connection.upgrade``, ``ws_connect``):
    its Protocol, and the connection's receive buffer ``buf`` as its own unless ``buffer_size`` asks
    for another (then ``buf`` is kept for the next connection).  ``timeout``: the connection's, the
    default of the WebSocket's."""
    proto = make_protocol(**ws_options)
    for k in ("max_message", "max_frame", "streaming", "rng", "allowed_rsv", "max_events"):
        ws_options.pop(k, None)
    ws_options.setdefault("timeout", timeout)
    if "buffer_size" not in ws_options:
        ws_options["buffer"] = buf  # idle from now on: the WebSocket reads into it
    ws = WebSocket(stream, proto, leftover, sub, resp, **ws_options)
    if ws._buf is buf:
        ws._give_back = True  # given back when the WebSocket closes
    elif not _spare:
        _spare.append(buf)  # the WebSocket has one of its own size: this one is free
    ws.extensions = accepted
    return ws
