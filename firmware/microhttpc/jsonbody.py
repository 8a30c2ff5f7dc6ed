"""``Response.json()``: the body parsed as JSON (``json``; JSONDecodeError when it is not).  A module of
its own, loaded at the first ``json()``: 2.4 KB of heap (``.mpy`` on the 64-bit unix port, each module
alone after the HTTP ones), where the shortcuts' one module held 13.4 KB (``text()``'s decoding, now
``textbody``: 4.4 KB; the rest, ``extras``: 4.2 KB).
"""

from .errors import HTTPCError, LimitExceeded
from .rt import MICROPYTHON


if MICROPYTHON:  # (one built-in base per class there: an OSError, see errors)

    class JSONDecodeError(HTTPCError):  # pyright: ignore[reportRedeclaration]
        """``json()`` found a body that is not JSON (or not UTF-8, or nested deeper than the parser
        goes).  On CPython a ValueError too, as the json module's own error and requests' are."""

else:

    class JSONDecodeError(HTTPCError, ValueError):
        """``json()`` found a body that is not JSON (or not UTF-8, or nested deeper than the parser
        goes).  On CPython a ValueError too, as the json module's own error and requests' are."""


def json(body, headers=None):
    """``Response.json()``: the body parsed as JSON; JSONDecodeError when it is not JSON (a server's
    fault is a microhttpc error, not the parser's ValueError or a RecursionError), or has a content
    coding (Content-Encoding in ``headers``: the package undoes none; see ``textbody.coded``)."""
    from json import loads

    from .utf8 import validate

    c = body and headers is not None and headers.get("content-encoding")  # (as textbody.coded: not for an
    if c and c.lower().replace("identity", "").replace(",", " ").strip():  # empty body, nor identity alone)
        raise JSONDecodeError("the body is %s-coded (Content-Encoding), not JSON as it came: read() gives it so" % c)

    if body[:3] == b"\xef\xbb\xbf":  # a byte order mark, which RFC 8259 section 8.1 lets a parser ignore
        body = body[3:]  # (CPython's does; MicroPython's refused the body)
    try:
        if validate(body, 0) != 0:  # (RFC 8259: UTF-8.  MicroPython's parser took any bytes: an overlong
            raise ValueError("not UTF-8")  # "/" came through; CPython's took encoded surrogates)
        # NaN, Infinity: not JSON (RFC 8259 section 6; MicroPython's parser refuses them already, and
        # takes no parse_constant)
        if MICROPYTHON:
            return loads(_escapes(body) if b"\\" in body else body)
        # (CPython's parser reads bytes as UTF-16 or UTF-32 where NULs say so: the text decoded as UTF-8)
        return loads(str(body, "utf-8"), parse_constant=_not_json)  # pyright: ignore[reportCallIssue] (CPython's)
    except MemoryError:  # (first: a tuple of classes to match is built on MicroPython's heap)
        raise _unfit(body)
    except (ValueError, RuntimeError) as exc:  # (RecursionError: a RuntimeError; UnicodeError: a ValueError)
        raise JSONDecodeError("the body is not JSON: %s: %s" % (exc.__class__.__name__, exc))


def _escapes(b):
    """MicroPython: the escapes of a JSON body checked and its surrogates settled before its parser reads
    it.  That parser reads each ``\\uXXXX`` alone: an escaped surrogate pair (a character beyond U+FFFF,
    as CPython's json.dumps sends an emoji by default) became two surrogates, a str whose bytes are not
    UTF-8, silently; and it took ``\\x41`` or ``\\uZZZZ``.  A pair becomes the UTF-8 of its character,
    a lone surrogate U+FFFD (CPython keeps it, in a str MicroPython cannot hold); a wrong escape is
    ValueError (RFC 8259 section 7)."""
    out = None
    start = i = 0
    while True:
        i = b.find(b"\\", i)
        if i < 0:
            break
        e = b[i + 1 : i + 2]
        if e != b"u":
            if not e or e not in b'"\\/bfnrt':
                raise ValueError("invalid escape at %d" % i)
            i += 2
            continue
        h = _hex(b, i + 2)
        if h < 0xD800 or h >= 0xE000:
            i += 6
            continue
        lo = _hex(b, i + 8) if b[i + 6 : i + 8] == b"\\u" else 0
        k = 6
        if h < 0xDC00 and 0xDC00 <= lo < 0xE000:
            c = 0x10000 + ((h - 0xD800) << 10) + lo - 0xDC00
            u = bytes((0xF0 | c >> 18, 0x80 | c >> 12 & 0x3F, 0x80 | c >> 6 & 0x3F, 0x80 | c & 0x3F))
            k = 12
        else:
            u = b"\xef\xbf\xbd"
        if out is None:
            out = bytearray()
        out += b[start:i]
        out += u
        i += k
        start = i
    if out is None:
        return b
    out += b[start:]
    return bytes(out)


def _hex(b, j):
    """The 4 hex digits at ``j`` of ``b`` as a number (ValueError when they are not)."""
    d = b[j : j + 4]
    if len(d) < 4:
        raise ValueError("invalid \\u escape at %d" % (j - 2))
    for x in d:
        if x not in b"0123456789abcdefABCDEF":
            raise ValueError("invalid \\u escape at %d" % (j - 2))
    return int(d, 16)


def _not_json(name):
    raise ValueError("%s is not a JSON number" % name)


def _unfit(body):
    """The LimitExceeded of a whole body that was read but whose text or JSON does not fit in the heap
    (a whole-body call never raises a bare MemoryError)."""
    return LimitExceeded("the body's text or JSON does not fit in memory", "max_body", None, len(body))


