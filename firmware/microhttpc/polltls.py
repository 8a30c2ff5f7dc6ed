"""TLS for the poll engine's connections, without blocking: loaded on the first TLS connection."""

from select import POLLIN, POLLOUT

from .errors import ConnectError, TLSError
from .rt import MICROPYTHON
from .rtio import ticks_ms


def step(conn):
    """TCP is up: wrap the socket (first call) and take the handshake as far as the socket allows
    (``conn._connected()`` once it is done)."""
    if conn.state == 2:  # poll._HANDSHAKE
        return handshake(conn)
    try:
        sock = conn._tls_ctx.wrap_socket(conn.sock, server_hostname=conn.server_hostname or conn.host,
                                         do_handshake_on_connect=False)
    except (OSError, ValueError) as exc:
        raise TLSError("TLS setup for %s failed: %r" % (conn.host, exc))
    conn.engine._rekey(conn, sock)
    if MICROPYTHON:
        conn._connected()  # the handshake runs inside the first non-blocking write/read
        return
    conn.state = 2  # poll._HANDSHAKE
    handshake(conn)


def handshake(conn):
    """CPython: one step of the handshake, as the socket allows."""
    try:
        conn.sock.do_handshake()
    except OSError as exc:
        name = exc.__class__.__name__
        if name == "SSLWantReadError":
            conn._want = POLLIN
            return
        if name == "SSLWantWriteError":
            conn._want = POLLOUT
            return
        if "SSL" not in name:  # a reset, not TLS (as tls.wrap): may be retried
            raise ConnectError("TLS handshake with %s failed: %r" % (conn.host, exc))
        raise TLSError("TLS handshake with %s failed: %r" % (conn.host, exc))
    conn._t_io = ticks_ms()
    conn._connected()
