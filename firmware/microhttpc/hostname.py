"""Sans-I/O: the check of a ``server_hostname=`` (SNI and the certificate's name).  A module of its
own, loaded by a connection given one: the others do not keep its code.  Must not: touch sockets or
clocks (``tls`` is not imported: the session, a core, loads this).
"""

from .errors import UsageError


def check_hostname(name):
    """``name`` (a ``server_hostname=``) if the TLS stacks take it alike, else UsageError.  Before: a NUL
    cut it short on MicroPython (the certificate was checked against what came before) and was a bare
    TypeError on CPython; a name over 253 characters, an empty label (".a", "a..b") or one over 63, or
    on CPython a lone surrogate, failed at the handshake: TLSError on two layers, asyncio's "cannot
    resolve" the host (ConnectError) on the third."""
    ok = type(name) is str and 0 < len(name) < 254
    if ok:
        from .http11 import check_header

        check_header("server_hostname", name)  # (CR, LF or NUL: UsageError)
        for label in (name[:-1] if name[-1] == "." else name).split("."):  # (one dot may end it)
            ok = ok and 0 < len(label) < 64
        try:
            name.encode()
        except UnicodeError:  # (CPython: a lone surrogate)
            ok = False
    if not ok:
        raise UsageError("server_hostname must be a host name, not %r" % (name,))
    return name
