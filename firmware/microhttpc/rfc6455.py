"""Sans-I/O WebSocket client protocol (RFC 6455): the frame codec, message assembly, UTF-8 checking
and the closing handshake (the opening handshake is in ``handshake``).

Owns every decision about what a byte from the server means and what to answer.  Must not: touch a
socket, a clock or ``select`` (the I/O layers do that; entropy is a constructor argument).

Use, websockets-style::

    p = Protocol(max_message=65536)
    p.receive_data(data)          # bytes from the socket (after the 101 response)
    for ev in p.events():         # (kind, a, b) tuples, see EV_* below
        ...
    p.send_text("hi")             # queue frames ...
    sock.sendall(p.data_to_send())  # ... and write them, one buffer per frame
    p.receive_eof()               # the server closed TCP

Every protocol fault is turned into the close code RFC 6455 section 7.4.1 asks for: 1002 for framing
and sequence errors, 1007 for bad UTF-8, 1009 for data over a limit.  The fault is kept in
``failure`` and a Close frame is queued; afterwards incoming bytes are discarded until EOF.
"""

from .rt import MICROPYTHON, const, urandom
from .errors import HTTPCError, LimitExceeded, ProtocolError, UsageError

# The kernels: on MicroPython the machine code of ``_viper`` when it loads (then ``mask`` and ``utf8``
# stay unloaded), else the versions ``mask`` and ``utf8`` choose (CPython's, or the plain loops).
_mask = None
if MICROPYTHON:
    try:
        from ._viper import mask as _mask, validate as _valid
    except Exception:  # no native emitter, or a build without -march
        pass
if _mask is None:
    from .mask import mask as _mask
    from .utf8 import validate as _valid

class ConnectionClosed(HTTPCError):
    """The WebSocket is closed.

    ``code`` and ``reason`` are what the peer sent in its Close frame (1005 when its frame had no code,
    1006 when the TCP connection ended without a Close frame).  ``sent_code`` is the code this side
    sent (None if it sent none).  ``cause`` is the error that made this side close, if any: a
    ProtocolError, or a TimeoutError (the keepalive's missing PONG, a poll WebSocket with no progress).
    """

    def __init__(self, code, reason="", sent_code=None, cause=None):
        super().__init__("WebSocket closed: code %d%s" % (code, (" " + repr(reason)) if reason else ""))
        self.code = code
        self.reason = reason
        self.sent_code = sent_code
        self.cause = cause

    if not MICROPYTHON:  # copy and pickle (a process pool's worker) make it again from its fields
        __reduce__ = lambda self: (type(self), (self.code, self.reason, self.sent_code, self.cause))  # noqa: E731

    @property
    def ok(self):
        """True for a clean closing handshake (1000 or 1001 with a Close frame both ways)."""
        return self.cause is None and self.code in (1000, 1001, 1005) and self.sent_code is not None

def _err(name, *args):
    """An error that only a fault raises (InvalidUTF8, HandshakeError, UpgradeRefused, HeaderNotAllowed):
    its class loads from ``errors2`` then, not with every WebSocket."""
    from . import errors2

    return getattr(errors2, name)(*args)


# Opcodes, RFC 6455 section 5.2 (OP_TEXT and OP_BINARY public: send_message() takes them)
_OP_CONT = const(0x0)
OP_TEXT = const(0x1)
OP_BINARY = const(0x2)
_OP_CLOSE = const(0x8)
_OP_PING = const(0x9)
_OP_PONG = const(0xA)
_HOLD = const(64)  # see holds_back

# Events: always 3-tuples (kind, a, b)
EV_TEXT = const(1)  # (EV_TEXT, str, None)          a whole text message
EV_BINARY = const(2)  # (EV_BINARY, bytes, None)    a whole binary message
EV_PING = const(3)  # (EV_PING, bytes, None)        already answered with a PONG
EV_PONG = const(4)  # (EV_PONG, bytes, None)
EV_CLOSE = const(5)  # (EV_CLOSE, code, reason)     the server's Close (or 1006 at EOF without one)
EV_MSG_START = const(6)  # (EV_MSG_START, is_text, length or None)   streaming mode only
EV_MSG_DATA = const(7)  # (EV_MSG_DATA, memoryview, None): valid until the next receive_data() call
EV_MSG_END = const(8)  # (EV_MSG_END, None, None)

# Connection states (RFC 6455 section 4 and 7)
OPEN = const(1)
CLOSING = const(2)  # we sent a Close and wait for the server's
CLOSED = const(3)  # both Close frames exchanged, or the connection failed / ended

# Close codes, RFC 6455 section 7.4.1 and the IANA registry (1012-1014); 1000-1003, 1007-1014 and
# 3000-4999 may be sent (see _valid_code).
_CLOSE_NORMAL = const(1000)
_CLOSE_NO_STATUS = const(1005)  # never on the wire: "the Close frame had no code"
CLOSE_ABNORMAL = const(1006)  # never on the wire: "no Close frame at all"
_ABNORMAL = (CLOSE_ABNORMAL, "")  # close_rcvd at EOF without a Close frame (made once: see receive_eof)
_EV_ABNORMAL = (EV_CLOSE, CLOSE_ABNORMAL, "")


def _valid_code(code):
    """May ``code`` appear in a Close frame?  (RFC 6455 section 7.4; 1012-1014 registered later.)"""
    return (1000 <= code <= 1003) or (1007 <= code <= 1014) or (3000 <= code <= 4999)


# -- the protocol object ---------------------------------------------------------------------------


def _single(data, text):
    """Protocol.single's message (a function apart: on MicroPython a method with a ``try`` took 0.7 us
    more per call, its frame from the heap); None when there is no heap for it (receive_data() then
    meets the MemoryError again and fails the connection with 1009)."""
    try:
        return str(data, "utf-8") if text else bytes(data)
    except MemoryError:
        return None


class Protocol:
    """One WebSocket connection, client side, from the end of the 101 response on.

    ``max_message``: the largest whole message accepted in message mode (1009 beyond it, checked from
    frame headers before anything is stored); ``None`` for no limit.
    ``max_frame``: the largest single frame payload (1009); ``None`` for no limit.
    ``streaming``: deliver data messages as EV_MSG_START / EV_MSG_DATA / EV_MSG_END as the bytes arrive
    (bounded memory whatever the message size; ``max_message`` still applies when set) instead of
    whole EV_TEXT / EV_BINARY events.
    ``rng``: entropy source for masks, ``rng(4) -> bytes`` (default ``os.urandom``).
    ``allowed_rsv``: the RSV bits (0x40, 0x20, 0x10 of the first header byte) that a negotiated
    extension defines (section 5.2); any other set bit is a protocol error.  Default 0: this package
    implements no extension.  A message whose first frame carries RSV bits is extension data, so it is
    not UTF-8 checked (the application that negotiated the extension decodes it).
    ``defer``: let the application answer the messages that arrived before a fault or a Close in the
    same receive_data() call before the connection closes (see ``deferred``).  Off by default: an I/O
    layer that sets it must call receive_data(b"") (or receive_eof()) once it has handled the events,
    whether or not more bytes arrive.
    ``max_events``: at most this many events (>= 1) wait in events(); receive_data() stops parsing
    there and keeps the rest of its input as a backlog (see receive_data(), more_input()), so a burst
    of small messages or PINGs cannot build an unbounded event list (32 suits a board).  None (the
    default): no bound; an I/O layer that sets it must call receive_data(b"") while more_input().

    Automatic PONGs coalesce (RFC 6455 section 5.5.3): at most ``auto_pongs`` (16) wait in
    data_to_send(); a newer PING replaces the payload of the last one in place, so the most recent PING
    is answered.  send_pong() frames are never coalesced.  Data messages that arrive after our Close
    (state CLOSING) are parsed for framing but dropped: no storage, no events; control frames are still
    handled (no PONG after our Close).
    """

    # Automatic PONGs that may wait in data_to_send() (RFC 6455 section 5.5.3 lets a newer PING take
    # over the PONG of one not answered yet).  16 bounds a PING flood to 16 frames (2 KiB at most) and
    # answers every PING of an ordinary burst (Autobahn cases 2.10/2.11 send ten at once and expect ten
    # PONGs).  A test may lower it.
    auto_pongs = 16
    max_message = 65536
    max_frame = max_events = _rng = None
    streaming = defer = False
    check_utf8 = True
    allowed_rsv = 0
    tx_buffer = None  # a bytearray an I/O layer may lend for outgoing frames (see _build); None: allocate
    # Set on the first send (the instance's table has spare slots for them): the 64 random bytes the
    # masking keys come from, and tx_buffer with a view of it.
    _pool = b""
    _pool_pos = 0
    _tx_src = _tx_mv = None
    # CPython: the buffer of the last large single-frame message, reused for the next one that fits (a
    # fresh multi-megabyte bytearray is zeroed page by page for every message; a message is handed over
    # as a copy, so its buffer is free again).  None on MicroPython: the heap gets every buffer back.
    _spare = None
    # The rest of the state, at its initial values: an instance gets its own value when it changes (a
    # connection whose messages all take the whole-frame path never sets the frame state, and the
    # close state is set at the close), so each instance's attribute table stays small (a board
    # keeping many WebSockets, and no allocation of a few hundred bytes for it when a WebSocket is
    # made).  What every read looks at is set in __init__: an instance attribute is found in ~15 ns
    # on MicroPython, a class attribute in ~90.
    failure = None  # the error that made us close, if any (a ProtocolError; keepalive: a TimeoutError)
    close_rcvd = None  # (code, reason) from the server's Close frame
    close_sent = None  # the code we sent (1005 when we sent an empty Close)
    _pong = -1  # index in _out of the newest automatic PONG not yet taken by data_to_send()
    _npong = 0  # automatic PONGs waiting in _out
    # receive side
    _pending = b""  # an incomplete frame header carried to the next receive_data()
    _in_frame = False
    _left = 0  # payload bytes of the current frame still to come
    _op = 0  # opcode of the current frame
    _fin = False
    _ctrl = None  # control frame payload being collected (<= 125 bytes)
    _msg_op = 0  # opcode of the data message in progress (0: none)
    _msg = None  # message-mode buffer
    _msg_len = 0
    _u8 = 0  # incremental UTF-8 state of the text message in progress
    _check = False  # UTF-8-check the message in progress
    # send side
    _tx_op = 0  # opcode of the streamed message being sent (0: none)
    _tx_u8 = 0  # incremental UTF-8 state of the streamed text message being sent

    def __init__(self, max_message=65536, max_frame=None, streaming=False, rng=None, check_utf8=True,
                 allowed_rsv=0, defer=False, max_events=None):
        # The settings stay class attributes when left at their defaults (a smaller attribute table
        # for each of many WebSockets on a board).
        if max_message != 65536:
            self.max_message = max_message
        if max_frame is not None:
            self.max_frame = max_frame
        if streaming:
            self.streaming = streaming
        if not check_utf8:
            self.check_utf8 = check_utf8
        if allowed_rsv & 0x70:
            self.allowed_rsv = allowed_rsv & 0x70
        if defer:
            self.defer = defer
        if max_events is not None and max_events < 1:
            raise UsageError("max_events must be at least 1 (or None), got %r" % (max_events,))
        if max_events is not None:
            self.max_events = max_events
        if rng is not None:
            self._rng = rng  # None: os.urandom, drawn 64 bytes at a time (see _build)
        self._key = bytearray(4)
        self._events = []
        self._out = []
        self.state = OPEN
        self.eof = False
        self.deferred = None  # a fault (ProtocolError) or a server Close ((code, reason)) not yet acted on
        self._backlog = None  # received bytes not parsed yet (max_events reached)
        self._discard = False  # a fault or Close: whatever arrives now is dropped

    # -- receiving ---------------------------------------------------------------------------------
    def receive_data(self, data):
        """Parse bytes received from the server; events become available from events().

        At most ``max_events`` events are built per call: then parsing stops, the rest of ``data`` is
        copied (``backlog`` is true) and parsed by the next call, receive_data(b"") once the events
        are handled (see more_input()).  New bytes passed while a backlog is held are parsed after it.
        EV_MSG_DATA views stay valid until the next receive_data() call, from a backlog too.
        """
        if self.deferred is not None:
            self._apply_deferred()
        if self._discard or self.eof:
            self._backlog = None
            return
        try:
            bl = self._backlog
            if bl is None and self._in_frame and not self._events and 0 < len(data) <= self._left:
                # The bulk of a large frame: a read that lies inside its payload, nothing held back.
                self._payload(data)
                self._left -= len(data)
                if self._left == 0:
                    self._end_frame()
                return
            if bl is not None:
                self._backlog = None
                self._parse(bl, True)
                if self._backlog is not None:
                    if data:  # the caller did not drain the backlog first: keep the order
                        self._backlog = bytes(self._backlog) + bytes(data)
                    return
            if data:
                self._parse(data, False)
        except Exception as exc:  # (no tuple of classes to match: MicroPython builds it on the heap, and with
            # none left its MemoryError went past this handler, the parser left inside a frame)
            if not (isinstance(exc, ProtocolError) or isinstance(exc, MemoryError)):
                raise
            if isinstance(exc, MemoryError):
                # max_message=None, or a heap too fragmented for the message: 1009 like any message
                # over a limit, instead of a bare MemoryError that would leave the parser inside a
                # frame.  The buffers of the message are released first so that the Close frame can
                # still be built.
                self._msg = None
                self._ctrl = None
                self._backlog = None
                if self.state != OPEN:  # closing: no message is stored, the heap itself is short (a Close
                    self._discard = True  # frame found none): the MemoryError of the call in progress, as
                    raise  # the README says of close() (it returned as if the server had closed, 1006)
                exc = LimitExceeded("message of %d+ bytes does not fit in memory" % self._msg_len, "max_message",
                                    None, self._msg_len)
            if self._defer_now():
                self.deferred = exc
                self._discard = True
            else:
                self.fail(exc)
            self._backlog = None

    def holds_back(self):
        """MicroPython: True once parsing stopped (``max_events``) with more input held back than the
        heap can make events of (a 64th of the free heap: a small message's event takes about 8 times
        its bytes, and all are made at the end, ``receive_eof``).  A read-back of what came before a
        reset stops there, the rest lost with the connection (1006): all of it, kept to be parsed,
        filled a small heap, and the end blamed a message that did not fit (32 of 4,000 small
        messages handed out in a 128K heap, then 1009).  CPython reads it all."""
        bl = self._backlog
        if bl is None or not MICROPYTHON:
            return False
        import gc

        if len(bl) * _HOLD < gc.mem_free():  # pyright: ignore[reportAttributeAccessIssue]
            return False
        gc.collect()  # (free counts no garbage: near the bound only)
        return len(bl) * _HOLD >= gc.mem_free()  # pyright: ignore[reportAttributeAccessIssue]

    def receive_piece(self, data):
        """Streaming mode's bulk path: when ``data`` lies inside the payload of the binary (or unchecked)
        data frame in progress, short of its end, with nothing held back and no event waiting, take it
        as the next piece of the message and return True: the caller hands ``data`` itself to the
        application (no event is built, nothing is allocated).  Else False: pass it to receive_data().
        Small on purpose: on MicroPython a function with more than 11 words of state (locals, stack,
        3 per ``try``) gets its frame from the heap at every call."""
        if (self.streaming and self._in_frame and not self._check and 0 < len(data) < self._left and self._op < 8
                and not self._events and self.state == OPEN and self._backlog is None and self.deferred is None):
            self._left -= len(data)
            self._msg_len += len(data)
            return True
        return False

    def payload_room(self, size=0):
        """Where the rest of the data frame in progress may be read straight to: a writable view of the
        message being assembled, when its first and only frame sized it (message mode, nothing held
        back, no event waiting) and more than ``size`` bytes of it are still to come (an I/O layer
        passes its receive buffer's size); else None.  The layer reads into it and passes the view of
        what came to receive_data() as usual, which finds the bytes in place (its copy is onto
        themselves): a large message goes from the socket into its own buffer in a few large reads."""
        m = self._msg
        if (m is None or self._left <= size or not self._in_frame or self._op >= 8 or self._events
                or self._backlog is not None or self.deferred is not None or self.state != OPEN
                or self._msg_len + self._left != len(m)):
            return None
        return memoryview(m)[self._msg_len :]

    @property
    def backlog(self):
        """True while received bytes are held unparsed (max_events was reached)."""
        return self._backlog is not None

    def more_input(self):
        """Must receive_data(b"") be called (after handling events()) without waiting for new bytes?
        True for a deferred fault or Close, for a backlog, and for events not handed over yet (a layer
        gives back those after a callback that raised)."""
        return self.deferred is not None or self._backlog is not None or len(self._events) > 0

    def _parse(self, data, own):
        """Parse ``data``; ``own``: it is a held backlog (immutable, kept by reference, not copied)."""
        n = len(data)
        pos = 0
        mv = memoryview(data)
        me = self.max_events
        if self._pending:
            if me is not None and len(self._events) >= me:
                self._backlog = mv if own else bytes(mv)
                return
            need = 14 - len(self._pending)
            tmp = self._pending + bytes(mv[:need])
            hl = self._header(tmp, 0, len(tmp))
            if hl == 0:
                self._pending = tmp
                return
            pos = hl - len(self._pending)
            self._pending = b""
            if self._left == 0:
                self._end_frame()
        while pos < n and not self._discard:
            if me is not None and len(self._events) >= me:
                self._backlog = mv[pos:] if own else bytes(mv[pos:])
                return
            if not self._in_frame:
                if not self.streaming:
                    k = self._whole_frame(mv, pos, n)
                    if k:
                        pos += k
                        continue
                hl = self._header(mv, pos, n)
                if hl == 0:
                    self._pending = bytes(mv[pos:])
                    return
                pos += hl
                if self._left == 0:
                    self._end_frame()
                continue
            take = n - pos
            if take > self._left:
                take = self._left
            self._payload(mv[pos : pos + take])
            pos += take
            self._left -= take
            if self._left == 0:
                self._end_frame()

    def _defer_now(self):
        """Defer a fault or Close when whole messages before it wait in events(): the application can
        still answer them (an echo, an acknowledgement) before the Close goes out.  Nothing after the
        fault or Close is parsed meanwhile."""
        if not self.defer or self.state != OPEN:
            return False
        for e in self._events:
            if e[0] == EV_TEXT or e[0] == EV_BINARY or e[0] == EV_MSG_END:
                return True
        return False

    def _apply_deferred(self):
        d = self.deferred
        self.deferred = None
        if isinstance(d, ProtocolError):
            self.fail(d)
        else:
            self._closed_by_server(d[0], d[1])

    def receive_eof(self):
        """The server closed the TCP connection.  A backlog still held is parsed first, without the
        ``max_events`` bound (this once the events may exceed it), so no received byte is lost."""
        if self._backlog is not None and not self._discard:
            me = self.max_events
            self.max_events = None
            try:
                self.receive_data(b"")
            except MemoryError:  # (closing, no heap: the rest is dropped, and the end below comes all the
                pass  # same; a cleanup calls this)
            finally:
                self.max_events = me
        if self.deferred is not None:
            self._apply_deferred()
        if self.eof:
            return
        self.eof = True
        self.state = CLOSED
        if self.close_rcvd is None:
            # RFC 6455 section 7.1.5: no Close frame was received -> 1006.  The end of a connection
            # after an out-of-memory fault comes here too: when even the attribute cannot be stored,
            # close_rcvd stays None, which reads as 1006 as well (closed_error, close_code).
            try:
                self.close_rcvd = _ABNORMAL
                self._events.append(_EV_ABNORMAL)
            except MemoryError:
                pass

    def events(self):
        """Take the events received so far (a list, oldest first; an empty tuple, allocated once, when
        there is none)."""
        ev = self._events
        if not ev:
            return ()
        self._events = []
        return ev

    def fail(self, exc):
        """Fail the connection (RFC 6455 section 7.1.7): queue a Close with exc.close_code and discard
        whatever else arrives.  Used for peer faults and by I/O layers for local ones (1011)."""
        if self.failure is None:
            self.failure = exc
        self.deferred = None  # a Close or fault parsed after this one: nothing after it is processed
        if self.state == OPEN:
            reason = str(exc)
            while len(reason.encode()) > 123:  # section 5.5: control payloads <= 125 bytes
                reason = reason[:-8]
            self._queue_close(exc.close_code, reason)
            self.state = CLOSING
        self._discard = True

    def _whole_frame(self, b, pos, n):
        """The common case in message mode, in one step: a complete unfragmented text or binary frame
        with a 7- or 16-bit length, no RSV bits and no mask, while no fragmented message is in progress.  It
        becomes its event straight from the received bytes (one copy, not two).  Returns the bytes
        consumed, or 0 to leave the frame to the general parser (which applies every check)."""
        b0 = b[pos]
        if (b0 != 0x81 and b0 != 0x82) or self._msg_op or n - pos < 2:
            return 0
        ln = b[pos + 1]  # > 126 also when the mask bit is set: left to _header, which rejects it
        hl = 2
        if ln == 126:  # a 16-bit length: a message up to 64 KiB that arrived whole in this read
            if n - pos < 4:
                return 0
            ln = (b[pos + 2] << 8) | b[pos + 3]
            hl = 4
        elif ln > 126:
            return 0
        end = pos + hl + ln
        if end > n or (self.max_message is not None and ln > self.max_message) or (
                self.max_frame is not None and ln > self.max_frame):
            return 0
        if self.state != OPEN:  # after our Close: dropped (see the class docstring)
            return end - pos
        data = b[pos + hl : end]
        if b0 == 0x81 and self.check_utf8 and _valid(data, 0) != 0:
            raise _err("InvalidUTF8", "invalid UTF-8 in a text message")
        try:
            msg = str(data, "utf-8") if b0 == 0x81 else bytes(data)
        except UnicodeError:  # unchecked text (check_utf8=False): hand over bytes
            msg = bytes(data)
        except MemoryError:  # the 1009 of receive_data(), with the size of the message
            raise LimitExceeded("message of %d bytes does not fit in memory" % ln, "max_message", None, ln)
        self._events.append((EV_TEXT if b0 == 0x81 else EV_BINARY, msg, None))
        return end - pos

    def single(self, b, n):
        """The message of a read ``b[:n]`` that is one single frame and nothing else: unfragmented text or
        binary, no RSV bits, unmasked, a 7- or 16-bit length, while nothing is in progress or held back,
        in message mode and within the limits.  The message is returned, not queued (no event):
        an I/O layer's fast path for the common small message, one call instead of the ten or so of the
        parse and the dispatch (on MicroPython a 16-byte echo ran at 0.76 of micropython-websocket's
        rate with them, 0.93 with this and ``frame``).  None:
        pass the bytes to receive_data(), which applies every rule (and reports what is wrong)."""
        h = 2 if n < 128 else 4  # the header's length: a 7-bit payload length (up to 125), else a 16-bit one
        if (n < 2 or n > 65539 or b[1] != (n - 2 if h == 2 else 126) or h == 4 and (b[2] << 8 | b[3]) != n - 4
                or self._in_frame or self._pending or self._msg_op or self._events or self._backlog is not None
                or self.deferred is not None or self.state != OPEN or self.streaming
                or self.max_message is not None and n - h > self.max_message
                or self.max_frame is not None and n - h > self.max_frame):
            return None
        data = b[h:n]
        if b[0] == 0x82:
            return _single(data, False)
        if b[0] == 0x81 and self.check_utf8 and _valid(data, 0) == 0:
            return _single(data, True)
        return None

    def _header(self, b, pos, n):
        """Parse a frame header at b[pos:n]; return its length, or 0 when incomplete."""
        if n - pos < 2:
            return 0
        b0 = b[pos]
        b1 = b[pos + 1]
        ln = b1 & 0x7F
        hl = 2 if ln < 126 else (4 if ln == 126 else 10)
        if b1 & 0x80:
            hl += 4
        if n - pos < hl:
            return 0
        rsv = b0 & 0x70
        if rsv & ~self.allowed_rsv:
            # Section 5.2: a nonzero RSV bit without an extension defining it fails the connection.
            raise ProtocolError("reserved bits 0x%02x set that allowed_rsv does not allow (the package applies no "
                                "extension: one negotiated is the application's, see the README)" % rsv)
        if b1 & 0x80:
            raise ProtocolError("masked frame from the server (RFC 6455 section 5.1 forbids it)")
        if ln == 126:
            ln = (b[pos + 2] << 8) | b[pos + 3]
        elif ln == 127:
            if b[pos + 2] & 0x80:
                raise ProtocolError("64-bit payload length with the most significant bit set")
            ln = int.from_bytes(bytes(b[pos + 2 : pos + 10]), "big")
        op = b0 & 0x0F
        fin = b0 & 0x80
        if op >= 8:
            if op > _OP_PONG:
                raise ProtocolError("unknown control opcode 0x%x" % op)
            if not fin:
                raise ProtocolError("fragmented control frame (opcode 0x%x)" % op)
            if ln > 125:
                raise ProtocolError("control frame payload of %d bytes (at most 125 allowed)" % ln)
            self._ctrl = bytearray()
        else:
            if op > OP_BINARY:
                raise ProtocolError("unknown data opcode 0x%x" % op)
            if op == _OP_CONT:
                if not self._msg_op:
                    raise ProtocolError("continuation frame without a message to continue")
            elif self._msg_op:
                raise ProtocolError("new data frame (opcode 0x%x) inside a fragmented message" % op)
            # Limits are checked here, from the header, before a single payload byte is stored (1009).
            # After our Close nothing is stored, so nothing is over a limit.
            if self.state != OPEN:
                pass
            elif self.max_frame is not None and ln > self.max_frame:
                raise LimitExceeded("frame of %d bytes is over the %d-byte frame limit" % (ln, self.max_frame),
                                    "max_frame", self.max_frame, ln)
            elif self.max_message is not None and self._msg_len + ln > self.max_message:
                raise LimitExceeded("message of %d+ bytes is over the %d-byte message limit"
                                    % (self._msg_len + ln, self.max_message), "max_message", self.max_message,
                                    self._msg_len + ln)
            if op != _OP_CONT:
                # The first frame of a message.
                self._msg_op = op
                self._msg_len = 0
                self._u8 = 0
                self._check = op == OP_TEXT and self.check_utf8 and not rsv
                if self.state != OPEN:  # after our Close: framing only
                    self._check = False
                elif self.streaming:
                    self._events.append((EV_MSG_START, op == OP_TEXT, ln if fin else None))
                else:
                    try:
                        # Single-frame message: size known and already checked against the limits.
                        m = self._spare
                        if m is not None and fin and len(m) >= ln:
                            self._msg = memoryview(m)[:ln]
                        elif fin and (ln <= 1 << 24 or self.max_message is not None):
                            self._msg = bytearray(ln)
                            if ln >= 65536 and not MICROPYTHON:  # (see websocket._send)
                                self._spare = self._msg
                        else:  # fragmented, or over 16 MiB claimed with no limit: it grows as it comes
                            self._msg = bytearray()
                    except Exception as exc:  # max_message=None and more than the heap holds (no tuple to match:
                        if not (isinstance(exc, MemoryError) or isinstance(exc, OverflowError)):  # see receive_data)
                            raise
                        raise LimitExceeded("message of %d bytes does not fit in memory" % ln, "max_message", None, ln)
        self._op = op
        self._fin = fin
        self._left = ln
        self._in_frame = True
        return hl

    def _payload(self, chunk):
        if self._op >= 8:
            self._ctrl.extend(chunk)
            return
        if self.state != OPEN:  # after our Close: dropped (a message in progress too)
            self._msg = None
            return
        if self._check:
            # Section 8.1: fail as soon as the bytes cannot be UTF-8, even mid-frame.
            self._u8 = _valid(chunk, self._u8)
            if self._u8 == -1:
                raise _err("InvalidUTF8", "invalid UTF-8 in a text message")
        k = len(chunk)
        if self.streaming:
            self._events.append((EV_MSG_DATA, chunk, None))
        else:
            m = self._msg
            if self._msg_len + k <= len(m):
                m[self._msg_len : self._msg_len + k] = chunk
            else:
                try:
                    m.extend(chunk)
                except MemoryError:
                    raise LimitExceeded("message of %d+ bytes does not fit in memory" % (self._msg_len + k), "max_message",
                                          None, self._msg_len + k)
        self._msg_len += k

    def _end_frame(self):
        self._in_frame = False
        op = self._op
        if op >= 8:
            payload = bytes(self._ctrl)
            self._ctrl = None
            if op == _OP_PING:
                if self.state == OPEN:  # RFC 6455 section 5.5.2: answer promptly
                    i = self._pong
                    if self._npong >= self.auto_pongs:  # section 5.5.3: the most recent PING needs its PONG
                        self._out[i] = self._build(_OP_PONG, payload, True, i == 0)
                    else:
                        self._pong = len(self._out)
                        self._npong += 1
                        self._queue_frame(_OP_PONG, payload, True)
                self._events.append((EV_PING, payload, None))
            elif op == _OP_PONG:
                self._events.append((EV_PONG, payload, None))
            else:  # Close
                if len(payload) == 1:
                    raise ProtocolError("Close frame with a 1-byte payload")
                if payload:
                    code = (payload[0] << 8) | payload[1]
                    if not _valid_code(code):
                        raise ProtocolError("invalid close code %d" % code)
                    if _valid(payload[2:], 0) != 0:
                        raise _err("InvalidUTF8", "close reason is not valid UTF-8")
                    reason = str(payload[2:], "utf-8")
                else:
                    code, reason = _CLOSE_NO_STATUS, ""
                if self._defer_now():
                    self.deferred = (code, reason)
                    self._discard = True  # nothing may follow a Close frame
                else:
                    self._closed_by_server(code, reason)
            return
        if not self._fin:
            return
        if self.state != OPEN:  # after our Close: dropped
            self._msg = None
        elif self._check and self._u8 != 0:
            raise _err("InvalidUTF8", "text message ends inside a UTF-8 sequence")
        elif self.streaming:
            self._events.append((EV_MSG_END, None, None))
        else:
            m = self._msg
            if self._msg_len != len(m):  # pragma: no cover - defensive
                m = m[: self._msg_len]
            if self._msg_op == OP_TEXT:
                try:
                    text = str(m, "utf-8")
                except UnicodeError:  # unchecked (check_utf8=False or extension data): hand over bytes
                    text = bytes(m)
                self._events.append((EV_TEXT, text, None))
            else:
                self._events.append((EV_BINARY, bytes(m), None))
            self._msg = None
        self._msg_op = 0
        self._msg_len = 0

    def _closed_by_server(self, code, reason):
        self.close_rcvd = (code, reason)
        if self.state == OPEN:
            # Echo the code (RFC 6455 section 5.5.1); an empty Close is answered with an empty one.
            self._queue_close(code if code != _CLOSE_NO_STATUS else None, "")
        self.state = CLOSED
        self._discard = True  # nothing may follow a Close frame
        self._events.append((EV_CLOSE, code, reason))

    # -- sending -----------------------------------------------------------------------------------
    def data_to_send(self):
        """Take the bytes queued for the server: a list of buffers, one per frame, in order (an empty
        tuple when there is none: the I/O layers ask after every read, and that allocates nothing)."""
        out = self._out
        if not out:
            return ()
        self._out = []
        if self._npong:
            self._pong = -1
            self._npong = 0
        return out

    def _check_open(self):
        if self.state != OPEN:
            raise self.closed_error()

    def _queue_frame(self, op, payload, fin):
        self._out.append(self._build(op, payload, fin, not self._out))

    def _build(self, op, payload, fin, lend, size=-1):
        """One masked frame.  Where it is built: with a lent ``tx_buffer`` (an I/O layer that writes
        every frame before queueing the next, like the blocking WebSocket on a board), a frame that fits
        is built in it while nothing else is queued (``lend``; or when it replaces the first queued
        frame, the only one that can be in the lent buffer): no allocation per frame, so a long session
        does not fragment a small heap.  data_to_send() then hands out a memoryview of it, valid until
        the next send.  Otherwise a new bytearray.  With ``size`` (and ``lend`` false): the header alone
        of a frame of ``size`` payload bytes, ending with its masking key (``wspieces``)."""
        n = len(payload) if size < 0 else size
        if n < 126:
            hl = 6
        elif n < 65536:
            hl = 8
        else:
            hl = 14
        tb = self.tx_buffer
        if tb is not None and lend and hl + n <= len(tb):
            if self._tx_src is not tb:
                self._tx_src = tb
                self._tx_mv = memoryview(tb)
            buf = self._tx_mv[: hl + n]
        else:
            tb = buf = bytearray(hl + n if size < 0 else hl)
        buf[0] = (0x80 if fin else 0) | op
        if n < 126:
            buf[1] = 0x80 | n
        elif n < 65536:
            buf[1] = 0x80 | 126
            buf[2] = n >> 8
            buf[3] = n & 0xFF
        else:
            buf[1] = 0x80 | 127
            buf[2:10] = n.to_bytes(8, "big")
        # A fresh mask for every frame (section 5.3): four CSPRNG bytes.  os.urandom is a system call
        # per use; a 64-byte draw serves 16 frames, each still with its own unpredictable key.
        if self._rng is not None:
            key = self._rng(4)
        else:
            i = self._pool_pos
            pool = self._pool
            if i >= len(pool):
                self._pool = pool = urandom(64)
                i = 0
            self._pool_pos = i + 4
            key = self._key  # reused: the key is copied into the frame below
            key[0] = pool[i]
            key[1] = pool[i + 1]
            key[2] = pool[i + 2]
            key[3] = pool[i + 3]
        buf[hl - 4 : hl] = key
        if n and size < 0:
            buf[hl : hl + n] = payload
            _mask(tb, hl, hl + n, key)  # the bytearray under the frame (a lent one starts with it)
        return buf

    def frame(self, op, data):
        """send_message(op, data) without a frame size, for an I/O layer that writes the frame at once:
        the frame is returned, not queued (in the lent ``tx_buffer`` when it fits: valid until the next
        frame).  None when it cannot be so (a frame is queued before it, a streamed message is being
        sent, the WebSocket is not open): send_message() then queues it or says why."""
        if self.state != OPEN or self._tx_op or self._out:
            return None
        return self._build(op, data, True, True)

    def _queue_close(self, code, reason):
        if code is None:
            payload = b""
            self.close_sent = _CLOSE_NO_STATUS
        else:
            payload = bytes(((code >> 8) & 0xFF, code & 0xFF)) + reason.encode()
            self.close_sent = code
        self._queue_frame(_OP_CLOSE, payload, True)

    def send_text(self, text, frame_size=None):
        """Queue a text message (str), split into frames of at most ``frame_size`` bytes if given."""
        self.send_message(OP_TEXT, text.encode(), frame_size)

    def send_binary(self, data, frame_size=None):
        """Queue a binary message (bytes-like)."""
        self.send_message(OP_BINARY, data, frame_size)

    def send_message(self, op, data, frame_size=None):
        """Queue a message with opcode ``op`` (OP_TEXT with UTF-8 bytes, or OP_BINARY)."""
        if frame_size is not None and (type(frame_size) is not int or frame_size < 1):  # (0 too, as upgrade())
            raise UsageError("frame_size must be a positive int or None, not %r" % (frame_size,))
        if self.state != OPEN:  # (_check_open and _queue_frame written out: the path of every message)
            raise self.closed_error()
        if self._tx_op:
            raise UsageError("a streamed message is being sent; finish it with send_end() first")
        n = len(data)
        if not frame_size or n <= frame_size:
            self._out.append(self._build(op, data, True, not self._out))
            return
        # Every frame in one buffer, queued at once (the poll and asyncio layers queue a whole message;
        # the blocking one sends frame by frame): a buffer a frame cost ~100 bytes of heap each (4,000
        # bytes at frame_size=3: MemoryError in a 128K heap).
        size = 0
        for pos in range(0, n, frame_size):
            k = min(frame_size, n - pos)
            size += k + (6 if k < 126 else 8 if k < 65536 else 14)
        out = bytearray(size)
        mv = memoryview(data)
        at = 0
        for pos in range(0, n, frame_size):
            f = self._build(op if pos == 0 else _OP_CONT, mv[pos : pos + frame_size], pos + frame_size >= n, False)
            out[at : at + len(f)] = f
            at += len(f)
        self._out.append(out)

    def send_start(self, is_text):
        """Begin a message of unknown length (HTTPc's dynamic mode); then send_fragment() and send_end()."""
        self._check_open()
        if self._tx_op:
            raise UsageError("a streamed message is already being sent")
        if is_text is not True and is_text is not False:  # ("yes" was taken as True)
            raise UsageError("is_text is True or False, not %r" % (is_text,))
        self._tx_op = OP_TEXT if is_text else OP_BINARY
        self._tx_first = True
        self._tx_u8 = 0

    def send_fragment(self, data, fin=False, frame_size=None):
        """Send ``data`` as the next frame of the streamed message (the last one when ``fin``), in frames
        of at most ``frame_size`` bytes if given (the asyncio and poll WebSockets' ``frame_size``)."""
        self._check_open()
        if not self._tx_op:
            raise UsageError("send_fragment() without send_start()")
        if self._tx_op == OP_TEXT:  # (bytes fragments of a text message: the server failed it with 1007)
            u8 = _valid(data, self._tx_u8)
            if u8 == -1 or fin and u8:
                raise UsageError("a text message's fragments must be UTF-8 (this one is not, or the message "
                                 "ends inside a character): nothing of it was sent")
            self._tx_u8 = u8
        n = len(data)
        step = frame_size if frame_size and n > frame_size else n or 1
        if step < n:
            data = memoryview(data)
        for pos in range(0, n or 1, step):  # (an empty fragment: one frame)
            self._queue_frame(self._tx_op if self._tx_first else _OP_CONT, data[pos : pos + step] if step < n
                              else data, fin and pos + step >= n)
            self._tx_first = False
        if fin:
            self._tx_op = 0

    def send_end(self, data=b"", frame_size=None):
        """Finish the streamed message (with ``data`` as its last frame, possibly empty)."""
        self.send_fragment(data, True, frame_size)

    def send_ping(self, data=b"", op=_OP_PING):
        """Queue a PING (``op``: send_pong() shares this)."""
        if len(data) > 125:
            raise UsageError("control frame payload of %d bytes: at most 125 allowed" % len(data))
        self._check_open()
        self._queue_frame(op, data, True)

    def send_pong(self, data=b""):
        """Queue an unsolicited PONG (never coalesced with the automatic ones)."""
        self.send_ping(data, _OP_PONG)

    def send_close(self, code=_CLOSE_NORMAL, reason=""):
        """Start the closing handshake.  ``code`` None sends an empty Close.  No-op once closing, and
        while a fault or Close of the server's is held back (``deferred``): the arguments checked only."""
        if code is not None and (type(code) is not int or not _valid_code(code)):
            raise UsageError("close code %r may not be sent (1000-1003, 1007-1014, 3000-4999)" % (code,))
        try:  # (CPython: a lone surrogate is a UnicodeError; MicroPython encodes it as it is: the check)
            b = reason.encode() if isinstance(reason, str) else None
            n = -1 if b is None or _valid(b, 0) else len(b)
        except UnicodeError:
            n = -1
        if n < 0:
            raise UsageError("a close reason is a str of valid Unicode, not %r" % (reason,))
        if n > 123:
            raise UsageError("close reason of %d bytes: at most 123 allowed" % n)
        if code is None and reason:
            raise UsageError("a close reason needs a close code")
        if self.state != OPEN or self.deferred is not None:  # (a fault or Close of the server's held back
            return  # behind messages comes first, answered as it asks: the layer applies it, receive_data(b""))
        self._queue_close(code, reason)
        self.state = CLOSING

    # -- results -----------------------------------------------------------------------------------
    def closed_error(self):
        """The ConnectionClosed that describes how this connection ended (or is ending); with no heap to
        make it, the fault that ended it, if any (reported already: its MemoryError came out of the call
        too, two errors for one fault)."""
        code, reason = self.close_rcvd if self.close_rcvd else (CLOSE_ABNORMAL, "")
        try:
            return ConnectionClosed(code, reason, self.close_sent, self.failure)
        except MemoryError:
            if self.failure is None:
                raise
            return self.failure

    @property
    def closed(self):
        """True once no more data messages can be exchanged."""
        return self.state == CLOSED
