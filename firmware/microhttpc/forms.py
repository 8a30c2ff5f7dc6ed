"""Sans-I/O form bodies: multipart/form-data (RFC 7578) with values and files streamed from callbacks or
file objects.  (application/x-www-form-urlencoded is one line in ``request.encode_pairs``.)

Owns: the part layout, the boundary (random, from an injected ``rng``; default ``os.urandom``), the
escaping of field and file names, and the length of the whole body when every part's length is
known (so it goes with Content-Length; otherwise the request is sent chunked).  Must not: touch
sockets or clocks.  Imported only when a request has a multipart form, so ``import microhttpc``
stays cheap.

    form = [("name", "value"),
            ("notes", forms.Value(read_cb, length=120)),                      # HTTPc KEY_VAL_EXT
            ("upload", forms.File(open("log.txt", "rb"), "log.txt", "text/plain"))]
    conn.request("POST", "/upload", form=form)
"""

from .errors import UsageError
from .http11 import check_header
from .bodies import _source, _utf8, source_pieces
from .request import _header_value

_CRLF = b"\r\n"


class Value:
    """A form value streamed from ``source`` (a callable ``fn(buf) -> n``, a file object, an iterable of
    chunks, or bytes).  ``length`` in bytes, if known (None makes the whole request chunked)."""

    def __init__(self, source, length=None, content_type=None):
        if type(source) is memoryview:
            try:
                source[:0]
            except TypeError:  # (CPython: a 0-d view can't be sliced: its bytes)
                source = bytes(source)
        self.source = source
        self.length = _length(source, length)
        self.filename = None
        self.content_type = content_type


class File(Value):
    """A file part: ``source`` as for Value (typically ``open(path, "rb")``), ``filename`` as the
    server should see it, ``content_type`` of the data.  ``length`` defaults to the size of a bytes
    source, or of a file object that can ``seek`` to its end."""

    def __init__(self, source, filename, content_type="application/octet-stream", length=None):
        super().__init__(source, length, content_type)
        self.filename = filename


def _length(source, length):
    if length is not None:
        if type(length) is not int or length < 0:  # (3.0 went out as "Content-Length: 135.0")
            raise UsageError("a form value's length must be an int, 0 or more: %r" % (length,))
        return length
    if isinstance(source, str):
        return len(_utf8(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source) and len(source) * len(bytes(source[:1]))  # (bytes: an array's items are wider)
    if hasattr(source, "seek") and hasattr(source, "tell") and not hasattr(source, "encoding"):
        # (not a text file of CPython: its positions count characters, and its bytes are UTF-8: the
        # length is unknown, the request chunked; a StringIO of "héllo" said 5 for 6 bytes)
        try:
            here = source.tell()
            if type(here) is int:  # (else unknown: a tell() that gave None left the source at its end, 3.0
                end = source.seek(0, 2)  # went out as "Content-Length: 135.0")
                source.seek(here)
                if end is None:  # some ports return None from seek
                    end = source.tell()
                if type(end) is int:
                    return end - here
        except (OSError, AttributeError, ValueError):
            pass
    return None


def _quoted(name, what):
    """A name for a Content-Disposition quoted-string: the HTML form rules escape '"', CR and LF as
    %22, %0D and %0A (RFC 7578 section 4.2 leaves the encoding to the form's producer), so a field
    or file name cannot end the string or start another header.  NUL has no such rule: refused.  A
    backslash goes as it is (as browsers and urllib3 send it; a parser of RFC 9110's quoted-string
    reads it as an escape), but a last one as %5C: for such a parser it escaped the closing quote,
    and the rest of the header was read as the name (a file name could set parameters)."""
    if isinstance(name, (bytes, bytearray, memoryview)):
        try:
            name = _header_value(bytes(name))  # (UTF-8 checked on both runtimes alike)
        except UsageError:
            raise UsageError("form %s is not UTF-8: %r" % (what, name))
    elif type(name) is int or type(name) is float:
        name = str(name)
    elif not isinstance(name, str):  # (None, a list: "None" and "['a']" went out)
        raise UsageError("a form %s is str, bytes or a number, not %r" % (what, name))
    _utf8(name)  # (CPython: a lone surrogate, UsageError here rather than UnicodeEncodeError later)
    if "\0" in name:
        raise UsageError("form %s must not contain NUL: %r" % (what, name))
    if name.endswith("\\"):
        name = name[:-1] + "%5C"
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class Multipart:
    """The multipart/form-data body of ``pairs`` ((name, value) with str/bytes/number, Value or File)."""

    def __init__(self, pairs, rng=None):
        if rng is None:
            from .rt import urandom as rng
        # RFC 2046 section 5.1.1: up to 70 characters; 24 random bytes in hex cannot occur by chance.
        r = rng(12)
        if not isinstance(r, (bytes, bytearray)) or len(r) != 12:  # (a str: a bare TypeError)
            raise UsageError("rng(12) must return 12 random bytes, not %r" % (r,))
        self.boundary = "----microhttpc" + "".join(["%02x" % b for b in r])
        self.content_type = "multipart/form-data; boundary=" + self.boundary
        self.parts = []
        total = 0
        for name, value in pairs:
            if value is None:
                value = b""
            if isinstance(value, (int, float)):
                value = str(value)
            if not isinstance(value, Value):
                value = Value(value)
            _source(value.source)
            # Each part header goes through check_header like a request header (no CR, LF or NUL).
            disp = 'form-data; name="%s"' % _quoted(name, "field name")
            if value.filename is not None:
                disp += '; filename="%s"' % _quoted(value.filename, "file name")
            check_header("Content-Disposition", disp)
            head = ["--", self.boundary, "\r\nContent-Disposition: ", disp]
            if value.content_type is not None:
                ct = _header_value(value.content_type)
                check_header("Content-Type", ct)
                head.append("\r\nContent-Type: " + ct)
            head.append("\r\n\r\n")
            head = "".join(head).encode()
            self.parts.append((head, value))
            if total is not None:
                total = None if value.length is None else total + len(head) + value.length + 2
        self._tail = ("--%s--\r\n" % self.boundary).encode()
        self.length = None if total is None else total + len(self._tail)

    def pieces(self, buf):
        """Yield the body: each part's head, its data (streamed through ``buf``), CRLF; the close line."""
        for head, value in self.parts:
            yield head
            n = 0
            for p in source_pieces(value.source, buf):
                n += len(p)
                if value.length is not None and n > value.length:
                    raise UsageError("form value gave more than its length=%d bytes" % value.length)
                yield p
            if value.length is not None and n != value.length:
                raise UsageError("form value ended after %d of its length=%d bytes" % (n, value.length))
            yield _CRLF
        yield self._tail
