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
    allowed in a header name and a method)."""
    if isinstance(s, str):
        try:
            s = s.encode()  # any non-ASCII character becomes bytes >= 0x80: not a token
        except UnicodeError:  # (CPython: a lone surrogate)
            return False
    for c in s:
        if c > 126 or not _TCHAR[c]:
            return False
    return len(s) > 0


_EMPTY = bytearray()  # the buffer of a parser holding nothing (feed() never writes into it)
_TCHAR = bytearray(127)  # 1 for the bytes of an RFC 9110 token
for _c in b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz":
    _TCHAR[_c] = 1


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
    parts = [method, " ", target, " HTTP/1.1\r\n"]
    for name, value in headers:
        parts.append(name)
        parts.append(": ")
        parts.append(value)
        parts.append("\r\n")
    parts.append("\r\n")
    try:
        head = "".join(parts).encode()
    except UnicodeError:  # CPython: a lone surrogate (MicroPython encodes it as it is)
        raise UsageError("the request head cannot be encoded as UTF-8: %r" % (parts,))
    # The target is printable ASCII that a URI may hold, else refused or percent-encoded (``bodies.iri``).
    # Its first len(target) bytes tell (every character before the first other one is one byte), read
    # as bytes: a loop over the str would intern each of its characters on MicroPython, for good.
    k = len(method) + 1
    for i in range(k, k + len(target)):
        c = head[i]
        if c <= 32 or c >= 127 or c in b'"<>\\^`{|}':  # (RFC 3986 section 2: in no URI; as bodies.iri)
            from .bodies import iri

            return build_request_head(method, iri(target), headers)
    return head


def _value(raw):
    """A header value from its bytes: without the spaces around it, each obsolete line fold (marked
    by a NUL in place of its CRLF, see ``ResponseParser._block``) one space, decoded."""
    if b"\0" in raw:
        raw = b" ".join([x.strip() for x in raw.split(b"\0")])
    return decode_text(raw.strip())


def _content_length(raw, k, prev):
    """The Content-Length value whose bytes start at ``raw[k]``: a list of equal values (RFC 9112
    section 6.3), each ASCII digits of a value below 10**18, parsed in place; ``prev`` the value of an earlier
    Content-Length line (None: none).  Anything else raises ProtocolError."""
    end = raw.find(b"\r\n", k)
    start = k
    while True:
        while k < end and (raw[k] == 32 or raw[k] == 9 or raw[k] == 0):  # 0: a folded line
            k += 1
        n = 0
        d = k
        while k < end and 48 <= raw[k] <= 57 and n < 1000000000000000000:  # ASCII digits only (str.isdigit() takes
            n = n * 10 + raw[k] - 48  # others); leading zeros are digits of no weight
            k += 1
        d = k - d
        while k < end and (raw[k] == 32 or raw[k] == 9 or raw[k] == 0):
            k += 1
        if not d or n >= 1000000000000000000 or (k < end and raw[k] != 44):  # 44: ","
            raise ProtocolError("invalid Content-Length %r" % (raw[start:end],))
        if prev is not None and n != prev:
            raise ProtocolError("conflicting Content-Length values %r and %d" % (raw[start:end], prev))
        prev = n
        if k >= end:
            return n
        k += 1


class Headers:
    """Response headers: order and repeats kept, names looked up case-insensitively.

    ``headers["content-type"]`` / ``headers.get(name, default)`` give the value (a header sent on more
    than one line: its values joined by ", ", RFC 9110 section 5.3, as requests does), ``headers.get_all(name)``
    each value, ``headers.items()`` the (name, value) pairs as sent; ``len()`` and iteration count the lines.
    The block is kept as received (one bytes object, checked by the parser); values are decoded
    when asked for (UTF-8, else byte for byte), without the spaces around them.
    """

    def __init__(self, items=None, raw=b""):
        if items:
            raw = "".join("%s: %s\r\n" % kv for kv in items).encode()
        self._raw = raw  # header lines, each with its CRLF (obsolete line folds joined, see _value)

    def _next(self, key, pos):
        """Where the next line at or after ``pos`` whose lower-cased name is the bytes ``key`` starts
        (-1: none).  Nothing is allocated."""
        raw = self._raw
        n = len(key)
        while pos < len(raw):
            i = raw.find(b"\r\n", pos)
            if raw.find(b":", pos, i) - pos == n:
                k = 0
                while k < n:  # ASCII lower-case comparison (``key`` is lower-case)
                    b = raw[pos + k]
                    if (b + 32 if 65 <= b <= 90 else b) != key[k]:
                        break
                    k += 1
                if k == n:
                    return pos
            pos = i + 2
        return -1

    def _values(self, key):
        """The values of the header whose lower-cased name is the bytes ``key``: a list."""
        raw = self._raw
        out = []
        pos = self._next(key, 0)
        while pos >= 0:
            i = raw.find(b"\r\n", pos)
            out.append(_value(raw[pos + len(key) + 1 : i]))
            pos = self._next(key, i + 2)
        return out

    def _tokens(self, key):
        # (CPython: _cpython.tokens, below: its str.lower() and strip() reach beyond ASCII)
        out = []
        for v in self._values(key):
            for t in v.split(","):
                t = t.strip().lower()
                if t:
                    out.append(t)
        return out

    def _key(self, name):
        """A name as ``_next`` compares it: lower-cased bytes, from a str or bytes; else UsageError."""
        if isinstance(name, str):  # (a subclass too, as request headers take it)
            return name.encode().lower()  # (ASCII letters only, as MicroPython: CPython's str.lower() made
            # the Kelvin sign a "k", and "\u212aeep-alive" found Keep-Alive there alone)
        if type(name) is bytes:
            return name.lower()
        raise UsageError("a header name is a str (or bytes), not %r" % (name,))

    def get(self, name, default=None):
        """The value of the header ``name`` (any case), or ``default``; one sent on more than one line
        gives its values joined by ", " (a later line was lost before)."""
        v = self._values(self._key(name))
        return default if not v else v[0] if len(v) == 1 else ", ".join(v)

    def get_all(self, name):
        """Every value of the header ``name`` (any case), in order: a list, empty when none."""
        return self._values(self._key(name))

    def tokens(self, name):
        """The comma-separated tokens of every ``name`` header, lower-cased (Connection, Upgrade ...)."""
        return self._tokens(self._key(name))

    def items(self):
        """The (name, value) pairs as sent, in order, repeats kept."""
        raw = self._raw
        out = []
        pos = 0
        while pos < len(raw):
            i = raw.find(b"\r\n", pos)
            c = raw.find(b":", pos, i)
            out.append((str(raw[pos:c], "ascii"), _value(raw[c + 1 : i])))
            pos = i + 2
        return out

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self._next(self._key(name), 0) >= 0  # (no value made: get() joins repeats in a list)

    def __len__(self):
        return self._raw.count(b"\n")

    def __iter__(self):
        for k, _ in self.items():
            yield k


NO_HEADERS = Headers()  # the (read-only) trailers of every body that has none: one object for all


class ResponseHead:
    """Status line and headers of one response.  ``reason`` is the phrase as the server sent it."""

    def __init__(self, version, status, reason, headers):
        if version != "HTTP/1.1":  # "HTTP/1.0" (the class default below otherwise)
            self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers

    # Class defaults, set on the instance when they differ: a response's attribute table then has room
    # for what the session and the layer add, without growing as the body ends (with the heap fullest).
    version = "HTTP/1.1"
    content_length = None  # int when framed by Content-Length
    chunked = False
    keep_alive = True  # may the connection carry another request after this response?


class ResponseParser:
    """Incremental parser of the responses on one connection (see the module docstring).

    Limits (constructor arguments, each with its own error):
    ``max_line`` status and header line bytes, ``max_headers`` header count, ``max_header_bytes`` the
    whole header block, ``max_chunk_line`` a chunk-size line (with extensions), ``max_interim`` the
    interim (1xx other than 101) responses before the final one.  ``max_headers`` and
    ``max_header_bytes`` apply to each block on its own: every interim head, the final head, and the
    trailers of a chunked body.
    """

    # The limits' defaults: an instance gets its own value only when it differs (a smaller attribute
    # table for each of many connections).
    max_line = 2048
    max_headers = 40
    max_header_bytes = 8192
    max_chunk_line = 256
    max_interim = 8
    # The class of the heads it makes (a session sets its Response class, itself a ResponseHead: one
    # object per response, not two).
    response_class = ResponseHead

    def __init__(self, max_line=2048, max_headers=40, max_header_bytes=8192, max_chunk_line=256,
                 max_interim=8):
        if max_line != 2048:
            self.max_line = max_line
        if max_headers != 40:
            self.max_headers = max_headers
        if max_header_bytes != 8192:
            self.max_header_bytes = max_header_bytes
        if max_chunk_line != 256:
            self.max_chunk_line = max_chunk_line
        if max_interim != 8:
            self.max_interim = max_interim
        self._buf = _EMPTY  # received bytes: [_pos, _end) not handed out yet; kept and reused
        self._pos = 0
        self._end = 0
        self._eof = False
        self._state = _S_IDLE
        self._method = None
        # Body or chunk bytes still expected; while a head is parsed, the interim (1xx) responses skipped
        # since start().  (No attribute more: with a session's response_class a parser keeps 12, the
        # size of a 12-slot table on MicroPython; one more and it takes 17, 80 bytes more for each of
        # many connections, and a larger block to find.)
        self._left = 0
        self._hdr_off = 0  # bytes of the header block in the buffer (from _pos) already checked
        self._hdr_n = 0  # header lines in the block so far
        self._hdr_bytes = 0
        self.head = None  # the ResponseHead of the response being parsed, made at its status line

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
        self._hdr_off = self._hdr_n = self._hdr_bytes = 0
        self._left = 0  # (the interim responses, see __init__)
        self.head = None

    def feed(self, data):
        """Hand received bytes to the parser (copied; the caller may reuse its buffer).  The parser's
        buffer is kept and reused: once it has grown to a read's size, feeding allocates nothing."""
        n = len(data)
        buf = self._buf
        pos = self._pos
        end = self._end
        if pos == end:
            pos = end = 0
        elif end + n > len(buf) and pos:
            # Move what is not handed out yet (a partial line) to the front.
            buf[: end - pos] = buf[pos:end]
            end -= pos
            pos = 0
        if end + n > len(buf):  # (behind a partial line in steps of 256: a head dribbled a byte a read made
            grown = bytearray((end + n + 255) & ~255 if end else n)  # a buffer per read, 8,160 for 8 KB)
            grown[:end] = memoryview(buf)[:end]
            self._buf = buf = grown
        buf[end : end + n] = data
        self._pos = pos
        self._end = end + n

    def feed_eof(self):
        """The peer closed its side of the connection."""
        self._eof = True

    def buffered(self):
        """The number of received bytes held here that no event has handed out yet.  After END (or a
        RESPONSE with ``done`` True), more than 0 means the peer sent bytes beyond the response's end."""
        return self._end - self._pos

    def take_leftover(self):
        """Bytes received after the end of the current response (e.g. WebSocket frames that came in the
        same read as a 101 head).  They are removed from the parser."""
        out = bytes(memoryview(self._buf)[self._pos : self._end])  # one copy, not two
        self._buf = _EMPTY
        self._pos = self._end = 0
        return out

    @property
    def done(self):
        """True once the current response has been parsed to its end."""
        return self._state == _S_DONE

    # -- Content-Length bodies received in place ---------------------------------------------------
    def body_left(self):
        """Bytes still expected of a Content-Length body (None in any other state).  An I/O layer may
        then receive them straight into a buffer of its own: first ``next_event(into)`` for what is
        already buffered here, then ``body_received(n)`` for every ``n`` bytes it read itself."""
        return self._left if self._state == _S_BODY_LENGTH else None

    def body_received(self, n):
        """``n`` body bytes were received outside the parser (see body_left() and raw_room())."""
        st = self._state
        if st == _S_BODY_CLOSE:
            return
        if (st != _S_BODY_LENGTH and st != _S_CHUNK_DATA) or n > self._left:
            raise UsageError("body_received(%d) with %r bytes expected" % (n, self._left))
        self._left -= n

    def raw_room(self, n):
        """How many of the next ``n`` bytes from the peer an I/O layer may receive straight into a
        buffer of its own, bypassing the parser (then ``body_received``): body bytes only, when nothing
        is buffered here; 0 when the parser must see what comes next."""
        st = self._state
        if self._pos != self._end or self._eof:
            return 0
        if st == _S_BODY_CLOSE:
            return n
        if st == _S_BODY_LENGTH or st == _S_CHUNK_DATA:
            return n if n < self._left else self._left
        return 0

    # -- events ------------------------------------------------------------------------------------
    def next_event(self, into=None):
        """The next event, or None when more data is needed (after feed_eof: raises instead).  With
        ``into`` (a writable buffer), body bytes are copied into it and DATA carries their count."""
        st = self._state
        while True:
            if st == _S_HEAD:
                if self.head is None:
                    i = self._eol(self.max_line, "status line", "max_line")
                    if i is None:
                        return None
                    # RFC 9112 section 4: HTTP-version SP status-code SP [reason-phrase], parsed in place
                    buf = self._buf
                    pos = self._pos
                    if buf.find(b"HTTP/1.", pos, pos + 7) != pos or i - pos < 12 or buf[pos + 8] != 32:
                        raise ProtocolError("malformed status line %r: expected 'HTTP/1.x NNN reason'"
                                            % (bytes(buf[pos:i][:80]),))
                    if buf[pos + 7] != 49 and buf[pos + 7] != 48:  # "1" or "0"
                        raise ProtocolError("unsupported HTTP version %r: expected HTTP/1.0 or HTTP/1.1"
                                            % (bytes(buf[pos : pos + 8]),))
                    status = 0
                    for k in range(pos + 9, pos + 12):
                        if not 48 <= buf[k] <= 57:  # ASCII digits only
                            status = -1
                            break
                        status = status * 10 + buf[k] - 48
                    if status < 0 or (i > pos + 12 and buf[pos + 12] != 32):
                        raise ProtocolError("malformed status code in %r" % (bytes(buf[pos:i][:80]),))
                    if 100 <= status < 200 and status != 101 and self._left >= self.max_interim:
                        raise LimitExceeded("more than %d interim (1xx) responses" % self.max_interim, "max_interim",
                                            self.max_interim, self._left + 1)
                    # The status line counts against max_header_bytes too (a new block starts here).
                    self._hdr_bytes = i - pos + 2
                    if self._hdr_bytes > self.max_header_bytes:
                        raise LimitExceeded("response header block larger than %d bytes" % self.max_header_bytes,
                                            "max_header_bytes", self.max_header_bytes, self._hdr_bytes)
                    # (the head's headers: at the blank line)
                    self.head = self.response_class("HTTP/1.1" if buf[pos + 7] == 49 else "HTTP/1.0", status,
                                                    "OK" if buf.find(b"OK", pos + 13, i) == pos + 13 and i == pos + 15
                                                    else decode_text(buf[pos + 13 : i]) if i > pos + 13 else "", None)
                    self._pos = i + 2
                    continue
                block = self._block()
                if block is None:
                    return None
                # The blank line: the head is complete.
                head = self.head
                version = head.version
                status = head.status
                if 100 <= status < 200 and status != 101:
                    # Interim response (100 Continue, 103 Early Hints): skip it, the final one follows.
                    self.head = None
                    self._left += 1  # (the interim responses, see __init__)
                    continue
                head.headers = headers = Headers(None, block)
                if status == 101:
                    head.keep_alive = False  # the connection now speaks another protocol
                else:
                    conn = headers._tokens(b"connection") if headers._next(b"connection", 0) >= 0 else ()
                    # (close wins, RFC 9112 section 9.3: HTTP/1.0 "keep-alive, close" was kept)
                    if "close" in conn or version == "HTTP/1.0" and "keep-alive" not in conn:
                        head.keep_alive = False
                te = headers._next(b"transfer-encoding", 0) >= 0 and headers._tokens(b"transfer-encoding")
                if te is not False and te != ["chunked"]:
                    # We send no TE: chunked, once, is the only transfer coding a server may use (RFC 9112
                    # sections 6.1, 7.4); another (gzip ...) or an empty value would hand out coded bytes.
                    raise ProtocolError("unsupported Transfer-Encoding %r: only chunked" % (te,))
                cl = headers._next(b"content-length", 0)
                if not te:
                    # Content-Length as an int (None when absent); invalid or conflicting values fail.
                    while cl >= 0:
                        head.content_length = _content_length(headers._raw, cl + 15, head.content_length)
                        cl = headers._next(b"content-length", headers._raw.find(b"\r\n", cl) + 2)
                elif version == "HTTP/1.0" or cl >= 0:
                    # RFC 9112 section 6.1: Transfer-Encoding wins over Content-Length, but such a message
                    # (or Transfer-Encoding in HTTP/1.0) may be an attempt at response splitting: the
                    # connection is closed after it rather than trusted for the next response.
                    head.keep_alive = False
                if self._method == "HEAD" or status in (101, 204, 304):
                    self._state = _S_DONE
                elif te:
                    head.chunked = True
                    self._state = _S_CHUNK_SIZE
                elif head.content_length is not None:
                    self._left = head.content_length
                    self._state = _S_BODY_LENGTH
                else:
                    head.keep_alive = False  # RFC 9112 section 6.3 item 8: the body ends at close
                    self._state = _S_BODY_CLOSE
                if self._state == _S_DONE:
                    self._finish()
                return (RESPONSE, head)
            if st == _S_BODY_LENGTH or st == _S_CHUNK_DATA:
                if self._left == 0:
                    if st == _S_BODY_LENGTH:
                        self._finish()
                        return (END, NO_HEADERS)
                    self._state = st = _S_CHUNK_CRLF
                    continue
                avail = self._end - self._pos
                if avail == 0:
                    if self._eof:
                        raise ConnectionLost("connection closed with %d body bytes still expected" % self._left)
                    return None
                pos = self._pos
                ev = self._take(avail if avail < self._left else self._left, into)
                self._left -= self._pos - pos
                return ev
            if st == _S_CHUNK_SIZE:
                i = self._eol(self.max_chunk_line, "chunk-size line", "max_chunk_line")
                if i is None:
                    return None
                # 1*HEXDIG, then optional spaces and extensions (RFC 9112 section 7.1.1: ignored);
                # parsed in place: ASCII hex digits only (int(x, 16) would also take "_", "+", "0x").
                buf = self._buf
                j = self._pos
                while j < i and (buf[j] == 32 or buf[j] == 9):
                    j += 1
                size = 0
                k = j
                while k < i and not size >> 60:  # (below 2**60: leading zeros are digits of no weight)
                    c = buf[k]
                    if 48 <= c <= 57:
                        size = size * 16 + c - 48
                    elif 97 <= c | 32 <= 102:
                        size = size * 16 + (c | 32) - 87
                    else:
                        break
                    k += 1
                digits = k - j
                while k < i and (buf[k] == 32 or buf[k] == 9):
                    k += 1
                if not digits or size >> 60 or (k < i and buf[k] != 59):  # 59: ";"
                    raise ProtocolError("invalid chunk size %r" % (bytes(buf[self._pos : i][:40]),))
                self._pos = i + 2
                self._left = size
                if size == 0:
                    self._state = st = _S_TRAILERS
                else:
                    self._state = st = _S_CHUNK_DATA
                continue
            if st == _S_CHUNK_CRLF:
                if self._end - self._pos < 2:
                    if self._eof:
                        raise ConnectionLost("connection closed inside a chunked body")
                    return None
                if self._buf[self._pos] != 13 or self._buf[self._pos + 1] != 10:
                    raise ProtocolError("chunk data not followed by CRLF")
                self._pos += 2
                self._state = st = _S_CHUNK_SIZE
                continue
            if st == _S_TRAILERS:
                block = self._block()  # RFC 9112 section 7.1.2: a header block of its own
                if block is None:
                    return None
                self._finish()
                return (END, Headers(None, block))
            if st == _S_BODY_CLOSE:
                avail = self._end - self._pos
                if avail:
                    return self._take(avail, into)
                if self._eof:
                    self._finish()
                    return (END, NO_HEADERS)
                return None
            if st == _S_DONE or st == _S_IDLE:
                return None
            raise ProtocolError("parser in unknown state %d" % st)  # pragma: no cover

    # -- internals ---------------------------------------------------------------------------------
    def _finish(self):
        """The response has ended.  A buffer with nothing left in it is let go: an idle connection
        (one of many on an engine) holds no receive bytes; the next response gets a new one."""
        self._state = _S_DONE
        self._method = self.head = None  # the Response keeps the head; the parser not
        if self._pos == self._end:
            self._buf = _EMPTY
            self._pos = self._end = 0

    def _take(self, n, into=None):
        """The DATA event of the next ``n`` buffered bytes: as bytes, with a single copy (a bytearray
        slice would copy twice on the way to bytes); with ``into``: at most ``len(into)`` of them
        copied there, and their count (the rest stays for the next event).  The event is built before
        the bytes count as taken: out of memory, they stay for the next call."""
        pos = self._pos
        if into is not None:
            if n > len(into):
                n = len(into)
            into[:n] = memoryview(self._buf)[pos : pos + n]
            ev = (DATA, n)
        else:
            ev = (DATA, bytes(memoryview(self._buf)[pos : pos + n]))
        self._pos = pos + n
        return ev

    def _eol(self, limit, what, name):
        """The index of the CRLF that ends the line at ``_pos`` (checked: within ``limit``, no CR, LF
        or NUL inside), or None when it has not arrived yet."""
        buf = self._buf
        pos = self._pos
        i = buf.find(b"\r\n", pos, self._end)
        if i < 0:
            if buf.find(b"\n", pos, self._end) >= 0:  # a bare LF: its line ends with no CRLF (it waited
                raise ProtocolError("a %s ends with a bare LF, not CRLF" % what)  # for one until timeout)
            pending = self._end - pos
            if pending and buf[self._end - 1] == 13:
                pending -= 1  # (a CR whose LF has not come: the line's end, not a byte of it, as whole)
            if pending > limit:
                raise LimitExceeded("%s longer than %d bytes" % (what, limit), name, limit, pending)
            if self._eof:
                if self._state == _S_HEAD and pending == 0:
                    raise ConnectionLost("connection closed before a response arrived")
                raise ConnectionLost("connection closed in the middle of a %s" % what)
            return None
        if i - pos > limit:
            raise LimitExceeded("%s longer than %d bytes" % (what, limit), name, limit, i - pos)
        # RFC 9112 section 2.2: a CR, LF or NUL inside a line is refused (see _block).
        if buf.find(b"\r", pos, i) >= 0 or buf.find(b"\n", pos, i) >= 0 or buf.find(b"\0", pos, i) >= 0:
            raise ProtocolError("CR, LF or NUL inside a %s: %r" % (what, bytes(buf[pos:i][:80])))
        return i

    def _block(self):
        """The header lines after a status line (or the trailers), checked line by line as they
        arrive and left in the buffer until the blank line: then the block as one bytes object (each
        line with its CRLF), else None.  Each line counts (with its CRLF) against ``max_line``,
        ``max_headers`` and the block's ``max_header_bytes``."""
        buf = self._buf
        while True:
            j = self._pos + self._hdr_off
            i = buf.find(b"\r\n", j, self._end)
            n = (self._end if i < 0 else i) - j
            if i < 0 and n and buf[self._end - 1] == 13:
                n -= 1  # (a CR whose LF has not come: the line's end, as when the CRLF came in one read)
            if n > self.max_line:
                raise LimitExceeded("header line longer than %d bytes" % self.max_line, "max_line", self.max_line, n)
            if self._hdr_bytes + n > self.max_header_bytes:
                raise LimitExceeded("response header block larger than %d bytes" % self.max_header_bytes,
                                    "max_header_bytes", self.max_header_bytes, self._hdr_bytes + n)
            if i < 0:
                if buf.find(b"\n", j, self._end) >= 0:  # (as _eol: no wait for a CRLF that won't come)
                    raise ProtocolError("a header line ends with a bare LF, not CRLF")
                if self._eof:
                    raise ConnectionLost("connection closed in the middle of a header block")
                return None
            if i == j:  # the blank line
                block = bytes(memoryview(buf)[self._pos : j])
                self._pos = j + 2
                self._hdr_off = self._hdr_n = self._hdr_bytes = 0
                return block
            self._hdr_bytes += n + 2
            # RFC 9112 section 2.2 / RFC 9110 section 5.5: a CR, LF or NUL inside a line (lines end
            # at CRLF) is refused, not read as a line end or kept in a value: a bare CR or LF there is
            # how one header is smuggled past another.
            if buf.find(b"\r", j, i) >= 0 or buf.find(b"\n", j, i) >= 0 or buf.find(b"\0", j, i) >= 0:
                raise ProtocolError("CR, LF or NUL inside a header line: %r" % (bytes(buf[j:i][:80]),))
            c = buf[j]
            if c == 32 or c == 9:
                # RFC 9112 section 5.2: obsolete line folding; a client may replace it with spaces.
                if j == self._pos:
                    raise ProtocolError("header continuation line with no header before it")
                buf[j - 2] = 0  # joined to the line before; a NUL can't be there otherwise (_value)
                buf[j - 1] = 32
            else:
                self._hdr_n += 1
                if self._hdr_n > self.max_headers:
                    raise LimitExceeded("more than %d header fields" % self.max_headers, "max_headers", self.max_headers,
                                        self._hdr_n)
                c = buf.find(b":", j, i)
                if c <= j:
                    raise ProtocolError("malformed header line %r: expected 'name: value'" % (bytes(buf[j:i][:80]),))
                k = j
                while k < c:  # the name must be an RFC 9110 token (no allocation per character)
                    if buf[k] > 126 or not _TCHAR[buf[k]]:
                        raise ProtocolError("invalid header name %r" % (bytes(buf[j:c]),))
                    k += 1
            self._hdr_off = i + 2 - self._pos


if __import__("sys").implementation.name != "micropython":  # (no global more: the module's table on a board)
    from ._cpython import tokens

    Headers._tokens = tokens
    del tokens
