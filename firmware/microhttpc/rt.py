"""Runtime shims for the sans-I/O cores: ``const``, entropy, SHA-1 and base64 for the handshake, header
text decoding.  The I/O side of the runtime differences (ticks, socket errors, TCP_NODELAY) is in
``rtio``, which the cores never import.  No protocol logic lives here.
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


def decode_text(raw):
    """Decode header bytes: UTF-8 when valid, else byte-for-byte (latin-1), which MicroPython lacks."""
    try:
        return str(raw, "utf-8")
    except UnicodeError:
        return "".join([chr(b) for b in raw])
