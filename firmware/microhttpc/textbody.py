"""``Response.text()``: the body decoded (``text``, the encoding checked first by ``codec``, or the
charset its Content-Type names), what is not valid becoming U+FFFD (``replace_invalid``); and header
values that are not UTF-8 (``latin1``, for ``rt.decode_text``).  A module of its own, loaded at the
first ``text()``: the other shortcuts (``extras``) are not loaded with it.
"""

from .errors import HTTPCError, LimitExceeded, UsageError
from .rt import MICROPYTHON


def codec(encoding, headers=None):
    """``Response.text()``'s ``encoding`` checked before the body is read: a str, and a codec the runtime
    has (else UsageError): on CPython any it knows; on MicroPython UTF-8, Latin-1 and ASCII, the ones it
    can decode, returned as "utf-8", "latin-1" or "ascii" (another name was read as UTF-8 there, silently).
    None: the charset that the Content-Type of ``headers`` names, when the runtime has it, else UTF-8
    (as requests; a Latin-1 body labelled so was read as UTF-8, its accents U+FFFD)."""
    if encoding is None:
        return _charset(headers)
    if not isinstance(encoding, str):
        raise UsageError("text() takes the name of an encoding, not %r" % (encoding,))
    if not MICROPYTHON:
        try:
            str(b"a\xff", encoding, "replace")  # (the codec looked up: str(b"", ...) does not; one that can't
        except (LookupError, ValueError):  # replace a byte, as punycode or idna, raised from text() itself)
            raise UsageError("text(): no codec for the encoding %r" % (encoding,))
        return encoding
    # The name as CPython's codec lookup reads it (encodings.normalize_encoding): lower-cased, each run of
    # other characters than ASCII letters, digits and "." one "_" (none at the ends), then its aliases
    # (encodings.aliases) of the three; the registry's names too ("ISO_8859-1:1987", "cp819" and
    # "ANSI_X3.4-1968" were read as UTF-8 here).
    e = []
    sep = False
    for c in encoding.lower():
        if "a" <= c <= "z" or "0" <= c <= "9" or c == ".":
            if sep and e:
                e.append("_")
            e.append(c)
            sep = False
        elif c < "\x80":
            sep = True
        else:  # (no codec has one: CPython finds none)
            e.append(c)
    e = "".join(e) if "\0" not in encoding else ""  # (CPython: a NUL is a ValueError, no codec)
    u = e.replace(".", "_")  # (an alias is looked up so too; a module's name only without a ".")
    if e == "utf_8" or u in ("utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001"):
        return "utf-8"
    if e == "latin_1" or u in ("latin1", "iso_8859_1", "iso8859_1", "l1", "iso_8859_1_1987", "iso_ir_100",
                               "csisolatin1", "ibm819", "cp819", "latin", "8859", "iso8859"):
        return "latin-1"
    if e in ("ascii", "ansi_x3.4_1968", "ansi_x3.4_1986", "iso_646.irv_1991") or u in (
            "us_ascii", "ansi_x3_4_1968", "us", "csascii", "646", "iso646_us", "iso_ir_6", "ibm367", "cp367"):
        return "ascii"
    raise UsageError("text(): no codec for the encoding %r on MicroPython (utf-8, latin-1 and ascii)" % (encoding,))


def coded(headers, body):
    """The content coding of ``body`` when its ``headers`` name one (Content-Encoding, RFC 9110 section
    8.4: gzip, deflate, br ...), else None: not for an empty body (a 204, a HEAD's answer: there is
    nothing coded), nor for "identity" alone, named once or more.  The package asks for none and undoes
    none (no Accept-Encoding: RFC 9110 section 12.5.3 lets a server pick any)."""
    c = body and headers is not None and headers.get("content-encoding")
    return c if c and c.lower().replace("identity", "").replace(",", " ").strip() else None


def _charset(headers):
    """The codec of the charset that Content-Type names, else UTF-8.  As requests: the last line's (one
    line sent twice was not read), the last ``charset`` of it, quotes and spaces around its name dropped
    (``charset='iso-8859-1'`` was UTF-8 on MicroPython, and the first of two was taken)."""
    v = headers and headers.get_all("content-type")  # (codec(None) alone: UTF-8)
    name = None
    for p in (v[-1] if v else "").split(";")[1:]:
        p = p.split("=", 1)
        if len(p) == 2 and p[0].strip(" \t").lower() == "charset":
            name = p[1].strip(" \t\"'")
    if name:
        try:
            return codec(name)
        except UsageError:  # (a charset this runtime has no codec for: read as UTF-8, as before)
            pass
    return "utf-8"


def text(body, encoding, headers=None):
    """``Response.text()``: the body decoded (``encoding`` checked by ``codec``); a body with a content
    coding in its ``headers`` (Content-Encoding: gzip ...), which this package does not undo, is an
    HTTPCError (it came out as garbage, silently).  What is not valid in
    the encoding becomes U+FFFD, each maximal ill-formed subpart one (as CPython's "replace", requests
    and httpx do): a body the server got wrong still reads.  MicroPython: its decoder knows UTF-8 only
    and checks the structure alone (it took overlong forms and encoded surrogates), so the bytes are
    checked with the WebSocket's validator first; Latin-1 and ASCII are read byte by byte (``latin1``)."""
    c = coded(headers, body)
    if c:
        raise HTTPCError("the body is %s-coded (Content-Encoding), which text() does not decode: read() gives "
                         "it as it came" % c)
    try:
        if not MICROPYTHON:
            return str(body, encoding, "replace")
        if encoding != "utf-8":
            return latin1(body, encoding == "ascii")
        from .utf8 import validate

        return str(body, "utf-8") if validate(body, 0) == 0 else replace_invalid(body)
    except MemoryError:  # (as jsonbody._unfit: not loaded for it, 2.4 KB)
        raise LimitExceeded("the body's text or JSON does not fit in memory", "max_body", None, len(body))


def latin1(raw, ascii=False):
    """``raw`` read as Latin-1 (``rt.decode_text``: a header value that is not UTF-8), through its UTF-8
    bytes, not chr(): MicroPython interns every character chr() makes, for good (a header value of 64
    such bytes from a server kept 352 bytes of heap).  ``ascii``: read as ASCII instead, each byte
    over 0x7F one U+FFFD (as CPython's "replace")."""
    out = bytearray()
    for b in raw:
        if b >= 0x80:
            if ascii:
                out.extend(b"\xef\xbf\xbd")
                continue
            out.append(0xC0 | b >> 6)
            b = 0x80 | b & 0x3F
        out.append(b)
    return str(out, "utf-8")


def replace_invalid(b):
    """UTF-8 ``b`` decoded, each maximal ill-formed subpart (Unicode 15, section 3.9) as one U+FFFD
    (MicroPython's decoder has no error handlers).  Built as UTF-8 bytes in one buffer of the size
    they come to, decoded once: a slice and two strings per bad byte split a board's heap (600 bytes
    with 200 bad ones: MemoryError in a 128K heap; 9,000 pass now, 80 KB free)."""
    size = len(b)
    bad = 0
    for i, j in _ill_formed(b):
        size += 3 - (j - i)
        bad += 1
    if not bad:
        return str(b, "utf-8")
    out = bytearray(size)
    mv = memoryview(b)
    o = start = 0
    for i, j in _ill_formed(b):
        out[o : o + i - start] = mv[start:i]
        o += i - start
        out[o : o + 3] = b"\xef\xbf\xbd"  # U+FFFD
        o += 3
        start = j
    out[o:] = mv[start:]
    return str(out, "utf-8")


def _ill_formed(b):
    """(start, end) of each maximal ill-formed subpart of ``b``.  The rules are the validator's
    (``utf8``): from a byte that is not ASCII, the longest run it still calls a beginning is either a
    whole character or, at least its first byte, one ill-formed subpart."""
    from .utf8 import validate

    one = bytearray(1)  # (the validator fed a byte at a time, in place: nothing allocated per byte)
    i = 0
    n = len(b)
    while i < n:
        if b[i] < 0x80:
            i += 1
            continue
        st = k = 0
        while i + k < n:
            one[0] = b[i + k]
            k += 1
            st = validate(one, st)
            if st <= 0:
                break
        if st == 0:
            i += k  # a whole character
            continue
        k = k - 1 if st < 0 and k > 1 else k if st > 0 else 1
        yield i, i + k
        i += k
