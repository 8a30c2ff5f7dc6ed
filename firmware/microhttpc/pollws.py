"""The poll engine's WebSocket (``Engine.upgrade``): a pump over ``wsession.WSCore`` and
``rfc6455.Protocol``.  Loaded on the first upgrade, so HTTP-only engines never load the WebSocket code.

Send methods queue frames on the connection; the engine writes them as the socket allows.  Input goes
through ``WSCore._dispatch``; while the protocol holds input back (a fault or Close behind messages
the application may still answer, a backlog), what the callbacks queued is written first, then the
rest is parsed (``receive_data(b"")``) from the next round, and the socket is not read until then.
"""

from . import rfc6455 as ws
from .errors import ConnectionLost, HTTPCError, LimitExceeded, TimeoutError, UsageError
from .poll import Transaction, _until
from .request import Request
from .rt import MICROPYTHON
from .rtio import ticks_ms
from .session import Session, callables
from .wsession import WSCore, make_protocol, payload



def _drop(msg):
    pass


def upgrade(engine, conn, path="/", headers=None, subprotocols=None, extensions=None, **kw):
    """``Engine.upgrade``: queue the upgrade on ``conn`` and return its WebSocket at once.  The head and
    the WebSocket's protocol are made now (UsageError / HeaderNotAllowed for bad headers or offers, or
    a connection that is not persistent; a MemoryError is raised and the connection closed: ``Engine.upgrade``).
    ``on_open(ws)`` says it is ready; a refused upgrade gives ``on_err(UpgradeRefused)`` (``.response``
    has the whole response) and leaves the connection usable for HTTP.  Keywords: the callbacks (see
    ``WebSocket``), ``max_message=65536``, ``max_frame``, ``streaming`` (default: True when a streaming
    callback is given), ``rng``, ``allowed_rsv``,
    ``timeout`` (close the WebSocket with TimeoutError after that many idle seconds; None: never),
    ``close_timeout=5.0`` (bounds the closing handshake), ``user_data``, ``frame_size`` (the default of
    ``send()``'s: frames of at most that many bytes)."""
    for r in conn._queue:
        if r.websocket is not None:
            raise UsageError("an upgrade is already queued on this connection")
    # A draft of the connection's session checks and builds the head now; the session itself starts the
    # upgrade when its turn comes (Conn._next).
    d = Session(conn.host, conn.port, conn.tls, conn.persistent)
    d.clock = conn.clock
    d.opened()
    from .wsession import start_upgrade  # (from ``handshake``: see wsession.__getattr__)

    head = start_upgrade(d, path, headers, subprotocols, extensions, kw, ("on_open",))
    callables(kw.get("on_open"), None)  # (on_open=5 failed in the poll() that opened it: 1006)
    w = WebSocket(conn, kw)
    w._head, w._offer, w._target = head, d.upgrading, d._target  # (_target: the response's url)
    req = Transaction(conn, Request("GET", path), user_data=w.user_data)
    req.websocket = w
    conn._queue.append(req)  # (last: a MemoryError before it leaves nothing queued)
    engine._hot = True
    return w


class WebSocket(WSCore):
    """The WebSocket of an upgraded engine connection (returned by ``Engine.upgrade`` at once; usable
    after ``on_open``).  Send methods queue frames; ``on_tx_complete(ok)`` is called once the last
    byte was written (ok True) or when the connection ended first (False).

    Callbacks (same meanings as the blocking ``websocket.WebSocket``): ``on_open(ws)``,
    ``on_msg(msg)`` whole messages (str/bytes) unless streaming, ``on_msg_rx_init(is_text, length)``
    (return a buffer for HTTPc's auto mode), ``on_msg_rx_data(chunk)`` (a memoryview valid during the
    call), ``on_msg_rx_complete()``, ``on_ping(data)``, ``on_pong(data)``, ``on_close(code, reason)``
    once after on_open, ``on_err(exc)`` once (a failed upgrade, a protocol fault of the server, a
    timeout, a lost connection).  After ``close()``, until the server's Close: its PINGs and PONGs still
    reach ``on_ping``/``on_pong`` (no PONG is sent; data messages are dropped), and a server that sends
    no Close within ``close_timeout`` is ``on_err(TimeoutError)`` then ``on_close(1006, "")`` (the
    blocking and asyncio ``close()`` call no callback meanwhile, and end at 1006 without an error).
    """

    frame_size = None  # split outgoing messages into frames of at most this many bytes (None: don't)

    def __init__(self, conn, kw):
        self._setup(None, None, [], None, kw.get("timeout"), kw.get("close_timeout", 5.0), kw.get("user_data"), kw)
        self.on_open = kw.get("on_open")
        if kw.get("frame_size"):
            self.frame_size = kw["frame_size"]
        if self.on_msg is None:
            self.on_msg = _drop  # no recv() here: a message nobody asked for is not kept
        self._messages = None  # the receive queue of recv(), which the engine has not
        self.conn = conn
        self.subprotocol = None  # set now, not first at the 101: that grew the attribute table then (a block
        # of 368 bytes a 128K heap did not have, now and then, in the middle of the upgrade)
        # The protocol is made now, with the connection, not when the 101 comes: long-lived objects
        # made early pack together, before the transient ones of the handshake split the heap.
        self._proto = make_protocol(**kw)
        self._held = False  # the protocol holds input back until our replies are written
        self._t_closing = None  # when the closing handshake began
        self._look = None  # when a write of our message was last tried at the timer (see _expired)
        if kw.get("ping_interval"):
            from .keepalive import poll

            poll(self, kw)

    @property
    def state(self):
        """rfc6455 OPEN / CLOSING / CLOSED (0 before the upgrade completed)."""
        return self.protocol.state if self.protocol is not None else 0

    @property
    def close_code(self):
        """The code of the server's Close once it came; 1006 once the connection ended without one (None before)."""
        p = self.protocol
        return p.close_rcvd[0] if p is not None and p.close_rcvd else None

    # -- sending (queued) --------------------------------------------------------------------------
    def _tx(self, name, on_tx_complete, data, b=None):
        """The protocol's ``name`` of ``data`` (a message, fragment, PING or PONG: made its payload here;
        send_start's is_text, send_close's code) and ``b`` (a frame size, send_close's reason), then its
        frames queued.  The payload, the method and its arguments are made in the try, no ``*args``: no
        heap for them is a fault as for the frame (README "Out of memory"; the connection stayed open)."""
        callables(on_tx_complete, None)  # (on_tx_complete=5 failed in a later poll(): 1006)
        p = self.protocol
        if p is None:
            raise UsageError("the WebSocket is not open yet (wait for on_open)")
        try:
            f = getattr(p, name)
            if name == "send_message":
                f(ws.OP_TEXT if isinstance(data, str) else ws.OP_BINARY, payload(data), b)  # (b 0: UsageError)
            elif name == "send_start":
                f(data)
            elif name == "send_close":
                f(data, b)  # (a reason None: UsageError, as on the other layers)
            elif name == "send_fragment":
                f(payload(data), False, b)
            else:  # send_end (b: the frame size), send_ping, send_pong
                f(payload(data)) if b is None else f(payload(data), b)
            self._queue(on_tx_complete)  # (in the try: a frame taken from the protocol and not queued was lost,
        except ws.ConnectionClosed as e:  # our Close still queued, not written (the engine writes it in its next
            c = self.conn  # round): not claimed sent (sent_code 1000, ok, before the reset behind it was met)
            if c._out and c._out[-1][0][0] & 0x0F == 8 or p._out and p._out[-1][0] & 0x0F == 8:
                e.sent_code = None
            raise
        except MemoryError as e:  # and the message went on without it, on a connection that stayed open)
            if self.conn.closed:  # ended already (a fault told, say): the call is as it would be with heap (its
                if name == "send_close":  # MemoryError took the fault's place as the error backoff reports)
                    return
                raise p.closed_error()
            # No heap for the frame: raised to the caller (once: not to on_err, nor the connection's), and
            # the connection ends as after any fault (on_close(1006), on_close(conn, e) from the next poll()).
            self._err_reported = e
            self.conn.engine.close(self.conn, e)
            raise

    def _queue(self, on_tx_complete=None):
        """Hand the frames the protocol queued to the connection; ``on_tx_complete`` goes with the last."""
        c = self.conn
        frames = self.protocol.data_to_send()
        if c.closed:
            if on_tx_complete:
                on_tx_complete(False)
            return
        n = len(frames)
        if n and not c._out:  # a write is outstanding from now (the connection's ``timeout``): a quiet spell
            c._t_io = ticks_ms()  # before it counted, and the next poll() failed a healthy WebSocket
        for i in range(n):
            c._out.append([frames[i], on_tx_complete if i == n - 1 else None])
        if not n and on_tx_complete:
            on_tx_complete(True)
        c._update_mask()

    def send(self, message, on_tx_complete=None, frame_size=None):
        """Queue a whole message (str as text, bytes-like as binary), in frames of at most ``frame_size``
        bytes (default: the WebSocket's; None: one frame)."""
        self._tx("send_message", on_tx_complete, message, self.frame_size if frame_size is None else frame_size)

    def send_start(self, is_text=False):
        """Start a message of unknown length (HTTPc's dynamic mode)."""
        self._tx("send_start", None, is_text)

    def send_fragment(self, data, on_tx_complete=None):
        """The next frame(s) of the message begun with send_start() (str is sent as UTF-8; split at
        ``frame_size`` when set)."""
        self._tx("send_fragment", on_tx_complete, data, self.frame_size)

    def send_end(self, data=b"", on_tx_complete=None):
        """The last frame (possibly empty) of the message begun with send_start() (and those before it
        at ``frame_size``)."""
        self._tx("send_end", on_tx_complete, data, self.frame_size)

    def ping(self, data=b"", on_tx_complete=None):
        """Queue a PING (its PONG goes to ``on_pong``)."""
        self._tx("send_ping", on_tx_complete, data)

    def pong(self, data=b"", on_tx_complete=None):
        """Queue an unsolicited PONG (PINGs are answered by the WebSocket itself)."""
        self._tx("send_pong", on_tx_complete, data)

    def close(self, code=1000, reason=""):
        """Start the closing handshake; the socket closes when the server has answered and closed TCP,
        or after ``close_timeout``.  on_close follows.  A no-op once closing."""
        self._tx("send_close", None, code, reason)
        self._batch = None  # (from a callback: nothing more of its read, see WSCore._handle; not when refused)
        self._progress()

    def _closing(self, abort):
        """``Engine.close`` of its connection: True when that starts the closing handshake (OPEN, or
        CLOSING: a no-op), not with ``abort`` or once CLOSED.  With ``abort`` nothing more is handed
        out, from the round of a callback that called it too (its next messages went to on_msg)."""
        if not abort and self.state < 3:
            self.close()
            return True
        if abort:  # (not the end of input: that is the server's, a ConnectionLost; the engine ends it)
            p, self._batch = self.protocol, None
            p._discard, p.deferred, p.state = True, None, ws.CLOSED
        return False

    # -- receiving (called by the engine, inside poll()) ------------------------------------------
    def _begin(self, s):
        """Our turn on the connection: the session ``s`` expects the 101 to the head built earlier."""
        s.begin("GET", None, self._target)
        s.upgrading = self._offer
        return self._head, None

    def _refused(self, resp, exc=None):
        """Not a 101: the caller gets the whole response; the connection stays usable for HTTP.  Its
        body over max_body or cut short (``exc``; the connection ended) refuses it all the same, as on
        the other layers (it reported the LimitExceeded or ConnectionLost); ``exc`` is reported as it
        is when no refusal came."""
        if exc is not None and (resp is None or resp.status == 101 or not isinstance(exc, (LimitExceeded, ConnectionLost))):
            return self._report_err(exc)
        from .errors2 import refused

        self._report_err(refused(resp, exc))

    def _switch(self, resp):
        """The 101 to our upgrade came: check it, and the connection is a WebSocket."""
        c = self.conn
        req = c._active
        from .wsession import finish_upgrade

        self.subprotocol, self.extensions, leftover = finish_upgrade(c, resp)
        self.protocol = self._proto
        self._proto = self._head = self._offer = self._target = None  # used: not kept for the WebSocket's life
        self.response = resp
        resp.transaction = None  # the upgrade's internals: not kept for the WebSocket's life
        c._active = None
        req.done = True
        c.state = 4  # poll._WS
        c.websocket = self
        stop = None
        if self.on_open is not None:
            c.engine._busy = True  # (a nested poll() would read past the frames that came with the 101)
            try:
                self.on_open(self)
            except BaseException as exc:
                if isinstance(exc, Exception):
                    raise  # (the connection ends with it: Conn._guard)
                stop = exc  # an interrupt: the connection goes on (Conn._guard), and the frames that came with
                self._held = c.engine._hot = True  # the 101 are handed out in the next round, as the rest of a
                self.protocol.receive_data(leftover or b"")  # read whose callback was interrupted (they were lost)
            finally:
                c.engine._busy = False
        if stop is None:
            try:
                if leftover:
                    # Bytes that came in the same read as the 101 head are already frames (section 4.1).
                    self._input(leftover)
                else:
                    self._progress()
            except BaseException as exc:
                if isinstance(exc, Exception):
                    raise  # (the connection ends with it: Conn._guard; the requests queued are told there)
                stop = exc  # an interrupt from a callback of those frames: the WebSocket goes on, and the
                # requests queued fail now (they stayed queued until the connection's end)
        # Then the requests queued behind the upgrade fail (after the frames that came with the 101: a
        # poll() in their on_err read newer bytes before them).
        while c._queue:  # (the error's message loads from a catalog: not at every upgrade, at its peak of heap)
            e = UsageError("the connection became a WebSocket before this request ran")  # (first: with no heap
            c._req_fail(c._queue.pop(0), e)  # for it, the request stays queued, and its connection's end tells it)
        if stop is not None:
            raise stop

    def _input(self, data):
        """Bytes from the socket (b"" at EOF).  The input held back goes first: the engine reads no more
        while some is held, but once a write met a reset it reads all that came before the reset
        (``Conn._read``), and bytes parsed meanwhile took the server's Close before the messages ahead
        of it were handed out (a reply from on_msg raised ConnectionClosed: on_err, 7 messages lost)."""
        while self._held:
            self._pump()
        if data:
            self._feed(data)
        else:
            self.protocol.receive_eof()
        self._pump()

    def _pump(self):
        """Dispatch one round of input.  What the protocol holds back (a fault or Close behind messages
        the callbacks may answer, a backlog) is parsed in a later round, once the replies are written
        and the application's loop had its turn (``Conn._tick``): one burst never becomes thousands of
        events in one poll(), and the socket is not read meanwhile."""
        p, e = self.protocol, self.conn.engine
        if self._held:
            self._held = False
            p.receive_data(b"")
        self._queue()  # auto-PONGs, the echo of a Close, our Close after a fault
        busy, e._busy = e._busy, True  # (Engine.poll refuses a nested round meanwhile)
        try:
            self._held = self._dispatch()
        except BaseException as exc:  # a callback raised: the connection ends with it (Conn._guard), and what
            if not isinstance(exc, Exception):  # (an interrupt: the connection goes on, and the rest of the read,
                self._held = e._hot = True  # which _handle kept, comes in the next round; it waited for more input)
            elif not isinstance(exc, MemoryError) or getattr(self, "_cb_raised", 0):  # came after it is
                self._held = None  # not handed out (_last_input; the package's own MemoryError: it is,
            raise  # at the end; a callback's own: WSCore._handle sets _cb_raised, as far as the heap lets
            # it: set in __init__ instead, the attribute took a 128K TLS test's last room)
        finally:
            e._busy = busy
        self._queue()
        if self._held:
            self.conn.engine._hot = True
        self._progress()

    def _stalled(self):
        """The engine reads no more while input is held back, or while 16 frames or 8 KiB of them wait
        to be written: a PING flood's PONGs, a streamed echo's pieces (16 frames of 2 KiB each, read
        while the first were written, were the free heap of a board: MemoryError at 128K)."""
        out = self.conn._out
        n = len(out)
        if self._held or n > 16:
            return True
        size = 0
        for i in range(n):
            size += len(out[i][0])
        return size > 8192

    def _progress(self):
        """After input or output: start the close timer; drop the socket once the server closed TCP."""
        p = self.protocol
        if p.state != ws.OPEN and self._t_closing is None:
            self._t_closing = ticks_ms()
        c = self.conn
        if p.eof and not self._held or (MICROPYTHON and c.tls and p.close_rcvd and p.state == ws.CLOSED
                                        and not c._out):
            c._end(self.cause())  # nothing more can be exchanged (MicroPython over TLS: see wsession)

    # -- timers ----------------------------------------------------------------------------------------
    def _left(self):
        """Milliseconds until the close or inactivity timer fires, or None."""
        c = self.conn
        if self._t_closing is not None:
            return _until(self.close_timeout, self._t_closing)
        a = _until(c.timeout if c._out else self.timeout, c._t_io)
        if a is not None and c._out and c._out[0][0][0] & 0x0F < 8:  # (our message first in line: see _expired)
            k = _until(c.timeout / 8, c._t_io if self._look is None else self._look)
            if k < a:
                return k
        return a

    def _expired(self):
        p, c = self.protocol, self.conn
        if c._out and self._t_closing is None and c._out[0][0][0] & 0x0F < 8:
            # The kernel says a socket is writable only once a share of its send buffer has drained (a
            # third on Linux: seconds of an autotuned buffer for a peer that takes every byte, slowly): a
            # write of our message is tried each eighth of the timeout, and what it takes is the progress
            # that was not seen (no TimeoutError).  (Tried at the timeout only, the sliver of buffer that a
            # peer which stopped reading leaves free restarted it: 6 s for a timeout of 3 s.)  Not for
            # PONGs first in line: a server that floods PINGs and reads nothing has its kernel take them
            # a little at a time, for minutes (dual_hostile_ws_timeouts).
            t = c._t_io
            self._look = ticks_ms()
            c._write()
            if c._t_io != t or c.closed or _until(c.timeout, t) > 0:
                return
        if self._t_closing is None:
            e = TimeoutError("no progress on the WebSocket within %s s" % (
                self.conn.timeout if self.conn._out else self.timeout))
            e.close_code = 1011  # failed (RFC 6455 section 7.1.7): a Close, as far as the socket takes it now
            p.fail(e)
            self._report_err(e)
            self._queue()
            self.conn._write()
            if not self.conn.closed:  # (a write that met a reset ended it, each told: raised, it was told twice)
                raise e  # the engine ends the connection: on_close follows
        if p.failure is None and p.close_rcvd is None:
            raise TimeoutError("no Close from the server within %s s" % self.close_timeout)
        self.conn._end(self.cause())  # the server did not close TCP in time: we do (section 7.1.1)

    def _ended(self, cause=None):
        """The TCP connection is gone: finish the protocol, report ``cause`` (if it is not the fault
        already reported) and the close, each once."""
        p = self.protocol
        try:
            exc = self._last_input()
            cause = cause or exc
            if cause is not None and cause is not p.failure:
                self._report_err(cause)
        finally:
            self._closed()  # (after a MemoryError too, and one on_err raised: the close is told all the same)

    def _last_input(self):
        """The TCP connection is gone: what the protocol still holds is parsed, and the messages that
        came before the end are delivered, not dropped (once).  Returns the MemoryError of a heap too
        full to hand them over, or what a callback raised meanwhile (the rest is dropped), if any: the
        cause of the end, unless it has one.  (A callback's exception escaped the engine's poll() from
        here, and the connection ended with no on_err or on_close.)  What on_err raises here (a fault
        parsed now, the end's cause a MemoryError of the package's) is its own: raised, out of poll()
        after the reports (``Conn._end``; a MemoryError of its own was taken for a full heap, and lost)."""
        p = self.protocol
        if not p.eof:
            if self._held is None:  # a callback raised (see _pump): nothing more is handed out, but the
                self._closing(True)  # protocol ends too (it stayed OPEN: send() went on)
                p.receive_eof()
                return None
            er = self._err_reported
            try:
                p.receive_eof()
                self._dispatch()
            except Exception as exc:  # (MemoryError included: a heap still too full to parse what it held)
                if er is not False and self._err_reported is False:
                    raise
                return exc
            finally:  # the echo of a Close held back behind the messages, which receive_eof applied, was not
                self._unsent(p._out)  # sent (sent_code 4000 was claimed, as on the blocking layer)
        return None

    def _end_cause(self, cause):
        """How the end of the connection is reported: lost after the server's Close came (it may reset
        the connection then, before or after our Close went out; a Close held back behind messages
        counts) is a clean end, as on the other layers.  A MemoryError at a fault's end (its Close found
        no heap: ``WSCore._report_err``) ends it with that fault, as on the blocking layer: one error for
        one fault, the same to every callback (one the fault's on_err raised stays the cause)."""
        p = self.protocol
        if isinstance(cause, MemoryError) and p is not None and p.failure is not None and \
                self._err_reported is not False:
            cause = p.failure
        # What we owe the server (the echo of its Close, our Close after a fault, PONGs) goes out first,
        # as far as the socket takes it now: a server that half-closed TCP right after its frames still
        # reads (the blocking and asyncio layers write it before they see the EOF).
        c = self.conn
        try:
            while c._out:
                item = c._out[0]
                n = c._io(memoryview(item[0])[c._out_pos :], True)
                if n is None or c._out_pos + n < len(item[0]):
                    break
                c._out.pop(0)
                c._out_pos = 0
                if item[1]:
                    try:
                        item[1](True)  # (on_tx_complete: it went out)
                    except Exception as e:  # noqa: BLE001 - the cause, as when it raises on the way (it was lost),
                        if cause is None or isinstance(cause, HTTPCError) or isinstance(cause, MemoryError) and \
                                not getattr(self, "_cb_raised", 0):  # (a callback's own MemoryError stays too)
                            cause = e  # unless a callback's exception ended it, or came first here (the later
                            # replaced it: the one that ended the connection was never told)
        except Exception:  # (reset, no memory: the end goes on)
            pass
        if c._out and c._out[-1][0][0] & 0x0F == 8:  # not written: a Close there was not sent (sent_code said
            self.protocol.close_sent = None  # 1000 for it; wsession._unsent's, with no tuple to make on a full heap)
        if isinstance(cause, ConnectionLost) and p is not None:
            exc = self._last_input()
            if exc is not None:
                return exc
            if p.failure is not None:  # a fault ended it: the reset behind it is its end (one error for one
                return p.failure  # fault, as on the other layers: the WebSocket's on_err had it)
            if p.close_rcvd[0] != ws.CLOSE_ABNORMAL:  # (the server's Close came: its reset before our echo
                return None  # went out was on_err(ConnectionLost) too; the other layers: no error)
        return cause

    def cause(self):
        """Why the connection ended, for the connection's own report: the fault, a lost connection
        (no Close frame), or None for a clean close.  Meaningful once it ended (``on_close``): while it
        is open or closing it reads as a lost connection."""
        p = self.protocol
        if p.failure is not None:
            return p.failure
        if p.close_rcvd is None or p.close_rcvd[0] == ws.CLOSE_ABNORMAL:
            return ConnectionLost("the WebSocket ended without a Close frame")
        return None
