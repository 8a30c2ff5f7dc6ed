"""Runtime shims: the one place that knows MicroPython from CPython.

Owns: ``const``, entropy, SHA-1 and base64 for the handshake, millisecond ticks, and the small socket
differences (``readinto`` vs ``recv_into``, EAGAIN values, TCP_NODELAY).  Everything else in the package
imports these names instead of probing the runtime itself.  No protocol logic lives here.
"""

import sys

MICROPYTHON = sys.implementation.name == "micropython"

try:
    from micropython import const  # noqa: F401  (re-exported)
except ImportError:  # CPython

    def const(x):
        return x


try:
    from os import urandom as _urandom
except ImportError:  # a port built without os.urandom
    _urandom = None


def urandom(n):
    """``n`` bytes from the runtime's CSPRNG (``os.urandom``).

    There is deliberately no fallback to ``random``: WebSocket keys and masks must be unpredictable
    (RFC 6455 section 5.3), and a port without ``os.urandom`` should fail loudly rather than quietly
    use a predictable generator.  Pass ``rng=`` to the protocol objects to supply your own source.
    """
    if _urandom is None:
        raise OSError("this port has no os.urandom; pass rng= to supply an entropy source")
    return _urandom(n)


import binascii  # noqa: E402

try:
    from hashlib import sha1 as _sha1
except ImportError:  # pragma: no cover - ports built without hashlib
    _sha1 = None


def sha1(data):
    """SHA-1 digest of ``data`` (only used for Sec-WebSocket-Accept, RFC 6455 section 4.2.2)."""
    if _sha1 is None:
        from .sha1 import sha1 as pure

        return pure(data)
    return _sha1(data).digest()


def b64encode(data):
    """Standard base64 of ``data`` as bytes, without the trailing newline binascii adds."""
    out = binascii.b2a_base64(data)
    return out[:-1] if out[-1:] == b"\n" else out


import time  # noqa: E402

if hasattr(time, "ticks_ms"):
    ticks_ms = time.ticks_ms
    ticks_diff = time.ticks_diff
    ticks_add = time.ticks_add
else:  # CPython: monotonic milliseconds, no wrap-around to worry about

    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def ticks_add(t, delta):
        return t + delta


def deadline(timeout):
    """A deadline ``timeout`` seconds from now, or None for "no timeout"."""
    if timeout is None:
        return None
    return ticks_add(ticks_ms(), int(timeout * 1000))


def remaining(dl):
    """Seconds left until deadline ``dl`` (never negative), or None when ``dl`` is None."""
    if dl is None:
        return None
    left = ticks_diff(dl, ticks_ms())
    return left / 1000 if left > 0 else 0.0


def decode_text(raw):
    """Decode header bytes: UTF-8 when valid, else byte-for-byte (latin-1), which MicroPython lacks."""
    try:
        return str(raw, "utf-8")
    except UnicodeError:
        return "".join([chr(b) for b in raw])


# errno values differ between ports; the names are what matter.
try:
    import errno as _errno

    EAGAIN = getattr(_errno, "EAGAIN", 11)
    EWOULDBLOCK = getattr(_errno, "EWOULDBLOCK", EAGAIN)
    ETIMEDOUT = getattr(_errno, "ETIMEDOUT", 110)
    EINPROGRESS = getattr(_errno, "EINPROGRESS", 115)
except ImportError:  # pragma: no cover
    EAGAIN = EWOULDBLOCK = 11
    ETIMEDOUT = 110
    EINPROGRESS = 115


def is_timeout(exc):
    """True when ``exc`` is a socket timeout on either runtime."""
    if exc.__class__.__name__ in ("timeout", "TimeoutError"):
        return True
    args = getattr(exc, "args", ())
    code = args[0] if args else None
    return code in (ETIMEDOUT, EAGAIN, EWOULDBLOCK) or code == "timed out"


def set_nodelay(sock):
    """Disable Nagle where the port allows: each frame or request head goes out in one write, and small
    writes would otherwise wait ~40 ms for the peer's delayed ACK."""
    try:
        import socket

        sock.setsockopt(getattr(socket, "IPPROTO_TCP", 6), getattr(socket, "TCP_NODELAY", 1), 1)
    except (OSError, ImportError, AttributeError, TypeError):
        pass
