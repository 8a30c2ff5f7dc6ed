"""Sans-I/O HTTP connection session: every rule about one connection that is not I/O.

The three I/O layers (blocking ``client``, non-blocking ``poll``, ``aio``) are pumps over a Session:
``begin`` a request -> write it -> read -> ``receive_data`` -> ``next_event`` -> act, waiting at most
``wait_time()``.  What lives here, once:

- the request in flight (no pipelining: one at a time) and the Response whose body is on the wire;
- framing through ``Request.prepare`` (``start``, or the layer's own prepare and ``begin``);
- the keep-alive verdict (``reusable``): a response that says close, a 101, bytes left after a
  response (a body on a 204/304/HEAD answer, bytes beyond Content-Length or after the last chunk)
  and bytes or EOF that arrive while no request is in flight all end the connection: the client never
  pipelines, so no byte that arrived before a request was written can belong to its response;
- a 101 answer to a request that did not ask for an upgrade (ProtocolError);
- timers, with the clock injected: the response head within ``timeout`` as a whole from the request's
  last byte (``sent()``; interim 1xx responses do not restart it), each later wait within ``timeout``,
  the whole request within ``deadline`` (a redirect chain shares it: ``urls.next_hop``), a drain within
  ``drain_timeout``, a TLS handshake run inside the first writes within ``connect_timeout``;
- the drain-or-close verdict for an unread body (``drain_limit`` bytes, ``drain_timeout`` seconds);
- the idempotent-retry verdict (``may_retry``) and the redirect verdict (``urls.next_hop``, loaded
  on the first redirect);
- the upgrade head, the 101 checks and the bytes that followed it (in ``handshake``, loaded for an
  upgrade and unloaded after it when the heap is short: ``start_upgrade`` / ``finish_upgrade``, found
  through ``wsession``);
- a connection opened again after its WebSocket ended carries HTTP again (``opened``);
- which reads must be one read of the socket on MicroPython (``one_read``: a response head, a TLS body
  that ends with the connection), where readinto() would lose bytes before a reset or a close_notify;
- the checks of time and size settings (``seconds``, from ``rt``; ``count``) every layer uses.

Must not: touch sockets, ``select``, ``asyncio`` or ``time``: the clock is the ``clock`` attribute, an
object with ``ticks_ms()``, ``ticks_diff(a, b)`` and ``ticks_add(t, ms)`` (each layer's class sets
``rtio``; the tests a fake one).  Each layer's connection class is a Session plus its I/O.
"""

from . import http11
from .rt import MICROPYTHON, seconds  # noqa: F401  (session.seconds, as the layers import it)
from .errors import ConnectionLost, LimitExceeded, ProtocolError, TimeoutError, UsageError


def count(n, name, limit=0):
    """A size or count setting as given, checked: an int from ``limit`` up, below 2**48 (10**20 for a
    buffer's size was Python's OverflowError); else UsageError."""
    if type(n) is int and limit <= n < 1 << 48:
        return n
    raise UsageError("%s must be an int of at least %d (below 2**48), not %r" % (name, limit, n))


def callables(a, b, c=None, d=None):
    """Callbacks as given (two to four), checked: each None or a callable; else UsageError, at the call
    that took them (one that was not failed when it was called, inside a poll() or a read).  (No
    ``*fns``, no loop over a tuple first: one per request on a board.)"""
    if (a is None or callable(a)) and (b is None or callable(b)) and (c is None or callable(c)) \
            and (d is None or callable(d)):
        return
    for f in (a, b, c, d):
        if f is not None and not callable(f):
            raise UsageError("callbacks are callables or None, not %r" % (f,))


class Response(http11.ResponseHead):
    """One response, the same data object on every layer: ``status``, ``reason`` (as sent),
    ``version``, ``headers`` (case-insensitive, repeats kept), ``content_length``, ``trailers`` (once
    the body has ended), ``complete`` (no more will come: the body ended, or was cut off, and reading
    it then raises ConnectionLost); ``url`` where it came from, ``history`` the (status, url) of
    each redirect followed to get here, ``request`` the Request that asked for it, ``method`` its
    method; ``user_data`` is yours.  Each layer adds its way
    of reading the body.

    It is the parser's ``ResponseHead`` itself (the session makes the parser build this class): one
    object per response, and fields left at their class defaults take no room in it."""

    method = request = trailers = user_data = None
    complete = False
    _history = None  # the redirects' list, when there were any
    _conn = _target = None  # the connection (Session) it came through and the target sent
    _cut = False  # the connection was dropped before the end of the body
    _pending = None  # body bytes received but not yet handed out (bytes, or a memoryview of the rest of them;
    # None until a read took some: a whole read() hands its body out once more only then, see read())

    @property
    def history(self):
        """The (status, url) of each redirect followed to get here: a list, empty when none."""
        return self._history or []

    @property
    def url(self):
        """The URL this response came from (after redirects: the last one)."""
        o = self._conn
        if o is None:
            return None
        from .urls import make_url

        return make_url(o.scheme, o.host, o.port, self._target)

    def text(self, encoding=None):
        """The whole body (``read()``), decoded: in ``encoding``, by default the Content-Type's charset
        when the runtime has it, else UTF-8 (``textbody.codec``); what is not valid becomes U+FFFD
        (``textbody.text``)."""
        from .textbody import codec, text

        encoding = codec(encoding, self.headers)  # (first: a wrong one takes nothing of the body)
        return text(self.read(), encoding, self.headers)

    def json(self):
        """The whole body (``read()``), parsed as JSON; JSONDecodeError when it is not JSON."""
        body = self.read()  # (first: a MemoryError loading the parser leaves no body unread)
        from .jsonbody import json

        return json(body, self.headers)

    def raise_for_status(self):
        """HTTPStatusError for a 4xx or 5xx status (and one outside 100-599, which RFC 9110 section 15
        says to treat as a 5xx), else this response (so calls chain)."""
        if not 100 <= self.status < 400:
            from .extras import HTTPStatusError

            raise HTTPStatusError("expected a status from 100 to 399, got %d %s" % (self.status, self.reason),
                                  self)
        return self

    def iter_lines(self, max_line=None):
        """The body's lines (bytes without the LF or CRLF; a last line without LF too), each at most
        ``max_line`` bytes (default: the connection's ``max_line``), else LimitExceeded: a generator on
        the blocking layer, ``async for`` on asyncio, the collected ``body`` on poll."""
        from .extras import lines

        return lines(self, max_line)

    def _read_n(self, n, max_size):
        """``read(n, max_size)``'s arguments checked as every setting is (UsageError): returns ``n``, -1
        for a whole read (``n`` None or negative)."""
        if n is None:
            n = -1
        if type(n) is not int or max_size is not None and (type(max_size) is not int or max_size < 0):
            raise UsageError("read() takes n (an int or None) and max_size (None or an int from 0), not %r, %r"
                             % (n, max_size))
        return n

    def _into(self, buf):
        """``readinto``'s buffer checked before a byte is taken from the body: a bytearray or another
        writable buffer of bytes (a memoryview of one, an array('B')), else UsageError (bytes, str, a
        list); returned as it is, or as a memoryview (CPython's array takes no bytes in a slice)."""
        b = buf
        try:
            if type(b) is not bytearray and type(b) is not memoryview:
                b = memoryview(b)
            b[:0] = b""  # (a read-only memoryview: TypeError; allocates nothing)
        except (TypeError, ValueError, NotImplementedError):  # (MicroPython, an array of ints: ValueError;
            # CPython, a view of more than one dimension: NotImplementedError)
            raise UsageError("readinto() takes a bytearray, a writable memoryview or an array('B'), not %r" % (type(buf).__name__,))
        return b

    if not MICROPYTHON:  # (class body code: a board keeps none of it)
        from ._cpython import contiguous

        _into = contiguous(_into)
        del contiguous

    def _end(self, end):
        """What a read of the body returns at its end (``end``: None, 0 or b""), or ConnectionLost when
        the connection was dropped before it: a cut-off body never passes for a whole one."""
        if self._cut:
            raise ConnectionLost("the rest of this body is gone: the connection was closed (an error, "
                                 "a timeout, or a newer request that could not drain it)")
        return end

    def _take(self, c, n):
        """At most ``n`` bytes of the body piece ``c`` (b"" for None, the end); the rest is kept for the
        next read.  Every layer's ``read(n)`` and ``readinto`` hand out pieces through it."""
        if c is None:
            return b""
        if len(c) > n:
            self._pending = c  # kept whole first: a slice below that finds no heap loses nothing
            head = bytes(c[:n])  # (bytes(b) is b itself: no second copy)
            # The rest as a view, not a copy: read(n) in a loop over a body read whole (or a large piece)
            # copied all that was left at every call, quadratic in the body's size
            self._pending = memoryview(c)[n:]
            return head
        b = bytes(c)  # (first: out of memory, what is held stays held)
        if c is self._pending:  # (read(n) hands ``_pending`` here as it is: no copy of it made first)
            self._pending = b""
        return b

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.reason)


def host_header(host, port, tls):
    """The Host header value: the host (an IPv6 literal in brackets), with the port unless it is the
    scheme's default.  CR, LF or NUL in it: UsageError.  A name with non-ASCII characters goes in its
    IDNA form on CPython (RFC 5891, as requests sends it; MicroPython has no IDNA codec, and its
    resolver refuses such a name: ConnectError)."""
    if not MICROPYTHON:
        from ._cpython import host_header  # (the IDNA form: a name the package has already)

        host = host_header(host)
    http11.check_header("Host", host)
    h = "[" + host + "]" if ":" in host and not host.startswith("[") else host
    return h if port == (443 if tls else 80) else "%s:%d" % (h, port)


class Session:
    """The state and rules of one HTTP/1.1 connection, client side (see the module docstring).  Each
    layer's connection class is a Session plus its I/O: the configuration below is the same, with the
    same defaults, on every layer.

    ``host`` name or address; ``port`` (80, or 443 with ``tls``); ``persistent`` keep the connection
    between requests (False sends ``Connection: close``); ``timeout`` (s, None: none) bounds the
    response head as a whole and each later wait for data; ``deadline`` (s) bounds a whole request (a
    request's own ``deadline`` wins); ``follow_redirects`` how many redirects a request follows (0:
    none; a request's own wins); ``drain_limit`` / ``drain_timeout`` how much of an unread body, and
    for how long, is read to keep the connection; limits: ``max_line``, ``max_headers``,
    ``max_header_bytes``, ``max_chunk_line``, ``max_interim`` (1xx responses per request), ``max_body``
    (whole-body reads).  Kept for the layer: ``connect_timeout`` (resolution, TCP connect and TLS
    handshake), TLS (``ssl_context``, ``cadata``, ``verify``, ``server_hostname``), ``buffer_size``
    (None: the layer's default), ``user_data`` (yours).  ``clock`` (a class attribute): the ticks, see
    the module docstring.
    """

    response_class = Response  # a layer's subclass adds its way of reading the body
    clock = None  # the layer's ticks (rtio), or a test's fake clock
    # The defaults of __init__'s settings (an instance gets its own value only when it differs).
    connect_timeout = 10.0
    ssl_context = cadata = server_hostname = buffer_size = user_data = deadline = None
    verify = True
    limits = (2048, 40, 8192, 256, 8)  # max_line, max_headers, max_header_bytes, max_chunk_line, max_interim
    max_body = 1 << 20
    follow_redirects = 0
    drain_limit = 4096
    drain_timeout = 1.0
    tls = False
    scheme = "http"
    persistent = True
    # State set late (class defaults until then): ``_target`` the target of the request in flight (for
    # the response's url), ``_drain`` [response, pieces, bytes] while an unread body is drained.
    upgraded = False
    _target = _drain = None
    # MicroPython's TLS runs its handshake inside the first writes (every layer): True from
    # opened(tls=True) to the first request, then the tick by which the handshake must be done
    # (connect_timeout); None again once a write took bytes (sent(), or aio's write: the handshake is over).
    _t_tls = None
    websocket = None  # each layer's connection: the WebSocket it was upgraded to (one_read)

    def __init__(self, host, port=None, tls=False, persistent=True, connect_timeout=10.0, timeout=30.0,
                 ssl_context=None, cadata=None, verify=True, server_hostname=None, buffer_size=None,
                 max_line=2048, max_headers=40, max_header_bytes=8192, max_chunk_line=256, max_body=1 << 20,
                 user_data=None, follow_redirects=0, drain_limit=4096, deadline=None, drain_timeout=1.0,
                 max_interim=8, **kw):
        if kw:  # (a bare TypeError before, where requests and ws_connect said UsageError)
            raise UsageError("unknown connection keyword %r" % (next(iter(kw)),))
        if type(host) is not str or not host or "/" in host or host.count(":") == 1:  # (a name:port went to DNS)
            raise UsageError("a host name or address (a str, not a URL; a port goes in port=) is required, not %r"
                             % (host,))
        self.host = host
        if (tls is not False or persistent is not True) and not (type(tls) is bool and type(persistent) is bool):
            # (as verify: "no" turned TLS on, and kept a connection alive)
            raise UsageError("tls and persistent must be True or False, not %r and %r" % (tls, persistent))
        if tls:
            self.tls = tls
            self.scheme = "https"
        self.port = port = (443 if tls else 80) if port is None else port  # (0 is no port: refused)
        if type(port) is not int or not 0 < port < 65536:
            raise UsageError("invalid port %r: expected an int from 1 to 65535" % (port,))
        self.host_header = host_header(host, self.port, tls)
        if persistent is not True:
            self.persistent = persistent
        self.timeout = seconds(timeout, "timeout")
        # The settings usually left at their defaults stay class attributes unless given: on a board
        # running many connections each instance's attribute table is smaller.
        # (One test each, no table of pairs: a connection is made without transient allocations.)
        if connect_timeout != 10.0:
            self.connect_timeout = seconds(connect_timeout, "connect_timeout")
        if ssl_context is not None or cadata is not None:
            if ssl_context is not None and not hasattr(ssl_context, "wrap_socket") or cadata is not None \
                    and not (isinstance(cadata, (str, bytes, bytearray)) and cadata):
                # (blocking: failed at open(), later; an empty cadata took CPython's system store)
                raise UsageError("ssl_context takes an ssl.SSLContext and cadata PEM text or DER bytes, not %r and %r"
                                 % (ssl_context, cadata))
            self.ssl_context, self.cadata = ssl_context, cadata
        if verify is not True:
            if verify is not False:  # (None, 0, "": the certificate went unchecked without a word)
                raise UsageError("verify must be True or False, not %r" % (verify,))
            self.verify = False
        if server_hostname is not None:
            from .hostname import check_hostname  # (a module loaded with the first such name)

            self.server_hostname = check_hostname(server_hostname)
        if buffer_size is not None:  # (None: the layer's default; 0 is refused, as by ws_connect and Engine)
            self.buffer_size = count(buffer_size, "buffer_size", 1)
        if (max_line, max_headers, max_header_bytes, max_chunk_line, max_interim) != Session.limits:
            self.limits = (count(max_line, "max_line", 1), count(max_headers, "max_headers"),
                           count(max_header_bytes, "max_header_bytes", 1),
                           count(max_chunk_line, "max_chunk_line", 1), count(max_interim, "max_interim"))
        if max_body != 1 << 20:
            self.max_body = max_body if max_body is None else count(max_body, "max_body")
        if user_data is not None:
            self.user_data = user_data
        if follow_redirects != 0:
            self.follow_redirects = count(follow_redirects, "follow_redirects")
        if drain_limit != 4096:
            self.drain_limit = count(drain_limit, "drain_limit")
        if deadline is not None:
            self.deadline = seconds(deadline, "deadline")
            if self.connect_timeout is None or self.deadline < self.connect_timeout:
                self.connect_timeout = self.deadline  # (it bounds each request, a connect for it included)
        if drain_timeout != 1.0:
            self.drain_timeout = seconds(drain_timeout, "drain_timeout")
        self.parser = None  # None while no connection is open
        self.method = None  # the method of the request in flight until its final head arrives
        self.active = None  # the Response whose body is still on the wire
        self.upgrading = None  # (key, subprotocols, extensions, the handshake's unload) of the upgrade in flight
        self.reusable = False  # may the open connection carry the next request?
        self.rx = 0  # bytes received since the request in flight was written
        self._t_head = None  # tick by which the final response head must have arrived
        self.t_end = None  # (tick, seconds): by when the request (or the drain) must be complete (a resend
        # and a redirect hop take it: one deadline for the whole chain)

    def redirect(self, conn, resp, cur, hdrs, limit, history):
        """The redirect verdict for ``resp``, the answer to Request ``cur`` (``hdrs`` its headers) on
        ``conn`` (this connection or one it made for another origin): None to stop here, else (the
        connection to use, the next Request, its path).  ``limit`` hops at most (TooManyRedirects);
        ``history`` gets each.  The rules are in ``urls`` (loaded on the first redirect).  When ``resp``
        is the final response, ``history`` is attached to it and the Request's ``on_header`` gets each
        of its headers (its ``on_body`` the body: the layer reads it)."""
        if limit and resp.status in (301, 302, 303, 307, 308):  # urls.REDIRECT_CODES, not loaded
            from .urls import next_hop

            hop = next_hop(self, conn, resp, cur, hdrs, limit, history)
            if hop is not None:
                return hop
        if history:
            resp._history = history
        if cur.on_header is not None:
            for k, v in resp.headers.items():
                cur.on_header(k, v)
        return None

    def target(self, req):
        """The path ``req`` goes to: its target, or the path of an absolute URI of this origin."""
        path = getattr(req, "target", None)
        if type(path) is not str:  # (a Request's always is)
            raise UsageError("not a Request: %r" % (req,))
        if path.startswith("/") or "://" not in path:
            return path
        from .urls import origin_path

        return origin_path(self, path)

    # -- the connection ------------------------------------------------------------------------------
    def opened(self, tls=False):
        """A new connection is open; ``tls``: its TLS handshake is still to run, inside the first writes,
        bounded by ``connect_timeout`` from the first request on (see ``_t_tls``)."""
        if tls or self._t_tls is not None:
            self._t_tls = tls or None
        if self.upgraded:  # the last connection carried a WebSocket, which ended with it: this one is HTTP
            self.upgraded = False
            self.websocket = None
        self.parser = p = http11.ResponseParser(*self.limits)
        p.response_class = self.response_class
        self.reusable = True
        self.method = None
        self.rx = 0

    def lost(self):
        """The connection is closed (any reason): a body still on the wire is cut off, an upgrade under way
        ends (its module goes as after its 101, see ``handshake._unload``).  (And a module a
        MemoryError left half made is dropped: ``rt.load``, when the heap has the 32 bytes its import
        takes: this runs after a MemoryError, and raised one before the state was reset (the next
        request met a parser with no socket; poll's and aio's ends gave no callbacks and kept the fd).)"""
        try:
            from .rt import load  # (here: a name more in the module's table cost 128 bytes on every path)

            load()
            if self.upgrading:  # an upgrade that ended before its 101 was checked: the opening
                self.upgrading[3]()  # handshake's code leaves a short heap too (handshake._unload: it stayed,
                # and after a MemoryError mid-upgrade the next connection found no room)
        except MemoryError:  # (the next connection's end drops them)
            pass
        self.parser = None
        self.reusable = False
        self.method = None
        self.upgrading = None
        self._t_head = self.t_end = None
        if self._drain is not None and not self._drain[0].complete:
            self._drain = None  # (a drain that reached the end goes on: its pieces are for read())
        a = self.active
        self.active = None
        if a is not None and not a.complete:
            try:  # its body ends here: reading on raises instead of looking complete (no heap needed: the
                a._cut = a.complete = True  # slots were made with its head, next_event; left unmarked, a
            except MemoryError:  # read after the next request took that one's bytes)
                pass

    @property
    def idle(self):
        """No request in flight and no body on the wire."""
        return self.method is None and self.active is None

    def one_read(self):
        """How many bytes the next read may take when it must be one read of the socket (MicroPython:
        ``rtio.recv_into``, as its ``readinto()`` reads on after a read that did not fill the buffer);
        0 when it need not.  While a response head is due, 256: a reset may follow a short answer at
        once, and readinto() drops what it had read then (a 101 too: a reset right behind it and its
        frames lost them all, the upgrade failed with ConnectionLost, 1 to 7 times in 20 against a
        threaded server; recv() allocates, a short-lived block per read of the head).  Over TLS
        readinto()'s next read could take the server's close_notify, which mbedTLS reports once, and the
        end was never seen: for a 101 too (its frames and the end may follow in the same read), during a
        body that ends where the connection does, a record's worth, and on a WebSocket what it says
        (``WSCore.one_read``)."""
        if self.method is not None:
            return 256
        if not self.tls:
            return 0
        a = self.active
        if a is not None:
            return 16384 if a.content_length is None and not a.chunked else 0
        w = self.websocket
        return w.one_read() if w is not None else 0

    @property
    def ready(self):
        """The open connection can carry a new request now (nothing in flight, nothing left over)."""
        return self.reusable and self.idle and not self.parser.buffered()

    def check_usable(self):
        """UsageError once the connection was upgraded: it carries no HTTP request any more."""
        if self.upgraded:
            raise UsageError("this connection was upgraded to a WebSocket: HTTP requests are refused "
                             "(once the WebSocket is closed, open() it again, or use another connection)")

    # -- requests --------------------------------------------------------------------------------------
    def start(self, req, hdrs=None, path=None, deadline=None, head=None):
        """The request ``req`` goes out now: returns (head bytes, body) from ``Request.prepare`` (or
        ``head``, what it returned when the request was queued).  The layer opened a fresh connection
        first unless ``ready``.  ``deadline``: a resend's, the first attempt's (tick, seconds) (see
        ``begin``)."""
        head, body = head or req.prepare(self.host_header, not self.persistent, hdrs, path or self.target(req))
        if type(body) is bytearray and len(body) != req.sent_length:  # (poll's: queued, then changed by its
            # owner: the rest of it went out as the next request, or the next request as its end)
            raise UsageError("the bytearray body changed size after it was queued (%d bytes, then %d)"
                             % (req.sent_length, len(body)))
        self.begin(req.method, deadline or req.deadline, req.sent_target, req.keep_alive)
        return head, body

    def begin(self, method, deadline=None, target=None, keep_alive=True):
        """A request with ``method`` (to ``target``, for the response's ``url``) is written now: start its
        timers and expect its response.  ``deadline``: seconds from now, or the (tick, seconds) of a
        chain the request belongs to (a redirect's hops, a resend: the deadline bounds them all; a resend
        restarted it, and a request could take twice its deadline).  ``keep_alive`` False: the request
        said ``Connection: close`` (RFC 9112 section 9.6: no other request goes on this connection)."""
        if self.parser is None:
            raise UsageError("connection is not open")
        if not self.idle:
            raise UsageError("a request is already in flight on this connection")
        now = self.clock.ticks_ms()
        self.method = method
        self._target = target
        if not keep_alive:
            self.reusable = False
        self.rx = 0
        self.upgrading = None
        t = self.timeout
        self._t_head = None if t is None else self.clock.ticks_add(now, int(t * 1000))
        self.t_end = self.until(deadline)
        if self._t_tls is True and self.connect_timeout is not None:
            self._t_tls = self.clock.ticks_add(now, int(self.connect_timeout * 1000))
        self.parser.start(method)

    def until(self, deadline=None):
        """The deadline of a request that starts now: ``deadline`` (s; else the connection's) as the
        (tick, seconds) that ``begin()`` keeps, or None.  A layer takes it before it opens a connection
        for the request: the connect counts too (``remaining``).  (Names the package has already: a new
        one grew MicroPython's table of names by a step of kilobytes, see host_tests/test_memory.py.)"""
        dl = self.deadline if deadline is None else deadline  # (a redirect's: the chain's (tick, seconds))
        if dl is None or type(dl) is tuple:
            return dl
        return (self.clock.ticks_add(self.clock.ticks_ms(), int(dl * 1000)), dl)

    def remaining(self, dl):
        """The seconds a connect (TCP, TLS) for a request may take: ``connect_timeout``, or what remains
        of the request's deadline ``dl`` ((tick, seconds), None: none) when that is less."""
        t = self.connect_timeout
        if dl is not None:
            left = max(self.clock.ticks_diff(dl[0], self.clock.ticks_ms()), 1) / 1000
            if t is None or left < t:
                t = left
        return t

    def sent(self):
        """Bytes of the request went out (a layer calls this as an upload progresses): the response
        head is due within ``timeout`` of the last of them, so the upload's own time does not count
        (each wait of the upload is bounded by ``timeout`` all the same, the whole by ``deadline``).
        A write took bytes, so a TLS handshake run inside the first writes is over (``_t_tls``)."""
        if self._t_tls is not None:
            self._t_tls = None
        if self.timeout is not None and self.method is not None:
            self._t_head = self.clock.ticks_add(self.clock.ticks_ms(), int(self.timeout * 1000))

    # -- input ---------------------------------------------------------------------------------------
    def receive_data(self, data):
        """Bytes from the server.  While no request is in flight they can belong to no response: the
        connection is marked unusable and they are dropped."""
        if self.idle and self.upgrading is None:
            self.reusable = False
            return
        self.rx += len(data)
        self.parser.feed(data)

    def receive_eof(self):
        """The server closed its side."""
        if self.idle:
            self.reusable = False
            return
        self.parser.feed_eof()

    def next_event(self, into=None):
        """The next event, or None when more input is needed:
        ``(http11.RESPONSE, Response)`` once per request (the final head; complete at once when there
        is no body), ``(http11.DATA, bytes)`` (with ``into``, a writable buffer: the body bytes are
        copied there and DATA carries their count), ``(http11.END, Response)`` with trailers set."""
        p = self.parser
        if p is None:
            raise ConnectionLost("the connection is closed")
        ev = p.next_event(into)
        if ev is None:
            return None
        kind = ev[0]
        if kind == http11.RESPONSE:
            resp = ev[1]
            resp.method = self.method
            self.method = None
            self._t_head = None
            if resp.status == 101 and self.upgrading is None:
                self.reusable = False
                raise ProtocolError("101 Switching Protocols in answer to a request that asked for no "
                                    "upgrade: the connection can't carry HTTP any more")
            if resp.status != 101:
                self.upgrading = None  # a refused upgrade: an ordinary response
            resp._conn = self
            resp._target = self._target
            resp._cut = resp.complete = False  # (their slots now: lost() marks it cut with no heap left)
            self.active = resp
            if p.done:
                self._done(resp, http11.NO_HEADERS)
            return ev
        if kind == http11.END:
            resp = self.active
            self._done(resp, ev[1])
            return (kind, resp)
        return ev

    def _done(self, resp, trailers):
        resp.trailers = trailers
        resp.complete = True
        self.active = None
        # (``t_end`` stays until the next begin(): a redirect's next hop takes it, urls.next_hop; a 3xx
        # complete at its head, to a HEAD, cleared it first, and the chain went on with no deadline)
        if resp.status == 101 or not (self.persistent and resp.keep_alive) or self.parser.buffered():
            self.reusable = False

    # -- time ----------------------------------------------------------------------------------------
    def wait_time(self):
        """Seconds the layer may wait for the next read or write (None: no bound).  Raises
        TimeoutError once a bound has passed."""
        if self._t_head is None and self.t_end is None and self._t_tls is None:
            return self.timeout  # (no timer: the common case of a body or a message, no clock read)
        now = self.clock.ticks_ms()
        wait = self.timeout
        t = self._t_head
        if self._t_tls is not None:  # a TLS handshake in the first writes: connect_timeout's, not timeout's
            wait = t = None
        if t is not None:
            left = self.clock.ticks_diff(t, now)
            if left <= 0:
                raise TimeoutError("no response within %s s" % self.timeout)
            wait = left / 1000
        t = self.t_end
        if t is not None:
            left = self.clock.ticks_diff(t[0], now)
            if left <= 0:
                raise TimeoutError("the request did not complete within its %s s deadline" % t[1])
            if wait is None or left / 1000 < wait:
                wait = left / 1000
        t = self._t_tls
        if t is not None and t is not True:
            left = self.clock.ticks_diff(t, now)
            if left <= 0:
                raise self.expired()
            if wait is None or left / 1000 < wait:
                wait = left / 1000
        return wait

    def expired(self, exc=None):
        """The TimeoutError for a wait that ran out (the layer's socket timeout was ``wait_time()``):
        the deadline's or the TLS handshake's when they passed, else ``exc`` (a write's own) if given."""
        t = self.t_end
        if t is not None and self.clock.ticks_diff(t[0], self.clock.ticks_ms()) <= 0:
            return TimeoutError("the request did not complete within its %s s deadline" % t[1])
        if self._t_tls is not None:  # (no write took bytes yet)
            return TimeoutError("TLS handshake not done within connect_timeout %s s" % self.connect_timeout)
        if exc is not None:
            return exc
        if self._t_head is not None:
            return TimeoutError("no response within %s s" % self.timeout)
        return TimeoutError("no data from the server within %s s" % self.timeout)

    # -- verdicts ------------------------------------------------------------------------------------
    def drain(self, resp, piece):
        """The drain-or-close verdict for the unread body of ``resp`` before the next request: the
        layer starts with ``piece`` b"" (the time bound starts there), then reads the body piece by
        piece (None at its end) and goes on while this returns True.  The pieces are kept for a later
        ``read()`` of that response; more than ``drain_limit`` bytes, or more time than
        ``drain_timeout`` or half of what is left of the next request's deadline (``wait_time()``
        raises then: the rest is for a new connection), and the connection must close (``resp`` is
        then still incomplete)."""
        d = self._drain
        if d is None:  # the first call: bound the drain in time too
            d = self._drain = [resp, Body(None)]  # (tiny chunks share blocks: a list of 1,000 one-byte
            # pieces found no heap on MicroPython, and the connection closed)
            now = self.clock.ticks_ms()
            t = self.t_end
            if t is not None:  # (the request's deadline, as until() made it)
                t = (self.clock.ticks_add(now, self.clock.ticks_diff(t[0], now) // 2), t[1])
            if self.drain_timeout is not None:
                k = self.clock.ticks_add(now, int(self.drain_timeout * 1000))
                if t is None or self.clock.ticks_diff(k, t[0]) < 0:
                    t = (k, self.drain_timeout)
            self.t_end = t
        if piece is None:
            self._drain = None
            try:
                d[0]._pending = d[1].value()  # still there for a read() of that response
            except MemoryError:
                d[0]._cut = True  # they are gone: a read() says so
                raise
            return False
        if piece:
            d[1].add(piece)
        if d[1].size <= self.drain_limit:
            return True
        self._drain = None
        return False

    def may_retry(self, req, exc, reused):
        """RFC 9112 section 9.3.1: a server may close an idle persistent connection at any time; if it
        did so before answering anything, an idempotent request is sent again on a new connection."""
        # (RFC 9110 section 9.2.2's idempotent methods: a tuple in place, one name fewer in the heap)
        return (reused and self.rx == 0 and isinstance(exc, ConnectionLost)
                and req.method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE") and req.replayable())

class Body:
    """A whole body being collected, bounded by ``limit`` bytes (None: the heap); a declared
    ``length`` over the limit is refused before anything is read.  A layer turns a MemoryError while
    collecting into LimitExceeded, never a bare MemoryError."""

    def __init__(self, limit, length=None, tls=False):
        if limit is not None and length is not None and length > limit:
            raise LimitExceeded("body of %d bytes is over the %d-byte limit (stream it instead)"
                                % (length, limit), "max_body", limit, length)
        self.limit = limit
        self.parts = []
        self.size = 0
        self.tls = MICROPYTHON and tls

    def add(self, piece):
        """Add a piece of the body; False (nothing added) for None, the end of the body."""
        if piece is None:
            return False
        self.size += len(piece)
        if self.limit is not None and self.size > self.limit:
            self.parts = None
            raise LimitExceeded("body over the %d-byte limit (stream it instead)" % self.limit, "max_body",
                                self.limit, self.size)
        parts = self.parts
        small = len(piece) < 256  # small pieces (a body in tiny chunks) share blocks: ~50 bytes of heap each
        if small and parts and type(parts[-1]) is bytearray and len(parts[-1]) < 2048:
            parts[-1].extend(piece)
            return True
        if MICROPYTHON and (small or self.tls):  # the garbage of the reads first (over TLS each read leaves a
            import gc  # block: rtio.recv_into): the piece takes the lowest hole, next to the last, and leaves
            # the heap's large holes to the whole body (a 12 KB body in 100-byte reads found no hole for it in
            # 80 KB free, blocks and garbage spread over the heap; over TLS a 20 KB chunked body in 128K)
            gc.collect()
        if small:
            piece = bytearray(piece)
        parts.append(piece)
        return True

    def value(self):
        """The whole body collected, as bytes (the pieces are let go)."""
        parts = self.parts
        self.parts = None
        return bytes(parts[0]) if len(parts) == 1 else b"".join(parts)
