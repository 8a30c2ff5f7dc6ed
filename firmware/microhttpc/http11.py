"""Sans-I/O HTTP/1.1 client protocol (RFC 9112): request heads out, response events in.

Owns: request-line and header serialisation (with the checks that keep CR, LF and NUL out of the
wire), the incremental response parser (status line, headers, body framing by Content-Length, chunked
with extensions and trailers, or read-until-close; no body for HEAD, 1xx, 204 and 304), keep-alive
decisions and every limit on what the peer may send.  Must not: touch sockets, clocks or entropy.

Parser use, h11-style::

    p = ResponseParser()
    p.start("GET")                      # the method of the request whose response comes next
    while True:
        ev = p.next_event()
        if ev is None:                  # NEED_DATA: read more
            data = sock.recv(...)
            p.feed(data) if data else p.feed_eof()
            continue
        kind = ev[0]                    # RESPONSE (head), DATA (body bytes) or END (trailers)

Nothing is allocated from a length the peer declared: lines and header blocks are bounded while they
are still being searched for, and body bytes are only ever handed out as they arrive.
"""

from .rt import const, decode_text
from .errors import LimitExceeded, ProtocolError, UsageError, ConnectionLost

RESPONSE = const(1)  # (RESPONSE, ResponseHead)
DATA = const(2)  # (DATA, bytes)
END = const(3)  # (END, Headers of trailers)

# Parser states
_S_IDLE = const(0)
_S_HEAD = const(1)
_S_BODY_LENGTH = const(2)
_S_CHUNK_SIZE = const(3)
_S_CHUNK_DATA = const(4)
_S_CHUNK_CRLF = const(5)
_S_TRAILERS = const(6)
_S_BODY_CLOSE = const(7)
_S_DONE = const(8)


def _is_token(s):
    """True when ``s`` (str or bytes) is a non-empty RFC 9110 token (section 5.6.2: the characters
    allowed in a header name and a method).  A str is encoded once (any non-ASCII character becomes
    bytes >= 0x80); stripping every token character from both ends then leaves nothing only when each
    byte is one (a C loop: nothing allocated or interpreted per character)."""
    if not s:
        return False
    if isinstance(s, str):
        s = s.encode()
    return not s.strip(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def check_header(name, value):
    """Raise UsageError unless ``name`` is a token and ``value`` holds no CR, LF or NUL
    (the characters that would let a value start a new header or request: RFC 9110 section 5.5)."""
    if not isinstance(name, str) or not _is_token(name):
        raise UsageError("invalid header name %r: expected an RFC 9110 token" % (name,))
    if "\r" in value or "\n" in value or "\0" in value:
        raise UsageError("header %s: value must not contain CR, LF or NUL: %r" % (name, value))


def build_request_head(method, target, headers):
    """The request line and header block as one bytes object (one send).

    ``headers`` is a list of (name, value) str pairs, already checked.  ``target`` is the
    request-target (origin form ``/path?query`` or absolute form).
    """
    if not _is_token(method):
        raise UsageError("invalid method %r" % (method,))
    for ch in target:
        if ch <= " " or ch == "\x7f":
            raise UsageError("request target must not contain spaces or control characters: %r" % (target,))
    parts = [method, " ", target, " HTTP/1.1\r\n"]
    for name, value in headers:
        parts.append(name)
        parts.append(": ")
        parts.append(value)
        parts.append("\r\n")
    parts.append("\r\n")
    return "".join(parts).encode()


class Headers:
    """Response headers: order and repeats kept, names looked up case-insensitively.

    ``headers["content-type"]`` / ``headers.get(name, default)`` give the first value,
    ``headers.get_all(name)`` every value, ``headers.items()`` the (name, value) pairs as sent.
    """

    def __init__(self, items=None):
        self._items = items if items is not None else []

    def get(self, name, default=None):
        name = name.lower()
        n = len(name)
        for k, v in self._items:
            # Lower-case (allocate) only a possible match: names are ASCII tokens, lower() keeps
            # their length.
            if len(k) == n and k.lower() == name:
                return v
        return default

    def get_all(self, name):
        name = name.lower()
        n = len(name)
        out = []
        for k, v in self._items:
            if len(k) == n and k.lower() == name:
                out.append(v)
        return out

    def tokens(self, name):
        """The comma-separated tokens of every ``name`` header, lower-cased (Connection, Upgrade ...)."""
        out = []
        for v in self.get_all(name):
            for t in v.split(","):
                t = t.strip().lower()
                if t:
                    out.append(t)
        return out

    def items(self):
        return list(self._items)

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self.get(name) is not None

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        for k, _ in self._items:
            yield k


class ResponseHead:
    """Status line and headers of one response.  ``reason`` is the phrase as the server sent it."""

    def __init__(self, version, status, reason, headers):
        self.version = version  # "HTTP/1.1" or "HTTP/1.0"
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content_length = None  # int when framed by Content-Length
        self.chunked = False
        self.keep_alive = True  # may the connection carry another request after this response?


class ResponseParser:
    """Incremental parser of the responses on one connection (see the module docstring).

    Limits (constructor arguments, each with its own error):
    ``max_line`` status and header line bytes, ``max_headers`` header count, ``max_header_bytes`` the
    whole header block, ``max_chunk_line`` a chunk-size line (with extensions), ``max_interim`` the
    interim (1xx other than 101) responses before the final one.  ``max_headers`` and
    ``max_header_bytes`` apply to each block on its own: every interim head, the final head, and the
    trailers of a chunked body.
    """

    def __init__(self, max_line=2048, max_headers=40, max_header_bytes=8192, max_chunk_line=256,
                 max_interim=8):
        self.max_line = max_line
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self.max_chunk_line = max_chunk_line
        self.max_interim = max_interim
        self._interim = 0  # interim responses skipped since start()
        self._buf = bytearray()
        self._pos = 0
        self._eof = False
        self._state = _S_IDLE
        self._method = None
        self._left = 0  # body or chunk bytes still expected
        self._hdr_items = None
        self._hdr_bytes = 0
        self._status = None  # (version, status, reason) once the status line is in
        self.head = None  # the ResponseHead of the response being parsed

    # -- input -------------------------------------------------------------------------------------
    def start(self, method):
        """Expect the response to a request with ``method`` (HEAD responses have no body).

        Bytes still buffered from before (see ``buffered()``) are parsed as the start of this
        response.  The caller must check ``buffered()`` first: bytes left after the end of the
        previous response (a body on a 204, 304 or HEAD answer, more than Content-Length, anything
        after the last chunk) mean the connection is out of step with its responses and must be
        closed rather than reused.  ``start()`` does not check this itself.
        """
        if self._state not in (_S_IDLE, _S_DONE):
            raise UsageError("start(): the previous response is not parsed to its end")
        self._method = method.upper()
        self._state = _S_HEAD
        self._hdr_items = []
        self._hdr_bytes = 0
        self._interim = 0
        self._status = None
        self.head = None

    def feed(self, data):
        """Hand received bytes to the parser (copied; the caller may reuse its buffer)."""
        if self._pos >= len(self._buf):
            # Everything so far was consumed (the usual case in a body): start afresh, one copy.
            self._buf = bytearray(data)
            self._pos = 0
            return
        if self._pos:
            # Drop what was consumed (MicroPython's bytearray has no slice deletion).
            self._buf = self._buf[self._pos :]
            self._pos = 0
        self._buf.extend(data)

    def feed_eof(self):
        """The peer closed its side of the connection."""
        self._eof = True

    def buffered(self):
        """The number of received bytes held here that no event has handed out yet.  After END (or a
        RESPONSE with ``done`` True), more than 0 means the peer sent bytes beyond the response's end."""
        return len(self._buf) - self._pos

    def take_leftover(self):
        """Bytes received after the end of the current response (e.g. WebSocket frames that came in the
        same read as a 101 head).  They are removed from the parser."""
        out = bytes(memoryview(self._buf)[self._pos :])  # one copy, not two
        self._buf = bytearray()
        self._pos = 0
        return out

    @property
    def done(self):
        """True once the current response has been parsed to its end."""
        return self._state == _S_DONE

    # -- Content-Length bodies received in place ---------------------------------------------------
    def body_left(self):
        """Bytes still expected of a Content-Length body (None in any other state).  An I/O layer may
        then receive them straight into a buffer of its own: first ``readinto_body()`` for what is
        already buffered here, then ``body_received(n)`` for every ``n`` bytes it read itself."""
        return self._left if self._state == _S_BODY_LENGTH else None

    def readinto_body(self, mv):
        """Copy buffered body bytes (at most ``len(mv)`` and the body's rest) into ``mv``; the count."""
        if self._state != _S_BODY_LENGTH:
            raise UsageError("readinto_body() outside a Content-Length body")
        k = len(self._buf) - self._pos
        if k > self._left:
            k = self._left
        if k > len(mv):
            k = len(mv)
        if k:
            mv[:k] = memoryview(self._buf)[self._pos : self._pos + k]
            self._pos += k
            self._left -= k
        return k

    def body_received(self, n):
        """``n`` body bytes were received outside the parser (see body_left())."""
        if self._state != _S_BODY_LENGTH or n > self._left:
            raise UsageError("body_received(%d) with %r bytes expected" % (n, self.body_left()))
        self._left -= n

    # -- events ------------------------------------------------------------------------------------
    def next_event(self):
        """The next event, or None when more data is needed (after feed_eof: raises instead)."""
        st = self._state
        while True:
            if st == _S_HEAD:
                line = self._line(self.max_line, "status or header line")
                if line is None:
                    return None
                if self._status is None:
                    # The status line counts against max_header_bytes too (a new block starts here).
                    self._hdr_bytes = len(line) + 2
                    if self._hdr_bytes > self.max_header_bytes:
                        raise LimitExceeded("response header block larger than %d bytes" % self.max_header_bytes)
                    # RFC 9112 section 4: HTTP-version SP status-code SP [reason-phrase]
                    parts = line.split(b" ", 2)
                    ver = parts[0]
                    if len(parts) < 2 or not ver.startswith(b"HTTP/1."):
                        raise ProtocolError("malformed status line %r: expected 'HTTP/1.x NNN reason'"
                                            % (line[:80],))
                    if ver not in (b"HTTP/1.1", b"HTTP/1.0"):
                        raise ProtocolError("unsupported HTTP version %r: expected HTTP/1.0 or HTTP/1.1" % (ver,))
                    code = parts[1]
                    if len(code) != 3 or not code.isdigit():  # bytes: ASCII digits only
                        raise ProtocolError("malformed status code %r in %r" % (code, line[:80]))
                    status = int(code)
                    if 100 <= status < 200 and status != 101 and self._interim >= self.max_interim:
                        raise LimitExceeded("more than %d interim (1xx) responses" % self.max_interim)
                    self._status = (decode_text(ver), status, decode_text(parts[2]) if len(parts) > 2 else "")
                    continue
                if line:
                    self._header_line(line)
                    continue
                # The blank line: the head is complete.
                version, status, reason = self._status
                headers = Headers(self._hdr_items)
                self._hdr_items = []
                self._hdr_bytes = 0
                if 100 <= status < 200 and status != 101:
                    # Interim response (100 Continue, 103 Early Hints): skip it, the final one follows.
                    self._status = None
                    self._interim += 1
                    continue
                head = ResponseHead(version, status, reason, headers)
                self.head = head
                conn = headers.tokens("connection")
                if version == "HTTP/1.0":
                    head.keep_alive = "keep-alive" in conn
                else:
                    head.keep_alive = "close" not in conn
                te = headers.tokens("transfer-encoding")
                if not te:
                    # Content-Length as an int (None when absent); invalid or conflicting values fail.
                    cl = headers.get_all("content-length")
                    for v in cl:
                        for t in v.split(","):
                            t = t.strip()
                            # ASCII digits only: CPython's str.isdigit() also takes "\u00b2" (then
                            # int() fails) and "\u0665" (int() reads 5); bytes.isdigit() is ASCII-only.
                            if len(t) > 18 or not t.encode().isdigit():
                                raise ProtocolError("invalid Content-Length %r" % (v,))
                            n = int(t)
                            if head.content_length is not None and n != head.content_length:
                                raise ProtocolError("conflicting Content-Length values %r" % (cl,))
                            head.content_length = n
                elif version == "HTTP/1.0" or "content-length" in headers:
                    # RFC 9112 section 6.1: Transfer-Encoding wins over Content-Length, but such a message
                    # (or Transfer-Encoding in HTTP/1.0) may be an attempt at response splitting: the
                    # connection is closed after it rather than trusted for the next response.
                    head.keep_alive = False
                if self._method == "HEAD" or status in (101, 204, 304):
                    self._state = _S_DONE
                    if status == 101:
                        head.keep_alive = False  # the connection now speaks another protocol
                elif te:
                    if te[-1] == "chunked":
                        head.chunked = True
                        self._state = _S_CHUNK_SIZE
                    else:
                        # RFC 9112 section 6.3 item 4: a final coding other than chunked: until close.
                        head.keep_alive = False
                        self._state = _S_BODY_CLOSE
                elif head.content_length is not None:
                    self._left = head.content_length
                    self._state = _S_BODY_LENGTH
                else:
                    head.keep_alive = False  # RFC 9112 section 6.3 item 8: the body ends at close
                    self._state = _S_BODY_CLOSE
                if self._state == _S_DONE:
                    self._method = None
                return (RESPONSE, head)
            if st == _S_BODY_LENGTH or st == _S_CHUNK_DATA:
                if self._left == 0:
                    if st == _S_BODY_LENGTH:
                        self._state = _S_DONE
                        self._method = None
                        return (END, Headers())
                    self._state = st = _S_CHUNK_CRLF
                    continue
                avail = len(self._buf) - self._pos
                if avail == 0:
                    if self._eof:
                        raise ConnectionLost("connection closed with %d body bytes still expected" % self._left)
                    return None
                take = avail if avail < self._left else self._left
                out = self._take(take)
                self._left -= take
                return (DATA, out)
            if st == _S_CHUNK_SIZE:
                line = self._line(self.max_chunk_line, "chunk-size line")
                if line is None:
                    return None
                i = line.find(b";")  # chunk extensions (RFC 9112 section 7.1.1) are allowed and ignored
                size = (line if i < 0 else line[:i]).strip()
                # ASCII hex digits only: int(x, 16) would also take "_", "+", "0x"
                if not size or len(size) > 15 or size.strip(b"0123456789abcdefABCDEF"):
                    raise ProtocolError("invalid chunk size %r" % (line[:40],))
                self._left = int(size, 16)
                if self._left == 0:
                    self._state = st = _S_TRAILERS
                else:
                    self._state = st = _S_CHUNK_DATA
                continue
            if st == _S_CHUNK_CRLF:
                if len(self._buf) - self._pos < 2:
                    if self._eof:
                        raise ConnectionLost("connection closed inside a chunked body")
                    return None
                if self._buf[self._pos] != 13 or self._buf[self._pos + 1] != 10:
                    raise ProtocolError("chunk data not followed by CRLF")
                self._pos += 2
                self._state = st = _S_CHUNK_SIZE
                continue
            if st == _S_TRAILERS:
                line = self._line(self.max_line, "trailer line")
                if line is None:
                    return None
                if not line:
                    self._state = _S_DONE
                    self._method = None
                    return (END, Headers(self._hdr_items))
                self._header_line(line)  # RFC 9112 section 7.1.2: a header block of its own
                continue
            if st == _S_BODY_CLOSE:
                avail = len(self._buf) - self._pos
                if avail:
                    return (DATA, self._take(avail))
                if self._eof:
                    self._state = _S_DONE
                    self._method = None
                    return (END, Headers())
                return None
            if st == _S_DONE or st == _S_IDLE:
                return None
            raise ProtocolError("parser in unknown state %d" % st)  # pragma: no cover

    # -- internals ---------------------------------------------------------------------------------
    def _take(self, n):
        """The next ``n`` buffered bytes as bytes, with a single copy (a bytearray slice would copy
        twice on the way to bytes)."""
        pos = self._pos
        self._pos = pos + n
        if pos == 0 and n == len(self._buf):
            return bytes(self._buf)
        return bytes(memoryview(self._buf)[pos : pos + n])

    def _line(self, limit, what):
        buf = self._buf
        i = buf.find(b"\r\n", self._pos)
        if i < 0:
            pending = len(buf) - self._pos
            if pending > limit:
                raise LimitExceeded("%s longer than %d bytes" % (what, limit))
            if self._eof:
                if self._state == _S_HEAD and pending == 0 and self._status is None:
                    raise ConnectionLost("connection closed before a response arrived")
                raise ConnectionLost("connection closed in the middle of a %s" % what)
            return None
        pos = self._pos
        if i - pos > limit:
            raise LimitExceeded("%s longer than %d bytes" % (what, limit))
        # RFC 9112 section 2.2 / RFC 9110 section 5.5: a CR, LF or NUL inside a line (lines end at
        # CRLF) is refused, not read as a line end or kept in a value: a bare CR or LF there is how
        # one header is smuggled past another.
        if buf.find(b"\r", pos, i) >= 0 or buf.find(b"\n", pos, i) >= 0 or \
                buf.find(b"\0", pos, i) >= 0:
            raise ProtocolError("CR, LF or NUL inside a %s: %r" % (what, bytes(buf[pos:i][:80])))
        self._pos = i + 2
        return bytes(memoryview(buf)[pos:i])  # one copy (a bytearray slice would be a second)

    def _header_line(self, line):
        """A header or trailer line: counted (with its CRLF) against max_header_bytes of its block, and
        against max_headers; then added."""
        self._hdr_bytes += len(line) + 2
        if self._hdr_bytes > self.max_header_bytes:
            raise LimitExceeded("response header block larger than %d bytes" % self.max_header_bytes)
        if len(self._hdr_items) >= self.max_headers:
            raise LimitExceeded("more than %d header fields" % self.max_headers)
        if line[:1] in (b" ", b"\t"):
            # RFC 9112 section 5.2: obsolete line folding; a client may replace it with a space.
            if not self._hdr_items:
                raise ProtocolError("header continuation line with no header before it")
            k, v = self._hdr_items[-1]
            self._hdr_items[-1] = (k, v + " " + decode_text(line.strip()))
            return
        i = line.find(b":")
        if i <= 0:
            raise ProtocolError("malformed header line %r: expected 'name: value'" % (line[:80],))
        name = line[:i]
        if not _is_token(name):
            raise ProtocolError("invalid header name %r" % (name,))
        self._hdr_items.append((str(name, "ascii"), decode_text(line[i + 1 :].strip())))

