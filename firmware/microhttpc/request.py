"""Sans-I/O HTTP/1.1 requests: the ``Request`` object and query strings.

Owns: turning a ``Request`` (method, target, query table or hook, header table or hook, body from
bytes / a callback / an iterator / a file, or a form) into the bytes that go on the wire: one
``head()`` (request line + headers, sent with one write) and a ``body_pieces()`` iterator (already
framed: chunked when the length is unknown).  Percent-encoding (RFC 3986), form encoding and body
sources are in ``bodies``, URLs and redirects in ``urls``: each is loaded only when a request needs it.

Must not: touch sockets, clocks or entropy (forms get their boundary from an injected ``rng``).
The blocking ``client.Connection`` and the non-blocking layers both build requests here, so the
rules exist once.
"""

from .errors import UsageError
from .session import callables, count, seconds
from . import http11


def _pairs(table):
    """A dict, a list of pairs, or a callable returning either, as a list of pairs; TypeError for an
    item that is no tuple or list (a str or bytes of two was unpacked as a name and a value: ``[b"ab"]``
    sent the header ``97: 98``, ``query=["ab"]`` ``?a=b``)."""
    if table is None:
        return []
    if callable(table) and not isinstance(table, (dict, list, tuple)):
        table = table()
    if isinstance(table, dict):
        return list(table.items())
    table = list(table)
    for kv in table:
        if not isinstance(kv, (tuple, list)):  # (a memoryview or an array of two items too)
            raise TypeError
    return table


def __getattr__(name):
    # Percent-encoding and body sources are in ``bodies`` (loaded by the first request that needs
    # them); they stay reachable here.
    if name in ("quote", "encode_pairs", "source_pieces"):
        from . import bodies

        return getattr(bodies, name)
    raise AttributeError(name)


def split_url(url):
    """``scheme://host[:port]/path?query`` -> (scheme, host, port, target): see ``urlsplit.split_url``."""
    from .urls import split_url  # (not urlsplit: one name fewer for every path that loads this module)

    return split_url(url)


class Request:
    """One HTTP request (HTTPc's request object plus its parameters).

    ``method``: any token (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE ...).
    ``target``: a path (``/a/b?x=1``) or an absolute URI of the connection's origin.
    ``query``: a dict, a list of pairs (value None: the key alone; a list of values: the key once for
    each) or a callable returning one; appended to the target, percent-encoded (RFC 3986).
    ``headers``: a dict, a list of pairs, or a callable returning one; any token names; CR, LF and NUL
    refused.  Host, Content-Length and Transfer-Encoding are generated (HeaderNotAllowed).
    ``body``: bytes/str; a file object; a callable ``fn(buf) -> n``; or an iterable of chunks.  With
    ``content_length`` (or a bytes or str body) it is sent with Content-Length, else chunked.
    ``form``: a dict or list of pairs sent as application/x-www-form-urlencoded, or (when a value is a
    ``forms.Value``/``forms.File``, or ``multipart=True``) as multipart/form-data.
    ``json``: a value sent as compact JSON (Content-Type application/json unless ``content_type`` or
    the headers give one).  ``content_type``: sets Content-Type for ``body``.  ``auth``: a (user,
    password) pair of str sent as Basic Authorization (dropped when a redirect leaves the origin).
    Response hooks: ``on_header(name, value)`` for each response header, ``on_body(chunk)`` to stream
    the body (the Response then comes back already read).  ``follow_redirects``: how many redirects
    to follow (None: the connection's setting).  ``deadline``: seconds for the whole exchange (None: the
    connection's ``deadline``).  ``user_data`` is yours.
    """

    headers = query = body = content_length = form = multipart = content_type = None
    on_header = on_body = follow_redirects = user_data = rng = deadline = auth = None
    sent_length = sent_target = None  # set by prepare(), and keep_alive (False: the caller's headers
    # say Connection: close)

    def __init__(self, method="GET", target="/", headers=None, query=None, body=None, content_length=None,
                 form=None, multipart=None, content_type=None, on_header=None, on_body=None,
                 follow_redirects=None, user_data=None, rng=None, deadline=None, json=None, auth=None, **kw):
        if kw:  # (a TypeError before; requests' names are the usual slip)
            raise UsageError("unknown request keyword %r (requests' params= is query= here, data= is form= or "
                             "body=, files= is form= with multipart=True and forms.File values, allow_redirects= is follow_redirects=; "
                             "timeout= is the connection's, deadline= bounds one request)"
                             % (next(iter(kw)),))
        if type(method) is not str or type(target) is not str:
            raise UsageError("the method and the target are str, not %r and %r" % (method, target))
        if not http11._is_token(method):  # (before upper(): CPython's turns "ß" into "SS")
            raise UsageError("invalid method %r" % (method,))
        self.method = method.upper()
        self.target = target or "/"
        # Parameters left at None stay class attributes: a plain GET's table has room for what
        # prepare() adds, instead of growing (a new 368-byte table) as the request goes out.
        if headers is not None:  # (an iterator: listed, as form=; a Request sent twice lost them)
            self.headers = list(headers) if hasattr(headers, "__next__") else headers
        if query is not None:
            self.query = query
        if body is not None:
            self.body = body
        if content_length is not None:
            self.content_length = content_length
        if form is not None:
            if hasattr(form, "__next__"):  # (an iterator is read more than once, for its kind and its pairs:
                from .bodies import pairs  # it went out empty)

                form = pairs(form)
            self.form = form
        if multipart is not None:
            if type(multipart) is not bool or multipart and form is None:
                # (multipart={"f": ...} went out as an empty body: the fields go in form=)
                raise UsageError("multipart is True or False, with the fields in form=, not %r" % (multipart,))
            self.multipart = multipart
        if content_type is not None:
            self.content_type = content_type
        callables(on_header, on_body, rng)  # (rng=5 was a bare TypeError when a multipart form was built)
        if on_header is not None:
            self.on_header = on_header
        if on_body is not None:
            self.on_body = on_body
        if follow_redirects is not None:
            self.follow_redirects = count(0 if follow_redirects is False else follow_redirects, "follow_redirects")  # (as on a connection)
        if user_data is not None:
            self.user_data = user_data
        if rng is not None:
            self.rng = rng
        if deadline is not None:
            # (a redirect's is the chain's (tick, seconds): urls.next_hop sets it after; a tuple given
            # here, (0, 5) or ("a",), was taken as one: at once a TimeoutError, or a bare TypeError)
            self.deadline = seconds(deadline, "deadline")
        if auth is not None:
            self.auth = auth
        if json is not None:
            from .extras import use_json

            use_json(self, json)
        if form is not None and body is not None:
            raise UsageError("give either body= or form=, not both")

    # -- headers and body framing ------------------------------------------------------------------
    def user_headers(self):
        """The caller's headers (table or hook result) as checked (name, value) pairs."""
        out = []
        try:
            for k, v in _pairs(self.headers):
                k, v = _header_value(k), _header_value(v)  # (MicroPython: a str subclass is no str to join)
                http11.check_header(k, v)
                # RFC 9110 section 7.2 Host, RFC 9112 section 6 body framing
                if k.lower() in ("host", "content-length", "transfer-encoding"):
                    raise _not_allowed("%s is generated by the client; remove it from the headers" % k)
                out.append((k, v))
        except (TypeError, ValueError):  # not a table of (name, value) pairs
            raise UsageError("headers must be a dict or (name, value) pairs: %r" % (self.headers,))
        if self.auth is not None:
            from .extras import basic

            basic(self.auth, out)
        return out

    def replayable(self):
        """True when the body can be sent again (redirect 307/308, retry on a stale connection)."""
        b = self.body
        if b is None:
            if self.form is None:
                return True
            from .bodies import streams

            return not streams(self.form)
        try:  # (an array: its bytes, copied at each send)
            return isinstance(b, (bytes, bytearray, memoryview, str)) or memoryview(b) is not None
        except TypeError:
            return False

    def prepare(self, host_header, close=False, headers=None, target=None):
        """Fix the framing: returns (head_bytes, body), where ``body`` is None, bytes (small enough to
        go with the head, or whole) or a source for ``body_pieces``.

        ``headers`` overrides the resolved user headers (redirects reuse them without calling a hook
        twice); ``target`` overrides ``self.target`` (a path).  Sets ``self.sent_length`` (None when chunked)
        and ``self.sent_target`` (the request-target as sent, query included).
        """
        # Every header that reaches the wire is checked (http11.check_header: no CR, LF or NUL that
        # could start another header): the caller's, the Host value (the session's was checked when it
        # was made, before any I/O: session.host_header) and the Content-Type.
        http11.check_header("Host", host_header)
        hdrs = self.user_headers() if headers is None else headers
        lower = [k.lower() for k, _ in hdrs]
        ctype = self.content_type
        body = self.body
        length = self.content_length
        if length is not None and (type(length) is not int or length < 0):
            raise UsageError("content_length must be an int, 0 or more: %r" % (length,))
        if self.form is not None:
            from .bodies import form_body

            body, ctype, length = form_body(self, "content-type" in lower or ctype is not None, length)
        if isinstance(body, str):
            try:
                body = body.encode()
            except UnicodeError:  # CPython: a lone surrogate (MicroPython encodes it as it is)
                raise UsageError("a str body that is not valid Unicode (a lone surrogate?): %r" % (body[:40],))
        if body is not None and not isinstance(body, (bytes, bytearray, memoryview)):
            try:  # an array (a board's usual buffer), any object with the buffer protocol: a copy of its bytes
                memoryview(body)  # (it went out as a source of chunks, its items, ints: UsageError after the
                body = bytes(body)  # head; a view of it, kept by a request queued on poll, outlived a resize)
            except TypeError:
                pass
        if isinstance(body, memoryview) and len(body):
            try:
                if len(bytes(body[:1])) != 1 or not getattr(body, "contiguous", 1):
                    raise TypeError
            except TypeError:
                # items wider than a byte (an array's): len() counted items, not bytes; CPython, a strided view
                # (m[::2]): its bytes went out as a contiguous run, or BufferError; a 0-d one can't be sliced
                body = bytes(body)
        if body is None and length:
            body = b""  # (content_length=10 without a body: sent as 0 or left out, without a word)
        if isinstance(body, (bytes, bytearray, memoryview)):
            if length is not None and length != len(body):
                raise UsageError("content_length=%d but the body has %d bytes" % (length, len(body)))
            length = len(body)
        elif body is not None:
            self.body_pieces(body, None)  # (no buffer: only the check) a body that is no source: UsageError now
        out = [("Host", host_header)]
        if body is None:
            if self.method in ("POST", "PUT", "PATCH"):
                out.append(("Content-Length", "0"))  # RFC 9110 section 8.6: a body-carrying method
            length = 0
        elif length is not None:
            out.append(("Content-Length", str(length)))
        else:
            out.append(("Transfer-Encoding", "chunked"))
        if ctype is not None and "content-type" not in lower:
            ctype = _header_value(ctype)
            http11.check_header("Content-Type", ctype)
            out.append(("Content-Type", ctype))
        if close and "connection" not in lower:
            out.append(("Connection", "close"))
        self.keep_alive = "connection" not in lower or "close" not in str(hdrs[lower.index("connection")][1]).lower()
        out.extend(hdrs)
        # The origin-form target with the query table or hook appended.  It must be a path: the client
        # turns an absolute URI of its origin into a path first.
        # A fragment is not sent (RFC 9110 section 4.2.4).  ("#" made from bytes: a string constant new
        # to these modules would take a block of the qstr pool, ~3 KB of heap when they run from ROMFS,
        # and so would chr(35), which MicroPython interns, at the first request.)
        t = (self.target if target is None else target).split(str(b"#", "utf-8"), 1)[0]
        if not t.startswith("/") and (t != "*" or self.method != "OPTIONS" or self.query is not None):
            raise UsageError("request target must be a path starting with '/' or an absolute URI (or * alone, "
                             "with OPTIONS: RFC 9112 section 3.2.4): %r" % (t,))
        if self.query is not None:
            from .bodies import query

            t = query(t, self)
        self.sent_length = length
        self.sent_target = t
        return http11.build_request_head(self.method, t, out), body

    def body_pieces(self, body, buf):
        """Yield the framed body bytes for ``body`` from ``prepare()`` (chunked framing when the length
        was unknown; the byte count checked against Content-Length when it was known).  The code is in
        ``bodies``, loaded with the first body that is not sent whole."""
        from .bodies import body_pieces

        return body_pieces(self, body, buf)


def request(method, target, headers, body, kw):
    """The Request of a layer's ``request(method, target, headers, body, **kw)``: ``method`` itself
    when it is a ready Request (then nothing else may be given: UsageError), else a new one."""
    if not isinstance(method, Request):
        return Request(method, target, headers=headers, body=body, **kw)
    if target != "/" or headers is not None or body is not None or kw:
        raise UsageError("give either a Request or method/target/headers/body, not both")
    return method


def _header_value(v):
    """A header value as str: bytes are decoded (UTF-8), a number goes through str(); anything else
    (None, a list: "None" and "[1, 2]" went out) is UsageError."""
    if type(v) is str:
        return v
    if isinstance(v, (bytes, bytearray)):
        try:
            s = str(v, "utf-8")  # (MicroPython's decoder checks the structure only: it took overlong forms
            if len(s) != len(v) and http11.decode_text(v) != s:  # and encoded surrogates, which
                raise UnicodeError  # decode_text reads as Latin-1.  No name more: a qstr step on aio's path)
        except UnicodeError:
            raise UsageError("header value %r is not UTF-8" % (v,))
        return s
    if isinstance(v, str) or type(v) is int or type(v) is float:  # (a str subclass: MicroPython's join()
        return str(v)  # refused it, a bare TypeError)
    raise UsageError("a header value is str, bytes or a number, not %r" % (v,))


def _not_allowed(msg):
    from .errors2 import HeaderNotAllowed

    return HeaderNotAllowed(msg)
