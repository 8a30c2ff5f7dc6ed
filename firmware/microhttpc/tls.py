"""TLS for every layer: the client ``ssl.SSLContext`` (verification on by default, CA certificates
from ``cadata``), wrapping a connected socket, and PEM to DER.  Loaded only by connections that use
TLS.  MicroPython's ``ssl`` differs from CPython's (no system CA store, DER only, ValueError for
verification failures): the difference stops here.
"""

from .rt import MICROPYTHON
from .rtio import is_timeout
from .errors import ConnectError, TLSError, TimeoutError, UsageError


def pem_to_der(data):
    """The DER certificates in ``data`` (PEM text or bytes, or DER bytes), as a list of bytes.

    MicroPython's ``load_verify_locations(cadata=)`` takes one DER certificate per call (PEM is refused
    as "invalid cert"; tested on the unix port with mbedTLS), and calls add up.
    """
    import binascii

    if isinstance(data, str):
        data = data.encode()
    if b"-----BEGIN" not in data:
        return _ders(data)
    out = []
    pos = 0
    while True:
        i = data.find(b"-----BEGIN CERTIFICATE-----", pos)
        if i < 0:
            break
        j = data.find(b"-----END CERTIFICATE-----", i)
        if j < 0:
            raise TLSError("unterminated PEM certificate in cadata")
        body = data[i + 27 : j].replace(b"\r", b"").replace(b"\n", b"").replace(b" ", b"")
        der = binascii.a2b_base64(body)
        if not der:  # (CPython's context took b"" for no cadata at all: the system store, every public CA)
            raise TLSError("a PEM certificate in cadata holds nothing")
        out.extend(_ders(der))  # (whole DER certificates: bytes after one were dropped on MicroPython)
        pos = j + 25
    if not out:
        raise TLSError("cadata holds no PEM certificate")
    return out


def _ders(data):
    """DER certificates back to back, one by one (MicroPython's mbedTLS read the first and dropped the
    rest without a word, and bytes after it); bytes that are not such a sequence: TLSError."""
    out = []
    pos = 0
    while pos < len(data):
        n = data[pos + 1] if pos + 1 < len(data) else 0
        k = n & 0x7F if n & 0x80 else 0  # (a long form: k bytes of length follow)
        end = pos + 2 + k + (int.from_bytes(data[pos + 2 : pos + 2 + k], "big") if k else n)
        if data[pos] != 0x30 or k > 4 or n == 0x80 or end > len(data):  # (a SEQUENCE of a definite length, whole)
            raise TLSError("cadata is neither PEM nor DER certificates (bytes %d on)" % pos)
        out.append(bytes(data[pos:end]))
        pos = end
    return out


def wrap(raw, hostname, ctx=None, cadata=None, verify=True, timeout=None):
    """TLS over ``raw``, verifying the server's certificate and name unless ``verify`` is False.

    CPython: ``ssl.create_default_context`` (system store, or only ``cadata`` when given), hostname
    checked, and the handshake runs here, bounded as a whole by the socket's timeout.  MicroPython: there
    is no system store, so verification needs ``cadata`` or an ``ssl_context``; without them this raises
    TLSError unless ``verify=False`` waived it.  Its handshake restarts the socket's timeout at every
    read (a server sending a byte at a time holds it without bound), so it runs instead inside the first
    write, which the caller bounds as a whole by ``connect_timeout`` (``net.Stream.sendall``, the
    session's ``_t_tls``).  Note that MicroPython's ``PROTOCOL_TLS_CLIENT`` context starts with
    ``verify_mode`` CERT_NONE, so it is set to CERT_REQUIRED here explicitly.  ``hostname`` goes out as
    SNI and is checked against the certificate on both runtimes.  ``timeout``: the connect timeout the
    socket's timeout comes from, for the message of a handshake that ran out of it.
    """
    ctx = tls_context(ctx, cadata, verify)
    try:
        return ctx.wrap_socket(raw, server_hostname=hostname, do_handshake_on_connect=not MICROPYTHON, **WRAP_KW)
    except OSError as exc:
        if is_timeout(exc):
            raise TimeoutError("TLS handshake with %s timed out (connect timeout %s s)" % (hostname, timeout))
        if not MICROPYTHON and ("SSL" not in exc.__class__.__name__ or "EOF" in exc.__class__.__name__):
            # a reset or a close (SSLEOFError), not TLS: may be retried
            raise ConnectError("TLS handshake with %s failed: %r" % (hostname, exc))
        raise TLSError("TLS handshake with %s failed: %r" % (hostname, exc))
    except ValueError as exc:  # MicroPython reports verification failures as ValueError
        raise TLSError("TLS handshake with %s failed: %s" % (hostname, str(exc).strip()))


# The keywords of every wrap_socket.  CPython with OpenSSL 3: a reset of the connection is an error, not
# the end of its data (a body read until the close and cut by a reset came out whole); a close without
# close_notify stays an end (``net.Stream._recv``, ``poll.Conn._io``: SSLEOFError with a reason).  With
# OpenSSL 1.1 the two do not differ that way, and the suppression stays.
WRAP_KW = {} if MICROPYTHON else {"suppress_ragged_eofs": __import__("ssl").OPENSSL_VERSION_INFO < (3,)}

_last = None  # (cadata, verify, context): the context made last, for the next connection with the same


def tls_context(ctx=None, cadata=None, verify=True):
    """The client ``ssl.SSLContext`` that ``wrap`` uses (``ctx`` itself when given); shared with
    the non-blocking and asyncio layers, which wrap the socket themselves.  A ``ctx`` that is no context
    or a ``cadata`` that is no text or bytes: UsageError (an AttributeError or TypeError later).

    The context made for ``cadata`` and ``verify`` is kept for the next connection with the same two
    (a reconnect): a context is made for many sockets, and making one parses the CA certificates again
    (on MicroPython a PEM CA's text copied three times and a 3 KB context block per connection, which
    fragmented a board-sized heap: an aio reconnect over TLS found no 3 KB hole in a 128K heap; on
    CPython a new context costs milliseconds)."""
    global _last
    import ssl

    if ctx is not None and not hasattr(ctx, "wrap_socket") or cadata is not None and not (isinstance(
            cadata, (str, bytes, bytearray)) and cadata):  # (b"": CPython's system store)
        raise UsageError("ssl_context takes an ssl.SSLContext and cadata PEM text or DER bytes, not %r and %r"
                         % (ctx, cadata))
    if (ctx is None and _last is not None and _last[1] == verify and isinstance(cadata, str) is isinstance(_last[0], str)
            and _last[0] == cadata):  # (bytes == str: MicroPython prints a warning)
        return _last[2]
    if isinstance(cadata, bytearray):
        cadata = bytes(cadata)  # (kept as it is now: the caller's bytearray may change)
    key = cadata
    if ctx is None:
        _last = None  # (the context kept for other settings may go: two need not fit at once)
        if MICROPYTHON:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if verify:
                if cadata is None:
                    raise TLSError("TLS certificate verification needs cadata= (MicroPython has no system CA "
                                   "store); pass verify=False to connect without verification")
                try:
                    for der in pem_to_der(cadata):
                        ctx.load_verify_locations(cadata=der)
                except (ValueError, OSError) as exc:
                    raise TLSError("cadata was refused: %r" % (exc,))
                ctx.verify_mode = ssl.CERT_REQUIRED
            else:
                ctx.verify_mode = ssl.CERT_NONE
        else:
            if verify:
                try:
                    if cadata is not None:
                        # The certificates only, as whole DER (as on MicroPython: bytes after them are
                        # TLSError): the text around PEM ones ("Bag Attributes" of openssl pkcs12) may
                        # not be ASCII, which CPython refused with a bare error.
                        cadata = b"".join(pem_to_der(cadata))
                    ctx = ssl.create_default_context(cadata=cadata)
                except (ValueError, TypeError, ssl.SSLError) as exc:
                    raise TLSError("cadata was refused: %r" % (exc,))
            else:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
        _last = (key, verify, ctx)
    return ctx
