"""TLS for the poll engine's connections, without blocking: loaded on the first TLS connection."""

from select import POLLIN, POLLOUT

from .errors import ConnectError, TLSError
from .rt import MICROPYTHON
from .rtio import ticks_ms
from .tls import WRAP_KW


def step(conn):
    """TCP is up: wrap the socket (first call) and take the handshake as far as the socket allows
    (``conn._connected()`` once it is done)."""
    if conn.state == 2:  # poll._HANDSHAKE
        return handshake(conn)
    try:
        sock = conn._tls_ctx.wrap_socket(conn.sock, server_hostname=conn.server_hostname or conn.host,
                                         do_handshake_on_connect=False, **WRAP_KW)
    except (OSError, ValueError) as exc:
        if not MICROPYTHON and isinstance(exc, OSError) and "SSL" not in exc.__class__.__name__:
            # a reset before the handshake began (CPython's wrap_socket looks at the peer), not TLS: may be
            # retried, as in handshake() (it was TLSError, which ends poll.reconnect)
            raise ConnectError("TLS setup for %s failed: %r" % (conn.host, exc))
        raise TLSError("TLS setup for %s failed: %r" % (conn.host, exc))
    e = conn.engine
    conn._raw = conn.sock  # closed with it (rtio.close)
    e._rekey(conn, sock)
    if MICROPYTHON:
        e._reset = reset  # (see poll's Conn._read)
        conn._connected()  # the handshake runs inside the first non-blocking write/read
        return
    if not isinstance(e._poller, _Poller):
        e._poller = _Poller(e)
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
        if "SSL" not in name or "EOF" in name:  # a reset or a close, not TLS (as tls.wrap): may be retried
            raise ConnectError("TLS handshake with %s failed: %r" % (conn.host, exc))
        raise TLSError("TLS handshake with %s failed: %r" % (conn.host, exc))
    conn._t_io = ticks_ms()
    conn._connected()


class _Poller:
    """An engine's poll set on CPython once it has a TLS connection: ``select.poll`` does not see the
    bytes an SSL object decrypted and holds (what a read left of a record when the engine stopped
    reading that connection for the round, or while its WebSocket held its input back), so those
    connections are ready too, and the wait is 0.  (The response stalled until its timeout: 16 KB of
    a record, 2 KB a read, 8 reads a round.  MicroPython's TLS socket tells poll itself.)"""

    def __init__(self, engine):
        self.engine = engine
        p = engine._poller
        self.register, self.modify, self.unregister, self._poll = p.register, p.modify, p.unregister, p.poll

    def poll(self, wait=-1):
        held = [(c._key, POLLIN) for c in self.engine._conns
                if c.tls and c.state > 2 and c._mask & POLLIN and c.sock.pending()]
        return self._poll(0 if held else wait) + held


_probe: list = [None, None]  # MicroPython: a poll set, and the socket in it (see reset)


def reset(sock):
    """MicroPython: 256 when the TLS socket ``sock`` has met a reset, else 0.  The engine then writes
    nothing more to it: a write that meets the reset fails the TLS socket for reads too, and what came
    before the reset is lost (a WebSocket's last messages and its Close; its reads are one read each,
    ``rtio.recv_into``).  The engine's poll does not tell: for POLLIN a TLS socket answers from what it
    holds, without looking at the connection; a poll set asking for no event does.  (As
    ``aio._reset``, for poll's TLS connections only.)"""
    p, s = _probe
    if p is None:
        import select

        p = _probe[0] = select.poll()
    if s is not sock:
        _probe[1] = None
        if s is not None:
            p.unregister(s)
        try:
            p.register(sock, 0)
        except MemoryError:  # (select.poll's register leaves an empty slot on a full heap: see aio._reset)
            _probe[0] = None
            raise
        _probe[1] = sock
    for _, f in p.ipoll(0):
        return 256 if f & 8 and hasattr(sock, "recv") else 0
    return 0
