"""A TLS connection whose handshake fails leaves no socket open, on every layer.  MicroPython's TLS
socket, closed after a failed handshake (a reset in it, a certificate refused), leaves the TCP socket
under it open: the poll engine and asyncio closed only the TLS one, and lost a socket per attempt (a
reconnect loop against such a server ran a board out of them); the blocking layer closed both."""

from check import server, tls_ca
from dual_aio_tasks import _open_fds

ROUNDS = 6  # (one socket each was lost: a growth of 6; up to 1 is the servers' side, when they share the process)

# The poll test at the edge of a 128K heap: under load (the whole suite running, the reset meeting the
# handshake at another step) its last rounds found no 3 KB block for the next TLS context, at 128K in 2
# of 3 runs and at 124K in every run, before this session's changes too; the heap in use is flat from
# round to round (no leak: 67,392 bytes after each of 8 rounds); 136K passed 5 of 5 under load.
MICROPYTHON_HEAPS = {"test_poll_failed_handshakes_leave_no_socket": "136K"}


def _cases():
    """(host, port, keywords) of handshakes that fail: a reset in it, and a name the certificate is not for."""
    h, p = server("tlsreset")
    th, tp = server("tls")
    return ((h, p, {"verify": False}), (th, tp, {"cadata": tls_ca(), "server_hostname": "wrong.example"}))


def _check(attempt):
    from microhttpc.errors import HTTPCError

    for host, port, kw in _cases():
        attempt(host, port, kw)  # (the first: what a first TLS connection loads and keeps)
        before = _open_fds()
        for _ in range(ROUNDS):
            try:
                attempt(host, port, kw)
            except HTTPCError:
                pass
        after = _open_fds()
        assert after is None or after - before <= 1, "%d sockets left open by %d failed handshakes (%s)" % (after - before, ROUNDS, kw)


def test_blocking_failed_handshakes_leave_no_socket():
    from microhttpc import Connection

    def attempt(host, port, kw):
        c = Connection(host, port, tls=True, timeout=5, **kw)
        try:
            c.request("GET", "/hello").read()
        except Exception:  # noqa: BLE001 - (expected: the handshake fails)
            pass
        c.close()

    _check(attempt)


def test_poll_failed_handshakes_leave_no_socket():
    from microhttpc.poll import Engine

    def attempt(host, port, kw):
        e = Engine(timeout=5)
        errs = []
        c = e.connect(host, port, tls=True, **kw)
        e.request(c, "GET", "/hello", on_err=errs.append)
        e.run(timeout=10)
        assert errs and not e.connections, errs

    _check(attempt)


def test_aio_failed_handshakes_leave_no_socket():
    import asyncio

    from microhttpc import aio

    def attempt(host, port, kw):
        async def main():
            c = aio.Connection(host, port, tls=True, timeout=5, **kw)
            try:
                r = await c.request("GET", "/hello")
                await r.read()
            except Exception:  # noqa: BLE001 - (expected: the handshake fails)
                pass
            await c.close()

        asyncio.run(main())

    _check(attempt)
