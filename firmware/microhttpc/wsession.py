"""Sans-I/O WebSocket session: what the three WebSocket classes (blocking ``websocket``, ``poll``,
``aio``) share, once.  Loaded on the first upgrade, with ``rfc6455``.

Owns: the event dispatch of ``rfc6455.Protocol`` (whole messages to ``on_msg`` or the receive queue;
HTTPc's streaming callbacks ``on_msg_rx_init`` / ``on_msg_rx_data`` / ``on_msg_rx_complete`` and its
auto mode, where ``on_msg_rx_init`` returns a buffer the message is copied into, with 1009 when it does
not fit; ``on_ping`` / ``on_pong``), reporting a fault once (``on_err``) and the close once
(``on_close``), the close timer, and the rule for input held back by the protocol (``more_input``: a
fault or Close deferred behind messages the application may still answer, or a backlog kept so that
one burst never becomes thousands of events at once).  Must not: touch sockets or clocks (the layer
passes the time in).

The end of the closing handshake (RFC 6455 section 7.1.1): each layer waits at most close_timeout for
the server's Close and then for its TCP close, except on MicroPython over TLS, where the connection
ends as soon as both Close frames passed: that port's TLS socket did not report the server's
close_notify (polled, it did not become readable, and reads gave nothing, when the close_notify had
come: in the same TCP segment as the last record, or alone), and a server that waits for ours (Python's
asyncio: aiohttp, websockets) held every close for close_timeout.
"""

from . import rfc6455 as ws
from .errors import LimitExceeded, UsageError
from .rt import MICROPYTHON

if MICROPYTHON:
    _encode = str.encode  # (MicroPython's str is always UTF-8)
else:
    from ._cpython import encode as _encode  # (a lone surrogate: UsageError)

def __getattr__(name):
    # start_upgrade / finish_upgrade: in ``handshake``, loaded for an upgrade and unloaded once its 101
    # is checked when the heap is short (a WebSocket that runs for days in a small heap does not keep
    # that code: see handshake._unload), through rt.load every time: packed into the heap's holes, and
    # under its lock (a plain import, which took a reconnect on the unix port 490 us instead of 640 in
    # a short heap, let a thread find it half loaded).
    from .rt import load

    return getattr(load("handshake"), name)


_OPTS = ("on_msg", "on_msg_rx_init", "on_msg_rx_data", "on_msg_rx_complete", "on_ping", "on_pong",
         "on_close", "on_err")


def make_protocol(max_message=65536, max_frame=None, streaming=None, rng=None, allowed_rsv=0,
                  on_msg_rx_init=None, on_msg_rx_data=None, max_events=32, **_):
    """The Protocol every layer uses after a 101.  ``streaming`` defaults to True when a streaming
    callback is given.  ``defer``: messages that arrive just before a fault or a server Close can be
    answered before the Close goes out (RFC 6455 allows either order; Autobahn's strict verdict asks
    for this one).  ``max_events``: a burst of thousands of small messages or PINGs is parsed that
    many events at a time; the rest waits in the protocol (``more_input()``) until the layer has
    handed the events over and written the answers."""
    if streaming is None:
        streaming = (on_msg_rx_data or on_msg_rx_init) is not None
    return ws.Protocol(max_message=max_message, max_frame=max_frame, streaming=streaming, rng=rng,
                       allowed_rsv=allowed_rsv, defer=True, max_events=max_events)


class WSCore:
    """The state every WebSocket class shares.  ``protocol`` the rfc6455.Protocol, ``subprotocol``
    and ``extensions`` what the server chose, ``response`` the 101 response, ``timeout`` and
    ``close_timeout`` in seconds, ``rx_length`` (auto mode) the length of the last message copied into
    the application's buffer, ``user_data`` yours; the callbacks as attributes (None: unused)."""

    _ka = None  # the keepalive.Keepalive when ping_interval= was given
    on_msg = on_msg_rx_init = on_msg_rx_data = on_msg_rx_complete = on_ping = on_pong = None
    on_close = on_err = None
    # What most WebSockets leave at their defaults or set late stays a class attribute until then: each
    # instance's attribute table is then a third the size (a board keeping many of them open, and one
    # allocation of a few hundred bytes fewer while a WebSocket is made).
    subprotocol = user_data = None
    close_timeout = 5.0
    rx_length = 0
    _rx_buf = None  # auto mode: the application's buffer (a view of one that is no bytearray) while a message is copied into it
    _rx_n = 0
    _rx_skip = False  # the message whose on_msg_rx_init raised (or gave no buffer it can take): dropped
    _err_reported = None

    def _setup(self, protocol, subprotocol, extensions, response, timeout, close_timeout, user_data, cb):
        self.protocol = protocol
        if subprotocol is not None:
            self.subprotocol = subprotocol
        self.extensions = extensions
        self.response = response
        self.timeout = timeout
        if close_timeout != 5.0:
            self.close_timeout = close_timeout
        if user_data is not None:
            self.user_data = user_data
        for name in _OPTS:  # class attributes (None) unless given
            if cb.get(name) is not None:
                setattr(self, name, cb[name])
        self._messages = []
        self._err_reported = None  # (set now: stored first while reporting a MemoryError, it could not grow the table)
        self._batch = None  # the events of a read while _handle hands them out (the rest of them: see _send_closed;
        # None: stopped, the application closed or the connection was dropped; False: on_close was told)

    # -- input ---------------------------------------------------------------------------------------
    def _feed(self, data):
        """``protocol.receive_data(data)`` for bytes from the socket; a read that is all payload of a
        streamed message goes to the application as it is (``Protocol.receive_piece``: no event).
        True when it was such a piece and it was taken: then there is no event to dispatch and nothing
        to send (a piece over the auto-mode buffer fails the connection instead: False)."""
        if self.protocol.receive_piece(data):
            return self._piece(data)
        self.protocol.receive_data(data)
        return False

    def _piece(self, a):
        """A piece of a streamed message: into the auto-mode buffer, else to ``on_msg_rx_data``.
        False when it does not fit the buffer (the connection fails with 1009)."""
        if self._rx_buf is not None:
            return self._rx_copy(a)
        if self.on_msg_rx_data is not None and not self._rx_skip:
            self.on_msg_rx_data(a)
        return True

    def _dispatch(self):
        """Hand the protocol's events to the callbacks (whole messages to ``on_msg``, else to the
        receive queue); report a fault once.  Returns True when the protocol holds more input to parse
        (call ``protocol.receive_data(b"")`` once the application had its turn)."""
        p = self.protocol
        ev = p.events()
        if ev:
            self._handle(ev)
        if p.failure is not None:
            self._report_err(p.failure)
        return p.more_input()

    def _handle(self, events):
        """_dispatch's loop, apart: its frame is large (see ``tools/mpyframes.py``) and a read that
        brought no event (a streamed piece) does not pay for it.  A callback that raises: the caller
        gets its exception, and the events after it go back to the protocol for the next call
        (a MemoryError that a callback raised sets ``_cb_raised``: the Engine tells it from the
        package's own shortage on the way)."""
        if self._batch is False:  # on_close was told (_closed): nothing is handed out after it (a close() in a
            return  # callback that met a reset had the PING/PONG read back after it go to on_ping/on_pong)
        self._batch = events  # (each one handed out becomes None: the others are the rest, see _send_closed)
        i = 0
        cb = False
        try:
            for kind, a, b in events:
                if self._batch is not events:  # the application closed in a callback (blocking: on_close
                    break  # came; poll's close() only sent its Close, and the rest came after it): nothing after it
                events[i] = None
                i += 1
                cb = False
                if kind == ws.EV_TEXT or kind == ws.EV_BINARY:
                    if self.on_msg is not None:
                        cb = True
                        self.on_msg(a)
                    else:
                        self._messages.append(a)
                elif kind == ws.EV_MSG_DATA:
                    cb = self._rx_buf is None  # (else a copy into the application's buffer)
                    if not self._piece(a):
                        break
                elif kind == ws.EV_MSG_START:
                    self._rx_buf = None
                    if self.on_msg_rx_init is not None:
                        # Until it gives a buffer that is taken: if it raises, the caller gets the
                        # exception and the rest of this message is dropped, its end too (its pieces
                        # went on to on_msg_rx_data, and on_msg_rx_complete read the buffer of the
                        # message before as this one's).
                        self._rx_skip = cb = True
                        buf = self.on_msg_rx_init(a, b)
                        cb = False
                        if buf is not None and not self._rx_start(buf, b):
                            break
                        self._rx_skip = False
                elif kind == ws.EV_MSG_END:
                    if self._rx_skip:
                        self._rx_skip = False  # (the end of a dropped message: no on_msg_rx_complete)
                        continue
                    if self._rx_buf is not None:
                        self.rx_length = self._rx_n
                        self._rx_buf = None
                    if self.on_msg_rx_complete is not None:
                        cb = True
                        self.on_msg_rx_complete()
                elif kind == ws.EV_PING:
                    if self.on_ping is not None:
                        cb = True
                        self.on_ping(a)
                elif kind == ws.EV_PONG:
                    if self._ka is not None:
                        self._ka.pong(a)  # keepalive (ping_interval=): the PONG it waits for?
                    if self.on_pong is not None:
                        cb = True
                        self.on_pong(a)
            if self._batch is events:
                self._batch = None
        except BaseException as exc:
            if self._batch is events:  # (else the application closed, or a send's timeout or shortage dropped
                self._batch = None  # the connection: the rest is dropped with it, as when the callback returns)
                rest = events[i:]
                for k in range(len(rest)):
                    e = rest[k]
                    if e[0] == ws.EV_MSG_DATA and type(e[1]) is not bytes:
                        # A streamed piece is a view of the receive buffer, which the next read overwrites:
                        # on aio (MicroPython) and poll that may be another connection's read.
                        rest[k] = (e[0], bytes(e[1]), e[2])
                self.protocol._events[:0] = rest  # (none lost: see Protocol.more_input)
            if cb and isinstance(exc, MemoryError):  # (last: the store may need heap, and a failed one
                self._cb_raised = True  # must not lose the events)  a callback's own, not the package's
                # shortage (pollws._pump; with no heap for it, the Engine takes it for the package's)
            raise

    def _rx_start(self, buf, size):
        """HTTPc's auto mode: the message is copied into ``buf``, the application's buffer (writable,
        else UsageError); False (and 1009) when ``size`` is known and does not fit."""
        try:
            mv = memoryview(buf)
            mv[:0] = b""
        except (TypeError, ValueError):  # (ValueError: an array of 2-byte items, say)
            raise UsageError("on_msg_rx_init must return a writable buffer (bytearray) or None, got %s"
                             % type(buf).__name__)
        # A bytearray itself, not a view: written where its bytes are now (MicroPython's view kept the storage
        # it had, and a buffer the application grew during its message was written through freed memory)
        self._rx_buf = buf if isinstance(buf, bytearray) else mv
        self._rx_n = 0
        if size is not None and size > len(mv):
            self._rx_overflow(size)
            return False
        return True

    def _rx_copy(self, chunk):
        """Auto mode: append ``chunk`` to the application's buffer; False (and 1009) when it is full."""
        n = self._rx_n
        k = len(chunk)
        if n + k > len(self._rx_buf):
            self._rx_overflow(n + k)
            return False
        self._rx_buf[n : n + k] = chunk
        self._rx_n = n + k
        return True

    def _rx_overflow(self, size):
        # HTTPc never checked this length (its bug 1); here the message fails with 1009 instead.
        cap = len(self._rx_buf)
        self._rx_buf = None
        self.protocol.fail(LimitExceeded("message of %d+ bytes does not fit the %d-byte receive buffer"
                                         % (size, cap), "on_msg_rx_init", cap, size))

    def _unsent(self, frames):
        """A write failed before the last of ``frames`` went out (they go in order): a Close there was
        not sent, and the close says so (``sent_code`` None, not ``ok``: it claimed a clean close).
        (A generator: the pieces of a message larger than a lent buffer, no Close among them; frames[-1]
        was a TypeError there, and the connection stayed open on a torn frame.)"""
        t = type(frames)
        if (t is list or t is tuple) and frames and frames[-1][0] & 0x0F == 8:
            self.protocol.close_sent = None

    def _closing(self, events):
        """The events read while the connection closes: a PONG goes to ``on_pong`` (the answer to a PING
        sent before close(), as poll's Engine hands it over; it was dropped); nothing after our Close
        is a message (the protocol drops those)."""
        for kind, a, _ in events:
            if kind == ws.EV_PONG and self.on_pong is not None:
                self.on_pong(a)

    # -- reporting -----------------------------------------------------------------------------------
    def _report_err(self, exc):
        if self._err_reported is not exc and self._err_reported is None:
            self._err_reported = exc
            if self.on_err is not None:
                # While it runs: a MemoryError it raises is its own, reported as any of a callback's.  Any
                # other met once a fault is set (``failure``) is the shortage of that fault's end (its
                # Close, taking it, queueing it: the heap a 1009 comes with) and ends the connection
                # with the fault, one error for one fault, on every layer (``_err_reported is not False``).
                self._err_reported = False
                self.on_err(exc)
                self._err_reported = exc

    def _closed(self):
        """Report the close once (``on_close``; first to ``on_err`` a fault of the server that came while
        closing, which no event reported) and return the ConnectionClosed that describes it.  An
        on_err that raises does not keep on_close from being told (asyncio's close() left it to the next
        close()); its exception follows."""
        p = self.protocol
        self._batch = False  # (told: nothing more is handed out, from a callback's read too, see _handle)
        try:
            self._report_err(p.failure)  # (None, or one reported already: nothing)
        finally:
            fn = self.on_close
            if callable(fn):  # (None, or False: see below)
                # Once: the callback is dropped (no flag to set: with no heap left a new attribute could
                # not be stored), and called before the exception is made (there may be no heap for it
                # either).  False while it runs, and after it raised: what it raised is its own, a
                # MemoryError too (_told, poll.Conn._end), not the package's shortage.
                self.on_close = False
                code, reason = p.close_rcvd or (1006, "")  # (as closed_error())
                fn(code, reason)
                self.on_close = None
        return p.closed_error()

    def _send_closed(self):
        """The ConnectionClosed of a send whose write found the end (the read-back after a reset took in
        messages and a Close): on_close is told by the recv() or poll() that hands those messages over
        first, to their callbacks or to recv()'s queue (README: on_close after the messages before the
        Close went there; it came before them), now when none wait (messages already in recv()'s queue
        went there: they may still be taken after on_close, as after any Close read with them).  Not
        while the application's close() waits for the server's Close (a send from a callback it runs,
        or from another task): that close() tells on_close how it ended (a send told it 1006 first, and
        the server's 1000 that came next was never told).  (A Close of ours for a fault, ``failure``,
        has no close() waiting: told now, as before.)"""
        p = self.protocol
        if p.state == ws.CLOSING and p.failure is None and not self._socket_closed:
            return p.closed_error()
        for e in p._events:  # (the end's own event does not count: a reset alone is told now)
            if e[0] != ws.EV_CLOSE:
                return p.closed_error()
        for e in self._batch or ():  # the rest of the read whose callback sent (_handle hands it out)
            if e is not None and e[0] != ws.EV_CLOSE:
                return p.closed_error()
        return self._closed()

    def _told(self):
        """``_closed()`` for a close() whose Close frame found no heap (the connection dropped): on_close
        now, not at the next call, which may never come; no second MemoryError for the exception (one
        that on_close or on_err raised is its own, raised as any exception of a callback: on_close is
        False once it raised, ``_err_reported`` once on_err did)."""
        fn, er = self.on_close, self._err_reported
        try:
            self._closed()
        except MemoryError:
            if fn and self.on_close is False or er is not False and self._err_reported is False:
                raise

    # -- state ---------------------------------------------------------------------------------------
    def one_read(self):
        """Over TLS (``Session.one_read``): 256 between frames, where a read must be one read (a server
        that ends without a Close frame may have its close_notify right behind its last frame); 0
        inside a frame, whose bulk goes on with readinto()."""
        return 0 if self.protocol._in_frame else 256

    @property
    def state(self):
        """rfc6455 OPEN / CLOSING / CLOSED."""
        return self.protocol.state

    @property
    def close_code(self):
        """The code of the server's Close frame (1006 if none came), or None while open."""
        p = self.protocol
        if p.close_rcvd:
            return p.close_rcvd[0]
        return ws.CLOSE_ABNORMAL if p.eof else None

    @property
    def close_reason(self):
        """The reason of the server's Close ("" when it gave none, or none came), or None while open
        (websockets' ``close_reason``; poll's WebSocket: None before its upgrade too)."""
        p = self.protocol
        if p is not None and p.close_rcvd:
            return p.close_rcvd[1]
        return "" if p is not None and p.eof else None


def payload(data):
    """What a message, fragment, PING or PONG carries: text as its UTF-8 bytes, a bytes-like object as
    it is; anything else (and text CPython cannot encode: a lone surrogate) raises UsageError."""
    if isinstance(data, str):
        return _encode(data)
    if isinstance(data, memoryview) and len(data) and len(bytes(data[:1])) != 1:
        return bytes(data)  # items wider than a byte (an array's): len() counts items, not bytes
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    raise UsageError("expected str or a bytes-like object, got %s" % type(data).__name__)


if not MICROPYTHON:  # (CPython: views of 'b', 'c' or '?' items too, see _cpython.payload)
    from . import _cpython

    payload = _cpython.payload(payload)
