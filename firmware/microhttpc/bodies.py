"""Request bodies and query strings, loaded by the first request that needs them: percent-encoding
(RFC 3986), ``k=v&...`` tables (queries and urlencoded forms), body sources read in pieces, and the
framing of a streamed body (chunked, or counted against Content-Length), and the answer a server gives
before it read the whole body (``early_answer``).  ``request`` holds the rest of a request; a GET
without a query never loads this module.
"""

from .errors import HTTPCError, TimeoutError, UsageError
from .request import _pairs


def quote(s, space_plus=False):
    """Percent-encode ``s`` (str or bytes; a number as its str()) keeping only RFC 3986 unreserved
    characters; anything else is UsageError (a dict or a set went out as its repr).

    ``space_plus`` writes a space as "+" (the application/x-www-form-urlencoded serialisation).
    """
    if type(s) is memoryview:  # (its bytes, whatever its format)
        s = bytes(s)
    if not isinstance(s, (bytes, bytearray)):
        if not isinstance(s, (str, int, float)):
            raise UsageError("a query or form key or value is a str, bytes or a number, not %r" % (s,))
        s = _utf8(s if isinstance(s, str) else str(s))
    out = bytearray()
    for b in s:
        # RFC 3986 section 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".  Everything else
        # is percent-encoded from its UTF-8 bytes (section 2.1, upper-case hex digits).
        if b in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~":
            out.append(b)
        elif b == 32 and space_plus:
            out.append(43)  # "+"
        else:
            out.extend(b"%%%02X" % b)
    return str(out, "utf-8")


def _utf8(s):
    """``s.encode()``; text CPython cannot encode (a lone surrogate) raises UsageError.  (Bytes, and
    no loop over the characters of a str: MicroPython interns each character a loop or an index makes,
    for as long as it runs, so a text seen once would keep heap for good.)"""
    try:
        return s.encode()
    except UnicodeError:
        raise UsageError("text that is not valid Unicode (a lone surrogate?): %r" % (s[:40],))


def iri(target):
    """A request-target with spaces or control characters (UsageError), or with non-ASCII characters
    (an IRI, e.g. a Location with UTF-8 in it) or ASCII ones that no URI holds (RFC 3986 section 2:
    " < > \\ ^ ` { | }): each of those percent-encoded from its UTF-8 bytes, as RFC 3987 section 3.1 maps
    an IRI to a URI (and as requests sends them)."""
    out = bytearray()
    for b in _utf8(target):
        if b <= 32 or b == 127:
            raise UsageError("request target must not contain spaces or control characters: %r" % (target,))
        if b < 128 and b not in b'"<>\\^`{|}':
            out.append(b)
        else:
            out.extend(b"%%%02X" % b)
    return str(out, "utf-8")


def pairs(table):
    """The (key, value) pairs of a query or form table (``request._pairs``), each checked to be a
    pair: UsageError otherwise (form="abc" or [("a",)] raised a bare ValueError, form=5 TypeError).
    A list or tuple value is the key's values, one pair each (``tag=a&tag=b``, as requests and
    ``urlencode(doseq=True)`` do; a form's list went out as one multipart part of the items joined)."""
    try:
        out = []
        for k, v in _pairs(table):
            if isinstance(v, (list, tuple)):
                out.extend([(k, x) for x in v])
            else:
                out.append((k, v))
    except (TypeError, ValueError):
        raise UsageError("a query or form must be a dict or (key, value) pairs: %r" % (table,))
    for k, v in out:  # (a bool: CPython sent "True", MicroPython refused it as no number, or as no body)
        if k is True or k is False or v is True or v is False:
            raise UsageError("a query or form key or value is a str, bytes or a number, not a bool: %r (send "
                             "the text the server expects, such as \"true\" or \"1\")" % ((k, v),))
    return out


def encode_pairs(table, space_plus=False):
    """``k=v&k2=v2`` from a table; a value of None writes the key alone (``k``)."""
    parts = []
    for k, v in pairs(table):
        if v is None:
            parts.append(quote(k, space_plus))
        else:
            parts.append(quote(k, space_plus) + "=" + quote(v, space_plus))
    return "&".join(parts)


def query(target, req):
    """``target`` with the query table of the Request ``req`` appended (``encode_pairs``): after a "?", or
    after an "&" when it has a query already (none when it ends in "?" or "&": "/p?" and {"a": 2} make
    "/p?a=2").  An iterator is made a list first: a request sent again (a resend, a redirect) reads it
    again (a resend went out without its query)."""
    table = req.query
    if hasattr(table, "__next__"):
        table = req.query = list(table)
    q = encode_pairs(table)
    if not q:
        return target
    return target + ("?" if "?" not in target else "" if target[-1] in "?&" else "&") + q


def streams(form):
    """True when a form has a value that must be streamed (a forms.Value or forms.File)."""
    for _, v in pairs(form):
        if not isinstance(v, (str, bytes, bytearray, memoryview, int, float)) and v is not None:
            return True
    return False


_PIECE = 32768  # the largest piece of a bytes or str body


def form_body(req, typed, length):
    """``Request.prepare`` of a ``form=``: (body, Content-Type, length); urlencoded, or multipart
    (``multipart=True``, or a field that streams).  ``typed``: the caller gave a Content-Type (headers or
    ``content_type=``); that and ``content_length=`` are HeaderNotAllowed (both were dropped without a word)."""
    if typed or length is not None:
        from .errors2 import HeaderNotAllowed

        raise HeaderNotAllowed("Content-Type and Content-Length are generated for a form; remove content_type=, "
                               "content_length= or the Content-Type header")
    multipart = req.multipart
    if multipart is None:
        multipart = streams(req.form)
    if multipart:
        from .forms import Multipart

        body = Multipart(pairs(req.form), req.rng)
        return body, body.content_type, body.length
    body = encode_pairs(req.form, space_plus=True).encode()
    return body, "application/x-www-form-urlencoded", len(body)


def source_pieces(src, buf):
    """Yield the bytes of a body source, in pieces.

    Sources: bytes-like or str (views of at most 32 KiB); a file object (``readinto(buf)`` or ``read(n)``); a
    callable ``fn(buf) -> n`` that fills the memoryview ``buf`` and returns the count (0 at the end,
    HTTPc's OnBodyTx); any other iterable of bytes/str chunks.  Pieces that are views of ``buf``
    are only valid until the next one is asked for.
    """
    if src is None:
        return
    if isinstance(src, str):
        src = src.encode()
    if isinstance(src, (bytes, bytearray, memoryview)):
        src = octets(src)
        # In views of at most 32 KiB: each write of an upload is bounded by the timeout on its own
        # (CPython's sendall bounds a whole call by it).
        if len(src) <= _PIECE:
            if len(src):
                yield src
            return
        mv = memoryview(src)
        for i in range(0, len(mv), _PIECE):
            yield mv[i : i + _PIECE]
        return
    mv = memoryview(buf)
    if hasattr(src, "read") and not hasattr(src, "readinto"):
        while True:
            d = src.read(len(buf))
            if isinstance(d, str):
                d = _utf8(d)
            elif not isinstance(d, (bytes, bytearray, memoryview)):  # (None: a non-blocking file)
                raise UsageError("a body file's read() gave %r, not bytes" % (d,))
            if not d:
                return
            yield octets(d)
    elif hasattr(src, "readinto") or callable(src):
        # (The buffer may be the connection's receive buffer, which holds an earlier response: a count
        # out of range, -1 or 65536 for 512 bytes, would upload those bytes.  None: a non-blocking file
        # with nothing to give yet, not the end.)
        fill = src.readinto if hasattr(src, "readinto") else src
        while True:
            n = fill(mv)
            if type(n) is not int or n < 0 or n > len(buf):
                raise UsageError("a body's readinto() or callback returned %r for a %d-byte buffer" % (n, len(buf)))
            if not n:
                return
            yield mv[:n]
    else:
        try:
            src = iter(src)
        except TypeError:
            raise UsageError("a body is bytes, str, a file, a callable or an iterable, not %s"
                             % type(src).__name__)
        for c in src:
            if isinstance(c, str):
                c = _utf8(c)
            elif not isinstance(c, (bytes, bytearray, memoryview)):
                raise UsageError("a body's chunks are str or bytes-like, not %s" % type(c).__name__)
            yield octets(c)  # (an empty one too: "nothing yet", for the layer's bounds to see)


def octets(b):
    """A bytes-like ``b`` whose len() counts bytes: a view of items wider than a byte (an array's) as
    bytes (its len() counts items: a chunk's size or a Content-Length said 3 for 6 bytes, and the rest
    went out as the start of the next request), and on CPython a strided one (``m[::2]``: a bare
    BufferError from the socket, the head already out; on aio the connection stayed busy for good)."""
    if isinstance(b, memoryview) and len(b) and (len(bytes(b[:1])) != 1 or not getattr(b, "contiguous", 1)):
        return bytes(b)
    return b


def body_pieces(req, body, buf):
    """The framed body bytes for ``body`` from ``prepare()``, as an iterator (chunked framing when the
    length was unknown; the byte count checked against Content-Length when it was known).  A body that
    is no source raises UsageError at this call, not as its pieces are asked for: ``prepare()`` calls
    it with no buffer, for that check alone, before the head goes out (an int failed after it, a dict
    went out as its keys)."""
    if body is not None and not hasattr(body, "pieces"):  # (a multipart form checked its values)
        _source(body)
    if buf is None:
        _once(req)
    return None if buf is None else _framed(req, body, buf)


def _once(req):
    """A body read as it is sent is read once: UsageError when ``req``'s was (sent again, it went out
    with an empty body or form value, silently; sent twice at once, its pieces were shared out)."""
    if getattr(req, "_spent", 0):
        raise UsageError("this Request's body (or a form value) was read as it was sent: make a new Request")


def _source(src):
    """UsageError unless ``src`` is a body source (see ``source_pieces``)."""
    if isinstance(src, (str, bytes, bytearray, memoryview)) or callable(src) or hasattr(src, "read") \
            or hasattr(src, "readinto"):
        return
    try:
        if isinstance(src, dict):
            raise TypeError
        iter(iter(src))  # any other iterable: of chunks (MicroPython's iter() took an __iter__ that gave 5)
    except TypeError:
        raise UsageError("a body is bytes, str, a file, a callable or an iterable of chunks (a dict: form= or "
                         "json=), not %s" % type(src).__name__)


def _framed(req, body, buf):
    if body is None:
        return
    length = req.sent_length
    if not (req.replayable() or isinstance(body, (bytes, bytearray, memoryview))):  # (an iterator, a list of
        _once(req)  # chunks, a file, a function, a form with such values) read as it is sent: a second
        req._spent = True  # send is refused before it begins, one at the same time here, at its first piece
    if hasattr(body, "pieces"):  # a multipart form
        it = body.pieces(buf)
    else:
        it = source_pieces(body, buf)
    if length is None:
        # RFC 9112 section 7.1: each piece as one chunk: its size line (after the CRLF that ends the
        # chunk before it), then the piece itself, not copied (a small one joins its size line: one
        # write); an empty piece goes as it is, written as nothing (an empty chunk would end the body);
        # then the last-chunk without trailers.  What is allocated per piece stays small, whatever the
        # size of the pieces.
        sep = ""
        for p in it:
            n = len(p)
            if n:
                line = (sep + "%x\r\n" % n).encode()
                if n > 512:
                    yield line
                    yield p
                else:
                    yield line + bytes(p)
                sep = "\r\n"
            else:
                yield p
        yield (sep + "0\r\n\r\n").encode()
        return
    sent = 0
    for p in it:
        sent += len(p)
        if sent > length:
            raise UsageError("body source gave more than content_length=%d bytes" % length)
        yield p
    if sent != length:
        raise UsageError("body source ended after %d of content_length=%d bytes" % (sent, length))


def early_answer(conn, exc):
    """The blocking layer could not write the whole request body (``exc``: a reset, a timeout): the
    server stopped reading, and may have answered first (RFC 9112 section 9.5: a 413, a 401).  That
    answer is read on when its first bytes are here already (within 0.01 s: CPython's TLS refuses a
    zero timeout), and the connection closes after it; else ``exc`` is raised, the connection closed."""
    try:
        conn.stream.settimeout(0.01)
        n = conn.stream.recv_some(conn._mv)
    except HTTPCError:
        n = None
    except BaseException:  # (an interrupt, no heap for the timeout: the connection is mid-request)
        conn._abort()
        raise
    if not n:
        if isinstance(exc, TimeoutError):
            exc = conn.expired(exc)  # the deadline's, by name, when it was the bound
        conn._abort()
        raise exc
    conn.reusable = False
    conn.receive_data(conn._mv[:n])
