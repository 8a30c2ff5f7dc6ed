"""Sans-I/O HTTP/1.1 requests: the ``Request`` object and query strings.

Owns: turning a ``Request`` (method, target, query table or hook, header table or hook, body from
bytes / a callback / an iterator / a file, or a form) into the bytes that go on the wire: one
``head()`` (request line + headers, sent with one write) and a ``body_pieces()`` iterator (already
framed: chunked when the length is unknown), and percent-encoding (RFC 3986).  URLs and redirects
are in ``urls`` (imported only when a request needs them).

Must not: touch sockets, clocks or entropy (forms get their boundary from an injected ``rng``).
The blocking ``client.Connection`` and the non-blocking layers both build requests here, so the
rules exist once.
"""

from .errors import UsageError
from . import http11


def quote(s, space_plus=False):
    """Percent-encode ``s`` (str or bytes; anything else goes through str()) keeping only RFC 3986
    unreserved characters.

    ``space_plus`` writes a space as "+" (the application/x-www-form-urlencoded serialisation).
    """
    if not isinstance(s, (bytes, bytearray)):
        s = (s if isinstance(s, str) else str(s)).encode()
    out = []
    for b in s:
        # RFC 3986 section 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".  Everything else
        # is percent-encoded from its UTF-8 bytes (section 2.1, upper-case hex digits).
        if b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~":
            out.append(chr(b))
        elif b == 32 and space_plus:
            out.append("+")
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def _pairs(table):
    """A dict, a list of pairs, or a callable returning either, as a list of pairs."""
    if table is None:
        return []
    if callable(table) and not isinstance(table, (dict, list, tuple)):
        table = table()
    if isinstance(table, dict):
        return list(table.items())
    return list(table)


def encode_pairs(table, space_plus=False):
    """``k=v&k2=v2`` from a table; a value of None writes the key alone (``k``)."""
    parts = []
    for k, v in _pairs(table):
        if v is None:
            parts.append(quote(k, space_plus))
        else:
            parts.append(quote(k, space_plus) + "=" + quote(v, space_plus))
    return "&".join(parts)


def split_url(url):
    """``scheme://host[:port]/path?query`` -> (scheme, host, port, target): see ``urls.split_url``."""
    from .urls import split_url

    return split_url(url)


# -- bodies -----------------------------------------------------------------------------------------
def source_pieces(src, buf):
    """Yield the bytes of a body source, in pieces.

    Sources: bytes-like or str (one piece); a file object (``readinto(buf)`` or ``read(n)``); a
    callable ``fn(buf) -> n`` that fills the memoryview ``buf`` and returns the count (0 at the end,
    HTTPc's OnBodyTx); any other iterable of bytes/str chunks.  Pieces that are views of ``buf``
    are only valid until the next one is asked for.
    """
    if src is None:
        return
    if isinstance(src, str):
        yield src.encode()
        return
    if isinstance(src, (bytes, bytearray, memoryview)):
        if len(src):
            yield src
        return
    mv = memoryview(buf)
    if hasattr(src, "readinto"):
        while True:
            n = src.readinto(buf)
            if not n:
                return
            yield mv[:n]
    elif hasattr(src, "read"):
        while True:
            d = src.read(len(buf))
            if not d:
                return
            yield d.encode() if isinstance(d, str) else d
    elif callable(src):
        while True:
            n = src(mv)
            if not n:
                return
            if n < 0 or n > len(buf):
                raise UsageError("body callback returned %r for a %d-byte buffer" % (n, len(buf)))
            yield mv[:n]
    else:
        for c in src:
            if isinstance(c, str):
                c = c.encode()
            if len(c):
                yield c


class Request:
    """One HTTP request (HTTPc's request object plus its parameters).

    ``method``: any token (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE ...).
    ``target``: a path (``/a/b?x=1``) or an absolute URI of the connection's origin.
    ``query``: a dict, a list of pairs (value None: the key alone) or a callable returning one;
    appended to the target, percent-encoded (RFC 3986).
    ``headers``: a dict, a list of pairs, or a callable returning one; any token names; CR, LF and NUL
    refused.  Host, Content-Length and Transfer-Encoding are generated (HeaderNotAllowed).
    ``body``: bytes/str; a file object; a callable ``fn(buf) -> n``; or an iterable of chunks.  With
    ``content_length`` (or a bytes body) it is sent with Content-Length, else chunked.
    ``form``: a dict or list of pairs sent as application/x-www-form-urlencoded, or (when a value is a
    ``forms.Field``/``forms.File``, or ``multipart=True``) as multipart/form-data.
    ``content_type``: sets Content-Type for ``body``.
    Response hooks: ``on_header(name, value)`` for each response header, ``on_body(chunk)`` to stream
    the body (the Response then comes back already read).  ``follow_redirects``: how many redirects
    to follow (None: the connection's setting).  ``deadline``: seconds for the whole exchange (None: the
    connection's ``deadline``).  ``user_data`` is yours.
    """

    def __init__(self, method="GET", target="/", headers=None, query=None, body=None, content_length=None,
                 form=None, multipart=None, content_type=None, on_header=None, on_body=None,
                 follow_redirects=None, user_data=None, rng=None, deadline=None):
        self.method = method.upper()
        if not http11._is_token(self.method):
            raise UsageError("invalid method %r" % (method,))
        self.target = target or "/"
        self.headers = headers
        self.query = query
        self.body = body
        self.content_length = content_length
        self.form = form
        self.multipart = multipart
        self.content_type = content_type
        self.on_header = on_header
        self.on_body = on_body
        self.follow_redirects = follow_redirects
        self.user_data = user_data
        self.rng = rng
        self.deadline = deadline
        if form is not None and body is not None:
            raise UsageError("give either body= or form=, not both")

    # -- headers and body framing ------------------------------------------------------------------
    def user_headers(self):
        """The caller's headers (table or hook result) as checked (name, value) pairs."""
        out = []
        for k, v in _pairs(self.headers):
            v = _header_value(v)
            http11.check_header(k, v)
            # RFC 9110 section 7.2 Host, RFC 9112 section 6 body framing
            if k.lower() in ("host", "content-length", "transfer-encoding"):
                raise _not_allowed("%s is generated by the client; remove it from the headers" % k)
            out.append((k, v))
        return out

    def replayable(self):
        """True when the body can be sent again (redirect 307/308, retry on a stale connection)."""
        b = self.body
        if b is None:
            return self.form is None or not _streams(self.form)
        return isinstance(b, (bytes, bytearray, str))

    def prepare(self, host_header, close=False, headers=None, target=None):
        """Fix the framing: returns (head_bytes, body), where ``body`` is None, bytes (small enough to
        go with the head, or whole) or a source for ``body_pieces``.

        ``headers`` overrides the resolved user headers (redirects reuse them without calling a hook
        twice); ``target`` overrides ``self.target`` (a path).  Sets ``self.sent_length`` (None when chunked)
        and ``self.sent_target`` (the request-target as sent, query included).
        """
        # Every header that reaches the wire is checked (http11.check_header: no CR, LF or NUL that
        # could start another header): the caller's, the Host value and the Content-Type.
        http11.check_header("Host", host_header)
        hdrs = self.user_headers() if headers is None else headers
        lower = [k.lower() for k, _ in hdrs]
        ctype = self.content_type
        body = self.body
        length = self.content_length
        if self.form is not None:
            if "content-type" in lower:
                raise _not_allowed("Content-Type is generated for a form; remove it from the headers")
            multipart = self.multipart
            if multipart is None:
                multipart = _streams(self.form)
            if multipart:
                from .forms import Multipart

                body = Multipart(_pairs(self.form), self.rng)
                ctype, length = body.content_type, body.length
            else:
                body = encode_pairs(self.form, space_plus=True).encode()
                ctype, length = "application/x-www-form-urlencoded", len(body)
        if isinstance(body, str):
            body = body.encode()
        if isinstance(body, (bytes, bytearray, memoryview)):
            if length is not None and length != len(body):
                raise UsageError("content_length=%d but the body has %d bytes" % (length, len(body)))
            length = len(body)
        out = [("Host", host_header)]
        if body is None:
            if self.method in ("POST", "PUT", "PATCH"):
                out.append(("Content-Length", "0"))  # RFC 9110 section 8.6: a body-carrying method
            length = 0
        elif length is not None:
            if length < 0:
                raise UsageError("content_length must not be negative")
            out.append(("Content-Length", str(length)))
        else:
            out.append(("Transfer-Encoding", "chunked"))
        if ctype is not None and "content-type" not in lower:
            ctype = _header_value(ctype)
            http11.check_header("Content-Type", ctype)
            out.append(("Content-Type", ctype))
        if close and "connection" not in lower:
            out.append(("Connection", "close"))
        out.extend(hdrs)
        # The origin-form target with the query table or hook appended.  It must be a path: the client
        # turns an absolute URI of its origin into a path first.
        t = self.target if target is None else target
        if not t.startswith("/") and t != "*":
            raise UsageError("request target must be a path starting with '/' or an absolute URI: %r" % (t,))
        if self.query is not None:
            q = encode_pairs(self.query)
            if q:
                t = t + ("&" if "?" in t else "?") + q
        self.sent_length = length
        self.sent_target = t
        return http11.build_request_head(self.method, t, out), body

    def body_pieces(self, body, buf):
        """Yield the framed body bytes for ``body`` from ``prepare()`` (chunked framing when the length
        was unknown; the byte count checked against Content-Length when it was known)."""
        if body is None:
            return
        length = self.sent_length
        if hasattr(body, "pieces"):  # a multipart form
            it = body.pieces(buf)
        else:
            it = source_pieces(body, buf)
        if length is None:
            # RFC 9112 section 7.1: each piece as one chunk in one bytes object (size line, data, CRLF;
            # an empty piece is skipped: an empty chunk would end the body), then the last-chunk
            # without trailers.
            for p in it:
                if len(p):
                    yield ("%x\r\n" % len(p)).encode() + bytes(p) + b"\r\n"
            yield b"0\r\n\r\n"
            return
        sent = 0
        for p in it:
            sent += len(p)
            if sent > length:
                raise UsageError("body source gave more than content_length=%d bytes" % length)
            yield p
        if sent != length:
            raise UsageError("body source ended after %d of content_length=%d bytes" % (sent, length))


def _header_value(v):
    """A header value as str: bytes are decoded (UTF-8), anything else goes through str()."""
    if isinstance(v, str):
        return v
    return v.decode() if isinstance(v, (bytes, bytearray)) else str(v)


def _streams(form):
    """True when a form has a value that must be streamed (a forms.Field or forms.File)."""
    for _, v in _pairs(form):
        if not isinstance(v, (str, bytes, bytearray, int, float)) and v is not None:
            return True
    return False


def _not_allowed(msg):
    from .errors2 import HeaderNotAllowed

    return HeaderNotAllowed(msg)
