"""The opening handshake's module (``handshake``) leaves a short heap when an upgrade ends before its
101 was checked (the connection lost, a timeout, a MemoryError), as it does once a 101 is checked: it
stayed loaded, and after a MemoryError mid-upgrade the next connection found no room (poll 93-94 KiB).
"Short" is forced here (``_KEEP_FREE``); CPython keeps it (0).  Both runtimes."""

import sys

from check import server


def _short(on):
    from microhttpc import rt

    if rt.MICROPYTHON:
        from microhttpc import handshake

        handshake._KEEP_FREE = (1 << 40) if on else 16384


def _gone():
    import microhttpc

    return "microhttpc.handshake" not in sys.modules and "handshake" not in microhttpc.__dict__


def test_session_lost_mid_upgrade_unloads():
    from microhttpc.rt import MICROPYTHON
    from microhttpc.session import Session
    from microhttpc.wsession import start_upgrade

    from microhttpc import rtio

    s = Session("example.com")
    s.clock = rtio
    s.opened()
    start_upgrade(s, "/ws")
    assert s.upgrading is not None
    _short(True)
    try:
        s.lost()  # the connection ended before the 101
        assert _gone() == MICROPYTHON
    finally:
        _short(False)


def test_blocking_upgrade_timeout_unloads():
    from microhttpc import Connection
    from microhttpc.errors import TimeoutError
    from microhttpc.rt import MICROPYTHON

    h, p = server("wsraw")
    conn = Connection(h, p, timeout=0.3)
    conn.open()
    import microhttpc.handshake  # noqa: F401  (loaded now: the upgrade's must go)

    _short(True)
    try:
        try:
            conn.upgrade("/mute")
            raise AssertionError("no TimeoutError")
        except TimeoutError:
            pass
        assert _gone() == MICROPYTHON
    finally:
        _short(False)
        conn.close()


def test_poll_upgrade_lost_unloads():
    from microhttpc.poll import Engine
    from microhttpc.rt import MICROPYTHON

    h, p = server("wsraw")
    e = Engine(timeout=0.3)
    got = []
    c = e.connect(h, p, on_close=lambda c, x: got.append(x))
    _short(True)
    try:
        e.upgrade(c, "/mute", on_err=got.append)
        e.run(until=lambda: c.closed, timeout=5)
        assert c.closed and got, got
        assert _gone() == MICROPYTHON
    finally:
        _short(False)
