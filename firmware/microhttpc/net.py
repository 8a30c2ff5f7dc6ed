"""Sockets and TLS for the blocking layers: connect with a timeout, wrap in TLS, and present one small
stream interface (``recv_some``, ``sendall``, ``settimeout``, ``close``) whatever the runtime gives.

MicroPython's TLS socket is a stream (``readinto``/``write``) while CPython's sockets have
``recv_into``/``sendall``: the difference stops here.
"""

import select
import socket

from .rt import MICROPYTHON
from . import rtio
from .rtio import deadline, is_timeout, recv_into, remaining, set_nodelay, would_block
from .errors import ConnectError, ConnectionLost, TimeoutError

_spare = []  # the receive buffer of the last connection or WebSocket that closed (client.Connection.open)


class Stream:
    """A connected socket (plain or TLS) with timeouts mapped to this package's errors.

    CPython: a blocking socket with ``settimeout``; ``recv_some`` returns what one read gives.
    MicroPython: socket streams follow a "no short reads" policy when blocking (``readinto`` would
    wait for a full buffer), so the socket is kept non-blocking and each wait goes through
    ``select.poll`` with the timeout.
    """

    host = None  # the server's name, under TLS (for the messages)

    def __init__(self, sock, raw):
        self.sock = sock
        self.raw = raw  # the TCP socket under TLS (for settimeout / fileno / poll)
        self.timeout = None
        if MICROPYTHON:
            # The TLS socket itself under TLS: it knows which way its handshake waits (a write may
            # wait to read) and what it holds decrypted.
            self._poller = select.poll()
            self._poller.register(sock, select.POLLIN)
            self._event = select.POLLIN
            self._t = self._ms = -1  # the timeout _wait converted last, and its milliseconds
            # A plain socket has nothing buffered above the kernel: wait first, then read (two system
            # calls per message instead of a read that fails, a wait and a read).  A TLS socket may
            # hold decrypted bytes the kernel knows nothing of, so it is read first.
            # (Always: after a read that filled its buffer, reading first saved a system call, but a read
            # that found less than its buffer read on, met a reset queued behind the data, and what it
            # had read was lost: a WebSocket's last messages and its Close.)
            self._wait_first = sock is raw
            sock.setblocking(False)
            self._write = sock.write
        else:
            self._sendall = sock.sendall

    def settimeout(self, t):
        """The timeout (s, None: none) of the next waits."""
        if t != self.timeout:
            self.timeout = t
            if not MICROPYTHON:
                # The TLS socket, not ``raw``: CPython's wrap_socket() detaches the TCP socket (EBADF).
                self.sock.settimeout(t)

    def _wait(self, event, t=-1):
        """The poll flags once ``event`` is ready (with POLLERR / POLLHUP when the connection failed),
        0 when the timeout (``t`` s, default the stream's) passed first.  ``_wait(0, 0)``, a probe that asks
        for no event (for POLLIN a TLS socket answers from what it holds): POLLERR when a reset waits."""
        if event != self._event:
            self._poller.modify(self.sock, event)
            self._event = event
        # (+1 ms unless 0: a wait rounded down would end before the session's timer it came from)
        if t == -1:  # the stream's timeout: its milliseconds kept while it is the same object (a float's
            t = self.timeout  # product was a new float at every wait: 6 us of 8 per read in a large heap)
            if t is not self._t:
                self._t = t
                self._ms = -1 if t is None else int(t * 1000) + (t > 0)
            t = self._ms
        else:
            t = -1 if t is None else int(t * 1000) + (t > 0)
        for _, flags in self._poller.ipoll(t):  # no list per wait
            return flags
        return 0

    def recv_some(self, buf):
        """Read into ``buf`` (a memoryview): the count, 0 at EOF, None when nothing came within the
        timeout (a poll that finds nothing raises and allocates nothing); ConnectionLost when the
        connection failed.

        The common case on MicroPython (a plain socket, data ready) takes small functions: there a
        function with more than 11 words of state (locals, stack; a ``try`` costs 9) gets its frame
        from the heap at every call, and with much garbage in the heap that search takes long.  Any
        other case, and errors, go through ``_recv``."""
        if MICROPYTHON and self._wait_first:
            flags = self._wait(1)  # select.POLLIN (with POLLERR after a reset: _recv reads once)
            if not flags:
                return None
            if flags == 1:
                n = self._readinto(buf)
                if n is not None:
                    return n
        return self._recv(buf)

    def _readinto(self, buf):
        """A read of a socket that poll found readable (MicroPython):
        the count, or None when nothing was there or the read failed (``_recv`` reads again and
        reports the error)."""
        try:
            return self.sock.readinto(buf)
        except OSError:
            return None

    def _recv(self, buf, once=False):
        """``recv_some`` without its fast path: a plain socket on MicroPython is read once after the wait
        (``rtio.recv_into``): an HTTP answer may have a reset right behind it; a TLS socket always (at
        most ``once`` bytes when given: ``Session.one_read``), where it has recv()."""
        try:
            if MICROPYTHON:
                if self._wait_first and not self._wait(select.POLLIN):
                    return None
                # TLS gives nothing until a whole record came: the read as a whole within the timeout
                # (a record dribbled a byte at a time gave every wait all of it: 43 s for a 3 s deadline).
                t = self.timeout
                dl = deadline(t)
                try:
                    while True:
                        if self._wait_first:
                            n = recv_into(self.sock, buf)
                        else:  # TLS: one read per call (rtio.recv_into says why)
                            n = recv_into(self.sock, buf, once) if hasattr(self.sock, "recv") else self.sock.readinto(buf)
                        if n is not None:
                            return n
                        if dl is not None:
                            self.timeout = max(remaining(dl), 0)
                        if not self._wait(select.POLLIN):
                            return None
                finally:
                    self.timeout = t
            return self.sock.recv_into(buf)
        except OSError as exc:
            if is_timeout(exc) or would_block(exc):  # (CPython's TLS with a zero timeout: SSLWantReadError)
                return None
            if getattr(exc, "reason", 0) and exc.args[0] == 8:
                # CPython's TLS (tls.WRAP_KW): SSLEOFError with a reason (UNEXPECTED_EOF_WHILE_READING) for a
                # close without close_notify, an end, as most servers close so; a reset has none
                return 0
            raise ConnectionLost("receive failed: %r" % (exc,))

    def sendall(self, data, timeout=-1):
        """Write all of ``data`` within ``timeout`` seconds (default: the stream's timeout, which the
        last read set), the whole call as CPython's ``sendall`` bounds it.  MicroPython's TLS runs its
        handshake inside the first write (see ``open_stream``): its failures are TLSError."""
        if timeout != -1 and timeout != self.timeout:
            self.settimeout(timeout)
        t = self.timeout
        try:
            if MICROPYTHON:
                if not self._wait_first and self._wait(0, 0) & 8:
                    # A write that meets the reset fails the TLS socket for good, reads too, and what came
                    # before the reset (a WebSocket's last messages and its Close) would be lost with it
                    raise OSError(104)  # ECONNRESET
                total = len(data)
                pos = self._write(data) or 0  # usually all of it at once
                if pos == total:
                    return
                mv = memoryview(data)
                dl = deadline(t)
                while pos < total:
                    n = self._write(mv[pos:])
                    if n is None:
                        # The kernel says a socket is writable only once a share of its send buffer has
                        # drained (a third on Linux: seconds of an autotuned buffer for a peer that takes
                        # every byte, slowly): a write is tried every second too, and what it takes goes.
                        left = remaining(dl)
                        if left == 0:
                            raise TimeoutError("the server did not accept data within %s s" % t)
                        self._wait(select.POLLOUT, 1 if left is None or left > 1 else left)
                        continue
                    pos += n
            else:
                self._sendall(data)
        except (OSError, ValueError) as exc:
            if is_timeout(exc):
                raise TimeoutError("the server did not accept data within %s s" % t)
            # A certificate refused (ValueError), an mbedTLS code (< 0) but CONN_EOF (-29312: the server
            # closed the connection, a transient failure as a reset is, not a TLS one)
            if MICROPYTHON and self.host and (isinstance(exc, ValueError) or -29312 != exc.args[0] < 0):
                from .errors2 import TLSError

                raise TLSError("TLS with %s failed: %s" % (self.host, str(exc).strip()))
            raise ConnectionLost("send failed: %r" % (exc,))
        finally:
            self.timeout = t

    def readable(self):
        """True when input (bytes or EOF) waits on a connection that should be idle: a sign that it can't
        carry the next request.  Never blocks; what a TLS probe reads is lost with the connection."""
        try:
            if MICROPYTHON:
                if self._event != select.POLLIN:
                    self._poller.modify(self.sock, select.POLLIN)
                    self._event = select.POLLIN
                # (A TLS socket polled counts the bytes it holds that the kernel knows nothing of.)
                for _ in self._poller.ipoll(0):
                    return True
                return False
            if self.sock is self.raw:
                return bool(select.select([self.sock], [], [], 0)[0])
            # TLS: a post-handshake message (a session ticket) makes the socket readable without data.
            t = self.sock.gettimeout()
            self.timeout = 0  # (what the socket is while it probes: an interrupt until it is restored, which left
            try:  # it non-blocking with the cached timeout unchanged, made the next request time out at once;
                self.sock.settimeout(0)  # settimeout() now sets the socket's again)
                self.sock.recv(1)
                return True  # application data or EOF
            except OSError as exc:
                return not would_block(exc)
            finally:
                self.sock.settimeout(t)
                self.timeout = t
        except (OSError, ValueError):
            return True

    def close(self):
        """Close the socket (and the TCP one under TLS).  Allocates nothing: it runs after a MemoryError."""
        rtio.close(self.sock, self.raw)


def resolve(host, port, timeout=None):
    """The first address of ``host`` for a TCP connection.

    Where name resolution is bounded: CPython runs ``getaddrinfo`` in a helper thread and gives up
    after ``timeout`` (``_cpython.resolve``: the thread finishes on its own later); MicroPython calls
    ``getaddrinfo`` directly, bounded only by the port's resolver (lwIP's DNS timeout on ESP32 / Pico
    W, the C library's on the unix port).  Address literals are never sent to a resolver thread.
    """
    if MICROPYTHON or timeout is None:
        infos = _getaddrinfo(host, port)
    else:
        from ._cpython import resolve

        infos = resolve(_getaddrinfo, host, port, timeout)
    if not infos:
        raise ConnectError("cannot resolve %r: no address" % (host,))
    return infos[0]


def _getaddrinfo(host, port):
    try:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # UnicodeError: a name IDNA refuses (an empty label ...)
        raise ConnectError("cannot resolve %r: %r" % (host, exc))


def open_stream(host, port, timeout=10.0, tls=False, server_hostname=None, ssl_context=None, cadata=None,
                verify=True):
    """Resolve, connect (bounded by ``timeout``) and optionally wrap in TLS (on MicroPython the
    handshake runs in the first write: see ``tls.wrap``).

    TLS verifies the server certificate by default.  ``cadata`` (DER or PEM bytes) names the CA(s) to
    trust; CPython falls back to the system store.  On MicroPython there is no system store, so
    verification without ``cadata`` or an ``ssl_context`` is impossible and raises TLSError unless the
    caller waived it explicitly with ``verify=False``.
    """
    dl = deadline(timeout)
    info = resolve(host, port, timeout)
    raw = socket.socket(info[0], info[1], info[2])
    try:
        raw.settimeout(_left(dl, host, port, timeout))
        try:
            raw.connect(info[-1])
        except OSError as exc:
            if is_timeout(exc):
                raise TimeoutError("connect to %s:%d timed out after %s s" % (host, port, timeout))
            raise ConnectError("connect to %s:%d failed: %r" % (host, port, exc))
        set_nodelay(raw)
        sock = raw
        if tls:
            from .tls import wrap  # only TLS users load the TLS helpers

            raw.settimeout(_left(dl, host, port, timeout))  # the handshake shares the budget
            sock = wrap(raw, server_hostname or host, ssl_context, cadata, verify, timeout)
        stream = Stream(sock, raw)
        stream.timeout = timeout
        if tls:
            stream.host = server_hostname or host
        return stream
    except BaseException:
        raw.close()
        raise


def _left(dl, host, port, timeout):
    """Seconds left of the connect budget (a zero timeout would make the socket non-blocking)."""
    if dl is None:
        return None
    left = remaining(dl)
    if left <= 0:
        raise TimeoutError("connect to %s:%d timed out after %s s" % (host, port, timeout))
    return left
