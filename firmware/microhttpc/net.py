"""Sockets and TLS for the blocking layers: connect with a timeout, wrap in TLS, and present one small
stream interface (``recv_into``, ``sendall``, ``settimeout``, ``close``) whatever the runtime gives.

MicroPython's TLS socket is a stream (``readinto``/``write``) while CPython's sockets have
``recv_into``/``sendall``: the difference stops here.
"""

import socket

from .rt import MICROPYTHON, is_timeout, set_nodelay
from .errors import ConnectError, ConnectionLost, TLSError, TimeoutError


class Stream:
    """A connected socket (plain or TLS) with timeouts mapped to this package's errors.

    CPython: a blocking socket with ``settimeout``; ``recv_into`` returns what one read gives.
    MicroPython: socket streams follow a "no short reads" policy when blocking (``readinto`` would
    wait for a full buffer), so the socket is kept non-blocking and each wait goes through
    ``select.poll`` with the timeout.
    """

    def __init__(self, sock, raw):
        self.sock = sock
        self.raw = raw  # the TCP socket under TLS (for settimeout / fileno / poll)
        self.timeout = None
        if MICROPYTHON:
            import select

            self._select = select
            self._poller = select.poll()
            self._poller.register(raw, select.POLLIN)
            sock.setblocking(False)
            self._readinto = sock.readinto
            self._write = sock.write
        else:
            self._recv = sock.recv_into
            self._sendall = sock.sendall

    def settimeout(self, t):
        if t != self.timeout:
            self.timeout = t
            if not MICROPYTHON:
                self.raw.settimeout(t)

    def _wait(self, event, what):
        t = self.timeout
        self._poller.modify(self.raw, event)
        if not self._poller.poll(-1 if t is None else int(t * 1000)):
            raise TimeoutError("%s within %s s" % (what, t))

    def recv_into(self, buf):
        """Read into ``buf`` (a memoryview); 0 means EOF.  Raises TimeoutError / ConnectionLost."""
        try:
            if MICROPYTHON:
                while True:
                    n = self._readinto(buf)
                    if n is not None:
                        return n
                    self._wait(self._select.POLLIN, "no data from the server")
            return self._recv(buf)
        except OSError as exc:
            if is_timeout(exc):
                raise TimeoutError("no data from the server within %s s" % self.timeout)
            raise ConnectionLost("receive failed: %r" % (exc,))

    def sendall(self, data):
        """Write all of ``data``."""
        try:
            if MICROPYTHON:
                mv = memoryview(data)
                total = len(mv)
                pos = 0
                while pos < total:
                    n = self._write(mv[pos:])
                    if n is None:
                        self._wait(self._select.POLLOUT, "the server did not accept data")
                        continue
                    pos += n
            else:
                self._sendall(data)
        except OSError as exc:
            if is_timeout(exc):
                raise TimeoutError("the server did not accept data within %s s" % self.timeout)
            raise ConnectionLost("send failed: %r" % (exc,))

    def close(self):
        for s in (self.sock, self.raw):
            try:
                s.close()
            except OSError:
                pass


def resolve(host, port):
    """The first address of ``host`` for a TCP connection."""
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectError("cannot resolve %r: %r" % (host, exc))
    if not infos:
        raise ConnectError("cannot resolve %r: no address" % (host,))
    return infos[0]


def open_stream(host, port, timeout=10.0, tls=False, server_hostname=None, ssl_context=None, cadata=None,
                verify=True):
    """Resolve, connect (bounded by ``timeout``) and optionally wrap in TLS.

    TLS verifies the server certificate by default.  ``cadata`` (DER or PEM bytes) names the CA(s) to
    trust; CPython falls back to the system store.  On MicroPython there is no system store, so
    verification without ``cadata`` or an ``ssl_context`` is impossible and raises TLSError unless the
    caller waived it explicitly with ``verify=False``.
    """
    info = resolve(host, port)
    raw = socket.socket(info[0], info[1], info[2])
    try:
        raw.settimeout(timeout)
        try:
            raw.connect(info[-1])
        except OSError as exc:
            if is_timeout(exc):
                raise TimeoutError("connect to %s:%d timed out after %s s" % (host, port, timeout))
            raise ConnectError("connect to %s:%d failed: %r" % (host, port, exc))
        set_nodelay(raw)
        sock = raw
        if tls:
            sock = _wrap_tls(raw, server_hostname or host, ssl_context, cadata, verify)
        stream = Stream(sock, raw)
        stream.timeout = timeout
        return stream
    except BaseException:
        raw.close()
        raise


def _wrap_tls(raw, hostname, ctx, cadata, verify):
    import ssl

    if ctx is None:
        if MICROPYTHON:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if verify:
                if cadata is None:
                    raise TLSError("TLS certificate verification needs cadata= (MicroPython has no system CA "
                                   "store); pass verify=False to connect without verification")
                ctx.load_verify_locations(cadata=cadata)
                ctx.verify_mode = ssl.CERT_REQUIRED
            else:
                ctx.verify_mode = ssl.CERT_NONE
        else:
            if verify:
                if isinstance(cadata, bytes) and b"-----BEGIN" in cadata:
                    cadata = cadata.decode()
                ctx = ssl.create_default_context(cadata=cadata)
            else:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
    try:
        return ctx.wrap_socket(raw, server_hostname=hostname)
    except OSError as exc:
        if is_timeout(exc):
            raise TimeoutError("TLS handshake with %s timed out" % hostname)
        raise TLSError("TLS handshake with %s failed: %r" % (hostname, exc))
    except ValueError as exc:
        raise TLSError("TLS handshake with %s failed: %r" % (hostname, exc))
