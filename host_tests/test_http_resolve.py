"""CPython only: name resolution is bounded by connect_timeout (getaddrinfo runs in a helper thread).

A resolver that never answers can't be had from a real DNS server in a test, so the resolver function
itself is replaced by a slow one here; MicroPython's getaddrinfo can't be interrupted at all, which is
why this is not a dual test (README: "Timeouts and bad input").
"""

import socket
import threading
import time

import microhttpc
from microhttpc import net
from microhttpc.errors import ConnectError, TimeoutError


def test_slow_resolver_is_bounded_by_connect_timeout(monkeypatch):
    # (and a name of Unicode digits, which str.isdigit() took for an address literal, resolved without
    # the bound: it is an IDNA name)
    release = threading.Event()
    real = socket.getaddrinfo
    digits = "\u0661\u0662\u0667.\u0660.\u0660.\u0661"

    def slow(host, *args, **kw):
        if host in ("slow.example", digits, digits.encode("idna").decode()):
            release.wait(30)
        return real("127.0.0.1", *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    try:
        for name in ("slow.example", digits):
            c = microhttpc.Connection(name, 80, connect_timeout=0.2)
            exc = None
            t0 = time.monotonic()
            try:
                c.open()
            except TimeoutError as e:
                exc = e
            took = time.monotonic() - t0  # (not a speed: a bound that held or a wait of 30 s)
            assert exc is not None and (name != "slow.example" or name in str(exc)), (name, exc)
            assert took < 10, (name, took)
    finally:
        release.set()


def test_resolver_errors_and_literals(live_servers):
    host, port = live_servers.addresses["http"].split(":")
    # an address literal never goes to the resolver thread; a name does, and works
    assert net.resolve(host, int(port), 5)[-1][0] == "127.0.0.1"
    assert net.resolve("localhost", int(port), 5)[-1][1] == int(port)
    try:
        net.resolve("no-such-host.invalid", 80, 5)
    except ConnectError as e:
        assert "no-such-host.invalid" in str(e)
    else:
        raise AssertionError("expected ConnectError")
