"""CPython's kernels for ``mask`` and ``utf8``, kept out of those modules so that a board never loads
them.  MicroPython never imports this module (it uses ``_viper`` or the plain loops).

- ``mask_translate``: four strided ``bytearray.translate`` calls, one per key byte, through 256-byte
  XOR tables made on first use (C speed; about 5x the big-integer version on 1 MiB);
- ``mask_bigint``: one big-integer XOR over the whole slice (for a memoryview, which has no
  ``translate``; it would allocate two payload-sized integers, so a board never uses it);
- ``validate``: UTF-8 checking with CPython's own decoder (C speed) for the bulk of a chunk;
- ``read_body``: a whole Content-Length body read straight into the bytes object returned;
- ``resolve``: name resolution bounded by a timeout (``getaddrinfo`` in a helper thread);
- ``contiguous``: ``readinto()``'s buffer check, strided views refused too;
- the three ``errors`` classes with a second, built-in base: ``ConnectError`` and ``ConnectionLost``
  are ConnectionErrors, ``TimeoutError`` is the builtin TimeoutError (``except TimeoutError`` catches
  it as it does socket timeouts).
"""

import builtins
import io

from .errors import HTTPCError


class ConnectError(HTTPCError, ConnectionError):
    """Name resolution, TCP connect or the TLS handshake failed."""


class TimeoutError(HTTPCError, builtins.TimeoutError):  # noqa: A001
    """An operation made no progress within its timeout."""


class ConnectionLost(HTTPCError, ConnectionError):
    """The peer closed (or reset) the TCP connection when more data was expected."""


class _Body(io.RawIOBase):
    def __init__(self, fill):
        self.readinto = fill

    def readable(self):
        return True


def read_body(readinto, size):
    """A whole body of ``size`` bytes as one bytes object, read by ``readinto(view)`` (a Response's):
    with a one-byte buffer, io.BufferedReader.read() reads straight into the object it returns (as
    http.client does), so a large body is neither copied nor held twice."""
    body = io.BufferedReader(_Body(readinto), 1).read(size)
    if len(body) != size:  # (an early end raises in readinto: not expected)
        raise ConnectionLost("connection closed with %d body bytes still expected" % (size - len(body)))
    return body


def mask_bigint(buf, start, end, key):
    n = end - start
    if n <= 0:
        return
    reps = (n + 3) >> 2
    k = int.from_bytes(bytes(key) * reps, "little")
    v = int.from_bytes(buf[start:end], "little") ^ k
    buf[start:end] = v.to_bytes(reps * 4, "little")[:n]


_XOR_TABLES = {}


def _xor_table(k):
    t = _XOR_TABLES.get(k)
    if t is None:
        t = _XOR_TABLES[k] = bytes([b ^ k for b in range(256)])
    return t


def mask_translate(buf, start, end, key):
    if not isinstance(buf, bytearray):  # a memoryview (a lent frame buffer) has no translate()
        mask_bigint(buf, start, end, key)
        return
    for j in range(4):
        s = start + j
        if s < end:
            buf[s:end:4] = buf[s:end:4].translate(_xor_table(key[j]))


def validate(data, state=0):
    """utf8.validate() on CPython.  The decoder judges the chunk at once; where it stops (at an
    invalid sequence, or at an incomplete one at the end) validate_plain() takes over: it refuses the
    invalid sequence within its first bytes, or returns the int state of the incomplete tail (at most
    3 bytes), which finishes the sequence at the start of the next chunk, with validate_plain() again.
    (The decoder's own incremental state is not used: it holds back an incomplete tail without judging
    it, so b"\\xed\\xa0" would wait for a third byte before the surrogate is refused.)"""
    if state:
        if state < 0:
            return -1
        need = state & 3
        state = validate_plain(data[:need], state)
        if state:  # invalid, or the chunk ended inside the sequence
            return state
        data = memoryview(data)[need:]
    try:
        str(data, "utf-8")
    except UnicodeDecodeError as exc:
        return validate_plain(memoryview(data)[exc.start :], 0)
    return 0


# Last, after validate(): utf8 imports validate from here, and this module may be imported first (by
# mask) or from utf8's own import; either way each side finds the name it needs already defined.
from .utf8 import validate_plain  # noqa: E402


def _is_ip_literal(host):
    if ":" in host:
        return True  # IPv6
    parts = host.split(".")
    return len(parts) == 4 and all(p.isascii() and p.isdigit() for p in parts)  # (ASCII: "\u0661\u0662\u0667"
    # was one, and resolved with no connect_timeout bound, as an IDNA name)


def resolve(getaddrinfo, host, port, timeout):
    """``getaddrinfo(host, port)`` given up after ``timeout`` s (TimeoutError); the helper thread
    finishes on its own later.  Address literals, and builds without threads, resolve directly."""
    from .errors import TimeoutError

    if _is_ip_literal(host):
        return getaddrinfo(host, port)
    try:
        import threading
    except ImportError:  # a build without threads
        return getaddrinfo(host, port)
    box = []

    def work():
        try:
            box.append(getaddrinfo(host, port))
        except BaseException as exc:  # handed to the caller's thread
            box.append(exc)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(timeout)
    if not box:
        raise TimeoutError("resolving %r took longer than %s s" % (host, timeout))
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def encode(text):
    """``text`` as UTF-8 for a WebSocket payload (``wsession.payload``; MicroPython's str is always
    valid UTF-8, CPython's may hold a lone surrogate)."""
    try:
        return text.encode()
    except UnicodeError:
        from .errors import UsageError

        raise UsageError("text that is not valid Unicode (a lone surrogate?): %r" % (text[:40],))


def payload(check):
    """``wsession.payload`` on CPython: a memoryview of items that are not unsigned bytes (``array('b')``,
    ``cast('c')``), or not of one dimension, is made a view (or a copy) of its bytes first.  A frame is built by assignment into a
    view of bytes (a lent buffer, a message's own), which refused them with a bare ValueError."""

    def payload(data):
        if type(data) is memoryview:
            try:
                odd = data.format != "B" or data.ndim != 1  # (0-d, 2-d: indexing failed too)
            except ValueError:  # (released: a bare ValueError)
                from .errors import UsageError

                raise UsageError("a released memoryview can't be sent")
            if odd:
                try:
                    data = data.cast("B")
                except TypeError:  # not contiguous, zeros in its shape, 0-d: a copy
                    data = data.tobytes()
        return check(data)

    return payload


def host_header(host):
    """A host name with non-ASCII characters in its ASCII (IDNA) form, for the Host header
    (``session.host_header``); one the codec refuses (a lone surrogate too, as a byte that sys.argv
    could not decode gives): UsageError."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        from .errors import UsageError

        raise UsageError("host name %r has no IDNA form" % (host,))


def contiguous(into):
    """``Response._into`` with one more check, CPython's only: a strided view (``m[::2]``, which
    MicroPython never makes) is UsageError too (a socket takes none: a bare TypeError before)."""

    def _into(self, buf):
        b = into(self, buf)
        if not memoryview(b).c_contiguous:
            from .errors import UsageError

            raise UsageError("readinto() takes a contiguous buffer, not a strided view")
        return b

    return _into


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def __getattr__(name):
    """``from ._cpython import tokens``: http11's one name for its CPython patches (its module code then
    costs a board nothing more: a call there shifted MicroPython's heap at the edge of a 128K test).
    Returns ``ascii_tokens`` (``Headers._tokens``), and sets ``Headers._key`` to take a str with a lone
    surrogate (``get("\\ud800")``: the default, as on MicroPython; str.encode() raised a bare
    UnicodeEncodeError here).  Not kept as a name: each import of http11 patches its own class."""
    if name != "tokens":
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import sys

    cls = sys.modules[__name__.rpartition(".")[0] + ".http11"].Headers
    key = cls._key

    def _key(self, name):
        return key(self, name.encode("utf-8", "surrogatepass") if type(name) is str else name)

    cls._key = _key
    return ascii_tokens


def ascii_tokens(headers, key):
    """``http11.Headers._tokens`` on CPython: a header's comma-separated tokens, lower-cased and
    stripped as MicroPython does, ASCII letters and spaces only (CPython's str.lower() made the Kelvin
    sign a "k": "chun\u212aed" was chunked here and not there; its strip() took U+00A0 and the like)."""
    out = []
    for v in headers._values(key):
        for t in v.split(","):
            t = t.strip(" \t\n\r\x0b\x0c").translate(_ASCII_LOWER)
            if t:
                out.append(t)
    return out
