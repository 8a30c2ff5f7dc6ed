"""One-call requests, as in ``requests`` (loaded on first use; the asyncio ones are in ``aio``):

    import microhttpc
    r = microhttpc.get("http://example.com/items", query={"q": 1}).raise_for_status()
    print(r.status, r.json())
    microhttpc.post("http://example.com/items", json={"a": 1}, auth=("user", "secret"))
    microhttpc.close_all()                  # close the connections kept between calls

``request(method, url, **kw)`` (here: ``microhttpc.api.request``, since ``microhttpc.request`` is the
module of ``Request``) and ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``.  Each origin
(scheme, host, port, and the TLS settings ``ssl_context``, ``cadata``, ``verify``) keeps one keep-alive
``Connection`` between calls; one the server closed is reopened.  Redirects are followed
(``follow_redirects=10``; 0 returns the 3xx).  The body is read before the call returns (at most
``max_body`` bytes, default 1 MiB; ``on_body`` streams it instead), so ``read()``, ``text()``,
``json()`` and ``iter_lines()`` work afterwards.  ``timeout`` (30 s) and ``connect_timeout`` (10 s)
apply to the call; every other keyword is a ``Request`` keyword (headers, query, body, json, form,
auth, content_type, deadline ...).

``iter_lines()`` of the blocking and asyncio responses is here too (``Lines``): the body split at LF
(a CR before it dropped), each line at most ``max_line`` bytes (LimitExceeded), a last line without LF
given too; a body already read whole is split from memory.
"""

from .errors import HTTPCError, LimitExceeded, UsageError

_POOL = {}


class HTTPStatusError(HTTPCError):
    """``raise_for_status()`` found a 4xx or 5xx status.  ``response`` is that response."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response


def use_json(req, value):
    """``Request(json=value)``: the body is ``value`` as compact JSON, Content-Type application/json
    unless the caller gave one."""
    if req.form is not None or req.body is not None:
        raise UsageError("give one of body=, form= or json=")
    from json import dumps

    req.body = dumps(value, separators=(",", ":"))
    if req.content_type is None:
        req.content_type = "application/json"


def basic(auth):
    """``Request(auth=(user, password))``: the Authorization header (RFC 7617 Basic, UTF-8)."""
    from binascii import b2a_base64

    user, password = auth
    return "Authorization", "Basic " + b2a_base64((user + ":" + password).encode())[:-1].decode()


def pooled(pool, url, tls_kw, kind):
    """(connection of ``url``'s origin, taken out of the pool, or a new one; pool key; target)."""
    from .urls import split_url

    scheme, host, port, target = split_url(url)
    if scheme not in ("http", "https"):
        raise UsageError("expected an http:// or https:// URL, got %r" % (url,))
    key = (scheme, host.lower(), port) + tls_kw
    conn = pool.pop(key, None)
    if conn is None:
        conn = kind(host, port, tls=scheme == "https", ssl_context=tls_kw[0], cadata=tls_kw[1],
                    verify=tls_kw[2])
    return conn, key, target


def give_back(pool, conn, key):
    """Keep ``conn`` for the next call to its origin: None, or ``conn`` when there is one already
    (another call put its own back meanwhile) and this one must be closed."""
    if key in pool:
        return conn
    pool[key] = conn
    return None


def request(method, url, timeout=30.0, connect_timeout=10.0, max_body=1 << 20, follow_redirects=10,
            ssl_context=None, cadata=None, verify=True, **kw):
    """Send one request to ``url`` and return its Response with the body read."""
    from .client import Connection

    conn, key, target = pooled(_POOL, url, (ssl_context, cadata, verify), Connection)
    conn.timeout = timeout
    conn.connect_timeout = connect_timeout
    conn.max_body = max_body
    try:
        r = conn.request(method, target, follow_redirects=follow_redirects, **kw)
        r.read()
        return r
    finally:
        extra = give_back(_POOL, conn, key)
        if extra is not None:
            extra.close()


def get(url, **kw):
    return request("GET", url, **kw)


def post(url, **kw):
    return request("POST", url, **kw)


def put(url, **kw):
    return request("PUT", url, **kw)


def patch(url, **kw):
    return request("PATCH", url, **kw)


def delete(url, **kw):
    return request("DELETE", url, **kw)


def head(url, **kw):
    return request("HEAD", url, **kw)


def close_all():
    """Close the connections kept between calls (the next call opens a new one)."""
    while _POOL:
        _POOL.popitem()[1].close()


# -- iter_lines --------------------------------------------------------------------------------------
class Lines:
    def __init__(self, resp, max_line):
        c = getattr(resp, "_conn", None) or getattr(resp, "transaction", None)
        c = getattr(c, "conn", c)  # poll: the Transaction's connection
        body = resp.body if hasattr(resp, "body") else resp._body  # poll: the collected body
        self.resp = resp
        self.max = max_line if max_line is not None else c.limits[0] if c is not None else 2048
        self.end = body is not None or not hasattr(resp, "_next_chunk") and not hasattr(resp, "read_chunk")
        self.buf = body or b""
        self.pos = 0
        self.done = False

    def take(self):
        """The next line; None when more input is needed (``feed``), or at the end (``done``)."""
        b = self.buf
        p = self.pos
        i = b.find(b"\n", p)
        if i < 0:
            n = len(b) - p
            if not self.end:
                if n > self.max + 1:  # + 1: the CR of a CRLF may be there already
                    raise self._over(n)
                return None
            if n <= 0:
                self.done = True
                return None
            i = len(b)
        line = b[p:i]
        self.pos = i + 1
        if line[-1:] == b"\r":
            line = line[:-1]
        if len(line) > self.max:
            raise self._over(len(line))
        return line

    def feed(self, piece):
        if piece is None:
            self.end = True
        else:
            self.buf = self.buf[self.pos :] + bytes(piece)
            self.pos = 0

    def _over(self, n):
        return LimitExceeded("line of %d+ bytes is over max_line=%d" % (n, self.max), "max_line", self.max, n)

    # asyncio: ``async for`` (MicroPython has no async generators)
    def __aiter__(self):
        return self

    async def __anext__(self):
        while True:
            line = self.take()
            if line is not None:
                return line
            if self.done:
                raise StopAsyncIteration
            self.feed(await self.resp.read_chunk())



def lines(resp, max_line):
    """``Response.iter_lines``: ``async for`` on asyncio, else a generator."""
    return Lines(resp, max_line) if hasattr(resp, "read_chunk") else _lines(resp, max_line)


def _lines(resp, max_line):
    s = Lines(resp, max_line)
    while True:
        line = s.take()
        if line is not None:
            yield line
        elif s.done:
            return
        else:
            s.feed(resp._next_chunk())
