"""Sans-I/O: the check of a ``server_hostname=`` (SNI and the certificate's name).  A module of its
own, loaded by a connection given one: the others do not keep its code.  Must not: touch sockets or
clocks (``tls`` is not imported: the session, a core, loads this).
"""

from .errors import UsageError
from .rt import MICROPYTHON


def check_hostname(name):
    """``name`` (a ``server_hostname=``) if the TLS stacks take it alike, else UsageError.  Before: a NUL
    cut it short on MicroPython (the certificate was checked against what came before) and was a bare
    TypeError on CPython; a name over 253 characters, an empty label (".a", "a..b") or one over 63
    (CPython: in its IDNA form), or on CPython a lone surrogate or a name with no IDNA form, failed at
    the handshake: TLSError on two layers, asyncio's "cannot resolve" the host (ConnectError) on the
    third; so did a space or tab in it.  MicroPython has no IDNA codec: a name that is not ASCII is refused there."""
    ok = type(name) is str and 0 < len(name) < 254
    if ok:
        from .rt import load

        load("http11").check_header("server_hostname", name)  # (CR, LF or NUL: UsageError)
        try:  # the labels as they go out: CPython's TLS sends the IDNA form
            a = name.encode() if MICROPYTHON else name.encode("idna")
        except UnicodeError:  # (CPython: a lone surrogate, a name with no IDNA form)
            a = b""
        if MICROPYTHON and len(a) > len(name):  # not ASCII: no IDNA codec there (its TLS sent the UTF-8 bytes,
            a = b""  # which a server refuses: give the name's "xn--" form)
        ok = b" " not in a and b"\t" not in a  # (a space: TLSError at the handshake, the name was sent)
        for label in (a[:-1] if a[-1:] == b"." else a).split(b"."):  # (one dot may end it)
            ok = ok and 0 < len(label) < 64
    if not ok:
        raise UsageError("server_hostname must be a host name, not %r" % (name,))
    return name
