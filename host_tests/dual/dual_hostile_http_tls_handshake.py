"""TLS handshakes from servers that stall, dribble, answer slowly, reset or say nothing, through the
three I/O layers.  A module of their own (from dual_hostile_http_raw2): a TLS context takes a 3 KB
block on MicroPython, and beside that module's code a 128K heap had no such hole left."""

from microhttpc.errors import ConnectError, ConnectionLost, TimeoutError
from check import server
from pumps_http import expect, open_client, per_layer


def _tls_handshake_stall_is_bounded_by_connect_timeout(layer):
    """A server that accepts TCP and never answers the TLS handshake, or dribbles it: TimeoutError after
    about ``connect_timeout``, with ``timeout=None`` too.  (MicroPython's TLS runs the handshake inside
    the first write: poll and aio waited for it without a bound, forever with timeout=None.)"""
    from check import server
    from pumps_http import now

    host, port = server("silent")
    c = open_client(layer, host, port, run_timeout=6, tls=True, verify=False, connect_timeout=0.5, timeout=None)
    t0 = now()
    try:
        exc = expect(TimeoutError, c.request, "GET", "/hello")
    finally:
        c.close()
    assert now() - t0 < 4, now() - t0
    assert "0.5" in str(exc), exc
    # A handshake the server dribbles a byte every 20 ms: the bound is for the whole of it
    # (MicroPython's blocking handshake restarted the socket's timeout at every byte: ~30 s).
    host, port = server("tlsdribble")
    c = open_client(layer, host, port, run_timeout=6, tls=True, verify=False, connect_timeout=0.5, timeout=None)
    t0 = now()
    try:
        exc = expect(TimeoutError, c.request, "GET", "/hello")
    finally:
        c.close()
    assert now() - t0 < 4, now() - t0
    assert "0.5" in str(exc), exc
    # Once the handshake is over, connect_timeout no longer bounds anything: a server slower than it
    # to answer, within ``timeout``, is fine, on the first request and the next.
    from check import tls_ca as ca

    host, port = server("tls")
    c = open_client(layer, host, port, tls=True, cadata=ca(), server_hostname="localhost", connect_timeout=0.3,
                    timeout=5)
    try:
        for _ in range(2):
            r = c.request("GET", "/slow?s=0.6")
            assert (r.status, r.body) == (200, b"slow"), r
    finally:
        c.close()


per_layer(globals(), "tls_handshake_stall_is_bounded_by_connect_timeout",
          _tls_handshake_stall_is_bounded_by_connect_timeout)


def _tls_handshake_slower_than_timeout(layer):
    """A TLS handshake slower than ``timeout`` (the server's first bytes 0.8 s late) but within
    ``connect_timeout`` succeeds on every layer and runtime (MicroPython, whose handshake runs in the
    first write, cut it at ``timeout``, the bound of each wait and of the response head)."""
    from check import tls_ca as ca

    host, port = server("tlsslow")
    c = open_client(layer, host, port, tls=True, cadata=ca(), server_hostname="localhost", connect_timeout=5,
                    timeout=0.4)
    try:
        r = c.request("GET", "/hello")
        assert (r.status, r.body) == (200, b"hello world"), r
    finally:
        c.close()


def _tls_reset_is_not_a_tls_error(layer):
    """A reset or a close in the middle of the TLS handshake is a transient failure (ConnectError, or
    ConnectionLost where the handshake runs in the first write), not a TLSError that a reconnect loop
    takes as final (CPython's blocking and poll layers said TLSError for both; for the close, so did
    every layer on MicroPython, where CPython's aio said ConnectError)."""
    from microhttpc.errors import TLSError

    for name in ("tlsreset", "tlsfin"):
        host, port = server(name)
        c = open_client(layer, host, port, tls=True, verify=False, connect_timeout=5, timeout=5)
        try:
            exc = expect((ConnectError, ConnectionLost), c.request, "GET", "/hello")
        finally:
            c.close()
        assert not isinstance(exc, TLSError), (name, exc)


def _tls_timeout_on_time(layer):
    """A TLS server that answers nothing: TimeoutError at ``timeout``, not 1 s later (CPython's aio
    waited for the server's answer to its close_notify, which never came)."""
    from check import tls_ca as ca
    from pumps_http import now

    host, port = server("tlssilent")
    c = open_client(layer, host, port, tls=True, cadata=ca(), server_hostname="localhost", timeout=0.2)
    try:
        t0 = now()
        expect(TimeoutError, c.request, "GET", "/hello")
        assert now() - t0 < 1.1, now() - t0
    finally:
        c.close()


per_layer(globals(), "tls_handshake_slower_than_timeout", _tls_handshake_slower_than_timeout)
per_layer(globals(), "tls_reset_is_not_a_tls_error", _tls_reset_is_not_a_tls_error)
per_layer(globals(), "tls_timeout_on_time", _tls_timeout_on_time)
