"""Runtime shims for the I/O layers: millisecond ticks (the clock the layers hand to the sessions),
deadlines, and the small socket differences (EAGAIN values, timeouts, TCP_NODELAY).  The sans-I/O
cores never import this module (a host test follows their imports).
"""

import gc
import time

from .rt import MICROPYTHON

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


def would_block(exc):
    """True for "try again later" from a non-blocking socket on either runtime (EAGAIN, or CPython's
    BlockingIOError and SSLWantRead/WriteError)."""
    return "Want" in exc.__class__.__name__ or bool(exc.args) and exc.args[0] in (EAGAIN, EWOULDBLOCK)


def is_timeout(exc):
    """True when ``exc`` is a socket timeout on either runtime."""
    if exc.__class__.__name__ in ("timeout", "TimeoutError"):
        return True
    args = getattr(exc, "args", ())
    code = args[0] if args else None
    return code in (ETIMEDOUT, EAGAIN, EWOULDBLOCK) or code == "timed out"


def recv_into(sock, buf, limit=256):
    """One read of at most ``limit`` bytes (0 or -1: ``len(buf)``) from a MicroPython socket into ``buf``: the
    count, 0 at EOF, None when nothing is there (as readinto).  readinto() reads on after a read that did
    not fill ``buf``: when that next read finds a reset it raises and what the first one got is lost (a
    short answer with the reset right behind it), and over TLS it may take the server's close_notify,
    which mbedTLS reports once: the end was never seen (a body cut short, a WebSocket cut inside a frame:
    the timeout, or for good; a keep-alive connection the server had closed carried the next request).
    So a TLS socket is always read with this (where it has recv()).  recv() reads once, and allocates,
    short-lived: at most 256 bytes for a response head or a socket that poll found failed; more than 256
    (``Session.one_read``: a TLS body read until the close) and the garbage is collected at once: a body
    read whole from pieces with recv()'s blocks between them split the heap (the largest that a 128K heap
    took fell by half)."""
    n = len(buf)
    if 0 < limit < n:
        n = limit
    elif limit <= 0 and n > 4096:  # (TLS: about a record at most, and a block a small heap has: a read
        n = 4096  # per 256 bytes took a 32 KiB buffer whose block no 128K heap held)
    while True:
        try:
            b = sock.recv(n)
            break
        except OSError as exc:
            if would_block(exc):
                return None
            raise
        except MemoryError as exc:
            # recv() allocates twice: its buffer, before it reads, and the bytes object it returns, after
            # the kernel gave the bytes up: those are lost then (a head, a 101, a frame: a request waited
            # for its timeout, or for good, or read its body as the head), and the error is the fault it
            # is.  Only a TLS socket's first one is told by its size (n + 1, a vstr; the object after it
            # takes a few words): a smaller read, else readinto(), which allocates nothing (TLS
            # WebSockets of poll in a 128K heap met it).  A plain socket's are not: the unix port's takes
            # n bytes, then n + 1 for a read that filled them (the first 256 bytes of a head were lost
            # so), and a board's lwip takes n + 1 first; raised whatever the size.
            a = exc.args and isinstance(exc.args[0], str) and exc.args[0].split()  # (no new text: a name more
            if not (a and len(a) > 2 and a[-2].isdigit() and int(a[-2]) == n + 1 > 64  # took aio's heap a step
                    and "SSL" in type(sock).__name__):  # of the names' pool over, 3.6 KB)
                raise
            if n <= 256:
                return sock.readinto(buf)
            n = 256
    if b is None:  # (a TLS socket's recv with nothing decrypted)
        return None
    buf[: len(b)] = b
    if limit > 256:
        limit = len(b)
        b = None
        gc.collect()
        return limit
    return len(b)


def close(sock, raw=None):
    """Close ``sock`` and ``raw``, the TCP socket under it when it is a TLS one (MicroPython's leaves
    that open when its handshake failed: a socket lost per attempt).  Best effort; allocates nothing
    (it runs after a MemoryError)."""
    try:
        sock.close()
    except (OSError, AttributeError):  # (already broken; None)
        pass
    if raw is not None and raw is not sock:
        try:
            raw.close()
        except OSError:
            pass


def set_nodelay(sock):
    """Disable Nagle where the port allows: each frame or request head goes out in one write, and small
    writes would otherwise wait ~40 ms for the peer's delayed ACK."""
    try:
        sock.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY: the same numbers on every TCP/IP stack
    except (OSError, AttributeError, TypeError):
        pass


def long_lived(n):
    """A buffer that lives as long as its connection.  On MicroPython the garbage is collected first,
    so the buffer takes one early, low block instead of splitting the holes that the short-lived
    allocations of every request need later (what fails on a board is fragmentation, not size)."""
    if MICROPYTHON:
        gc.collect()
    return bytearray(n)
