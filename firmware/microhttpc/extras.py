"""The sans-I/O parts of the shortcuts, loaded on first use: ``Request(json=..., auth=...)``,
``Response.raise_for_status()`` (HTTPStatusError) and ``Response.iter_lines()`` (``Lines``: the body
split at LF, a CR before it dropped, each line at most ``max_line`` bytes, else LimitExceeded; a last
line without LF given too; a body already read whole is split from memory).  ``Response.text()`` and
``Response.json()`` have modules of their own (``textbody``, ``jsonbody``): a board that calls one of
them loads only its code."""

from .errors import HTTPCError, LimitExceeded, UsageError
from .rt import MICROPYTHON


class HTTPStatusError(HTTPCError):
    """``raise_for_status()`` found a 4xx or 5xx status.  ``response`` is that response."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response

    def __reduce__(self):
        # CPython's pickle (multiprocessing, concurrent.futures): the class and message; not the
        # response, which holds its connection's socket (pickling raised TypeError)
        return self.__class__, self.args


def __getattr__(name):
    # errors.JSONDecodeError is found here: in jsonbody, which loads at the first json() only (imported
    # here, json=, auth=, raise_for_status() and iter_lines() loaded it: ~2.6 KB of a board's heap)
    if name == "JSONDecodeError":
        from .jsonbody import JSONDecodeError

        return JSONDecodeError
    raise AttributeError(name)


def use_json(req, value):
    """``Request(json=value)``: the body is ``value`` as compact JSON, Content-Type application/json
    unless the caller gave one."""
    if req.form is not None or req.body is not None:
        raise UsageError("give one of body=, form= or json=")
    from json import dumps

    try:
        _json_value(value)
        # Non-ASCII text as UTF-8 on both runtimes (MicroPython's dumps() has no ensure_ascii: CPython's
        # escaped it, so the two sent different bytes for the same value).
        req.body = dumps(value, separators=(",", ":"), **({} if MICROPYTHON else {"ensure_ascii": False}))
    except RuntimeError:  # (RecursionError: nested too deep, or a list that holds itself)
        raise UsageError("json= value nested too deep (or holding itself)")
    except ValueError as exc:  # (CPython: an int of more than 4,300 digits, its int-to-str limit)
        raise UsageError("json= value that can't be written: %s" % exc)
    if req.content_type is None:
        req.content_type = "application/json"


def _json_value(v):
    """Refuse what JSON cannot carry (RFC 8259): MicroPython's dumps() wrote a set or an object as its
    repr, bytes as a string, and both runtimes wrote nan / inf (no JSON number)."""
    if v is None or isinstance(v, (str, int, bool)):  # (MicroPython: a bool is no int)
        return
    if isinstance(v, float):
        try:
            if v - v == 0:  # (nan and inf: not)
                return
        except TypeError:  # MicroPython: a float subclass has no arithmetic (its repr is the float's)
            if "n" not in repr(v):
                return
    elif isinstance(v, (list, tuple)):
        for x in v:
            _json_value(x)
        return
    elif isinstance(v, dict):  # (an OrderedDict too)
        for k in v:
            if not isinstance(k, str) or MICROPYTHON and type(k) is not str:  # (MicroPython's dumps()
                break  # wrote a str subclass key quoted twice: {""k"":1})
            _json_value(v[k])
        else:
            return
    raise UsageError("json= takes None, bool, int, float (finite), str, list, tuple and dict with str keys; "
                     "not %r" % (v,))


def basic(auth, out):
    """``Request(auth=(user, password))``: the Authorization header (RFC 7617 Basic, UTF-8) appended to
    ``out``, the caller's headers, in place of theirs (auth= wins, as in requests: both went out)."""
    from binascii import b2a_base64

    try:
        user, password = () if isinstance(auth, str) else auth  # ("up" was user "u", password "p")
    except (TypeError, ValueError):
        user = password = None
    try:
        if isinstance(user, str) and isinstance(password, str):
            v = "Basic " + b2a_base64(("%s:%s" % (user, password)).encode())[:-1].decode()  # (MicroPython: + took no str subclass)
            out[:] = [kv for kv in out if kv[0].lower() != "authorization"]
            out.append(("Authorization", v))
            return
    except UnicodeError:  # (CPython: a lone surrogate)
        pass
    from .errors import UsageError

    raise UsageError("auth= takes a (user, password) pair of str (valid Unicode)")


class Lines:
    """``iter_lines``' splitter: ``take()`` the next line, ``feed()`` the next piece of body (None at
    its end); a line longer than ``max`` is LimitExceeded.  While a line is out with the caller, the
    bytes read past it are the response's again (``lend``/``back``): a ``read()`` then gets them (they
    were lost: iter_lines stopped after two lines, read() gave 0 of the 139 bytes left)."""

    lent = None

    def __init__(self, resp, max_line):
        c = resp._conn
        self.resp = resp
        if max_line is not None:
            from .rt import load  # (not a plain import: threads, see rt.load)

            load("session").count(max_line, "max_line", 1)
        self.max = max_line if max_line is not None else c.limits[0] if c is not None else 2048
        if hasattr(resp, "body"):  # poll: the rest of its collected body, taken as the other layers' lines take
            # theirs: a read() after them gets what they left (it gave all of the body again; ConnectionLost:
            # cut); after a whole read(), what it gave, again, as text() and json() read it
            w = resp._body is not None
            body = resp.read() if w else resp.read(len(resp.body or b""))
            self.end, self.whole = True, w or None
        else:
            body = resp._body
            self.end = self.whole = body is not None or not hasattr(resp, "_next_chunk") and not hasattr(resp, "read_chunk")
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
                if n > self.max + 1:  # + 1: the CR of a CRLF may be there already (not counted then: the
                    raise self._over(n - (b[-1] == 13))  # size said 8 for a line of 7 and its CR, as it came)
                return None
            if n <= 0:
                self.done = True
                return None
            i = len(b)
        line = b[p:i]
        if line[-1:] == b"\r":
            line = line[:-1]
        if len(line) > self.max:
            raise self._over(len(line))
        self.pos = i + 1
        return line

    def feed(self, piece):
        """The next piece of body, or None for its end."""
        if piece is None:
            self.end = True
        else:
            self.buf = self.buf[self.pos :] + bytes(piece)
            self.pos = 0

    def lend(self):
        """A line goes out: what this holds past it goes back to the response as unread body (not from
        a body read whole: the response has it all, and a copy of the rest per line would be quadratic)."""
        r = self.resp
        if self.whole is None:  # (poll: the rest as a view)
            r._pending = self.lent = memoryview(self.buf)[self.pos :]
        elif not self.whole and self.pos < len(self.buf):
            self.buf, self.pos = self.buf[self.pos :], 0  # (one copy: the rest, lent as it is)
            r._pending = self.lent = self.buf + r._pending if r._pending else self.buf

    def back(self):
        """The caller asks for the next line: what was lent comes back unless a read took it."""
        r = self.resp
        if self.lent is not None:
            if r._pending is self.lent:
                r._pending = b""
            else:  # read by read(), readinto() ... in between: the lines go on after it (poll: from
                self.buf, self.pos = b"", 0  # what is left of its body, which it has whole)
                if self.whole is None:
                    self.buf, r._pending = bytes(r._pending or b""), b""
            self.lent = None

    def _conn(self):
        """After a MemoryError here (the bytes this held are lost): the connection to end, so that the
        body reads as cut (ConnectionLost), never shorter and whole; None when the response is no longer
        its connection's active one."""
        c = self.resp._conn
        return c if c is not None and c.active is self.resp else None

    def _over(self, n):
        """The line at ``pos`` is over ``max``: it and what follows go back to the response (``lend``), so
        that a read() gets the rest of the body (it gave what came after those bytes, as if whole)."""
        self.lend()
        self.buf, self.pos, self.lent = b"", 0, None
        return LimitExceeded("line of %d+ bytes is over max_line=%d" % (n, self.max), "max_line", self.max, n)

    # asyncio: ``async for`` (MicroPython has no async generators)
    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            self.back()
            while True:
                line = self.take()
                if line is not None:
                    self.lend()
                    return line
                if self.done:
                    raise StopAsyncIteration
                self.feed(await self.resp.read_chunk())
        except MemoryError:
            c = self._conn()
            if c is not None:
                await c._abort()
            raise



def lines(resp, max_line):
    """``Response.iter_lines``: ``async for`` on asyncio, else a generator (``max_line`` checked here, at
    the call, on every layer: on the blocking and poll ones it was only at the first line)."""
    s = Lines(resp, max_line)
    return s if hasattr(resp, "read_chunk") else _lines(s)


def _lines(s):
    resp = s.resp
    try:
        while True:
            line = s.take()
            if line is not None:
                s.lend()
                yield line
                s.back()
            elif s.done:
                return
            else:
                s.feed(resp._next_chunk())
    except MemoryError:  # (see Lines._conn)
        c = s._conn()
        if c is not None:
            c._abort()
        raise
