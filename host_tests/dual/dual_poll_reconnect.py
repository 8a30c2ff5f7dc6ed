"""Reconnecting WebSockets on the poll engine (microhttpc.poll.reconnect): the rules of
microhttpc.reconnect driven by the engine's callbacks and call_later() timers, against the raw server."""

from check import server, url
from microhttpc.rtio import ticks_diff, ticks_ms as ticks  # (not pumps_ws's: a module less in the heap)


def elapsed(t0):
    """Seconds since ``t0`` (from ticks())."""
    return ticks_diff(ticks(), t0) / 1000


def _engine():
    from microhttpc.poll import Engine

    return Engine(buffer_size=512)


def test_poll_reconnect_after_drops_with_backoff():
    # /drop/2: two messages, then TCP closed.  Each time a new WebSocket opens; each drop after a short
    # life counts as a failure: waits of 0.3 s, then 0.6 s (times 1 .. 1.25).  on_retry gets what
    # ended the connection: the ConnectionLost its WebSocket's on_err had.
    from microhttpc.errors import ConnectionLost
    from microhttpc.poll import reconnect

    e = _engine()
    got, opened, retries, closes = [], [], [], []

    def on_open(ws):
        opened.append(ticks())

    def on_retry(exc, delay):
        retries.append((isinstance(exc, ConnectionLost), delay))

    rc = reconnect(e, url("ws", "wsraw", "/drop/2?poll"), base_delay=0.3, max_delay=5, on_open=on_open,
                   on_msg=got.append, on_retry=on_retry, on_close=lambda code, reason: closes.append(code))
    assert rc.running and rc.websocket is None
    assert e.run(until=lambda: len(opened) == 3 and len(got) == 6, timeout=15)
    assert got == ["m0", "m1"] * 3, got
    # (the third connection may have dropped, and been counted, in the round that ended run())
    assert len(retries) in (2, 3) and all(r[0] for r in retries), retries
    assert 0.3 <= retries[0][1] <= 0.375 and 0.6 <= retries[1][1] <= 0.75, retries
    assert ticks_diff(opened[1], opened[0]) / 1000 >= 0.3  # it waited at least the base delay
    assert ticks_diff(opened[2], opened[1]) / 1000 >= 0.6
    rc.stop()
    assert not rc.running and rc.error is None
    assert e.run(timeout=10), "the engine still had work after stop()"
    assert not e.connections and len(opened) == 3


def test_poll_reconnect_own_close_ends_the_loop():
    # The application's own close(1000) ends the loop: run() returns once the connection is closed.
    from microhttpc.poll import reconnect

    e = _engine()
    got, opened = [], []

    def on_open(ws):
        opened.append(ws)
        ws.send("x")

    def on_msg(m):
        got.append(m)
        rc.websocket.close()

    rc = reconnect(e, url("ws", "wsraw", "/echo?poll"), on_open=on_open, on_msg=on_msg)
    assert e.run(timeout=10)
    assert got == ["x"] and len(opened) == 1, (got, opened)
    assert not rc.running and rc.error is None and rc.websocket is None
    assert opened[0].close_code == 1000


def test_poll_reconnect_server_close_is_not_the_end():
    # /bye/1: one message and a Close 1001 from the server: the loop goes on; min_uptime=0: every
    # connection counts as a good one, so the next attempt is immediate.
    from microhttpc.poll import reconnect

    e = _engine()
    got, retries = [], []
    rc = reconnect(e, url("ws", "wsraw", "/bye/1?poll"), base_delay=5, min_uptime=0, on_msg=got.append,
                   on_retry=lambda exc, d: retries.append((exc.code, d)))
    assert e.run(until=lambda: len(got) == 2, timeout=10)
    assert got == ["m0", "m0"] and retries == [(1001, 0)], (got, retries)
    rc.stop()
    assert e.run(timeout=10)


def test_poll_reconnect_refused_backs_off():
    # Nothing listens: every attempt fails with ConnectError; the waits double (0.2, 0.4, 0.8 capped
    # at 0.6) and on_err of each attempt's WebSocket has the error.  (Waits of 0.05 .. 0.15 s left the
    # stop's check 0.1 s, against a pending wait of 0.15 s.)
    from microhttpc.errors import ConnectError
    from microhttpc.poll import reconnect

    h, p = server("closed")
    e = _engine()
    retries, errs = [], []
    t0 = ticks()
    rc = reconnect(e, "ws://%s:%d/" % (h, p), base_delay=0.2, max_delay=0.6, on_err=errs.append,
                   on_retry=lambda exc, d: retries.append((exc, d)))
    assert e.run(until=lambda: len(retries) == 4, timeout=10)
    rc.stop()  # during a wait: the pending attempt is dropped, so run() returns at once
    t1 = ticks()
    assert e.run(timeout=5)
    assert elapsed(t1) < 0.4, elapsed(t1)  # (the pending wait: 0.6 s at least)
    assert all(isinstance(x, ConnectError) for x, d in retries), retries
    assert len(errs) >= 4 and all(isinstance(x, ConnectError) for x in errs), errs
    d = [x[1] for x in retries]
    assert 0.2 <= d[0] <= 0.25 and 0.4 <= d[1] <= 0.5, d
    assert 0.6 <= d[2] <= 0.75 and 0.6 <= d[3] <= 0.75, d
    assert elapsed(t0) >= 1.2  # the three waits before the fourth attempt failed


def test_poll_reconnect_stop_from_on_retry_drops_the_wait():
    # on_retry gives up at the first failure: run() returns at once, not after the backoff's wait
    # (the wait was queued after on_retry had called stop()).
    from microhttpc.poll import reconnect

    h, p = server("closed")
    e = _engine()
    seen = []

    def give_up(exc, delay):
        seen.append(delay)
        rc.stop()

    rc = reconnect(e, "ws://%s:%d/" % (h, p), base_delay=5, max_delay=10, on_retry=give_up)
    t0 = ticks()
    assert e.run(timeout=10)
    assert elapsed(t0) < 2 and len(seen) == 1 and seen[0] >= 5 and not rc.running, (elapsed(t0), seen)
    assert not e._timers


def test_poll_reconnect_refused_upgrade_ends_the_loop():
    # A 4xx answer to the upgrade is not mended by retrying: the loop ends, with the error kept.
    from microhttpc.errors import UpgradeRefused
    from microhttpc.poll import reconnect

    e = _engine()
    errs, retries = [], []
    rc = reconnect(e, url("ws", "http", "/no-such-websocket"), base_delay=0.05, on_err=errs.append,
                   on_retry=lambda exc, d: retries.append(exc))
    assert e.run(timeout=10)
    assert not rc.running and isinstance(rc.error, UpgradeRefused), rc.error
    assert 400 <= rc.error.response.status < 500 and errs == [rc.error] and not retries, (errs, retries)


def test_poll_reconnect_factory_and_bad_url():
    # A function may make each WebSocket itself; a URL that is not ws:// is a UsageError at once.
    from microhttpc.errors import UsageError
    from microhttpc.poll import reconnect

    e = _engine()
    h, p = server("wsraw")
    # The URL first: after the cycles below, loading urlsplit (a 640-byte allocation deep in the call)
    # failed in the 128K heap with about 28 KB free once collected at the test's level (MemoryError, the
    # documented fault; not what this test is about).
    try:
        reconnect(e, "http://%s:%d/" % (h, p))
    except UsageError:
        pass
    else:
        raise AssertionError("an http:// URL was taken")
    got, made = [], []

    def make(engine):
        made.append(1)
        c = engine.connect(h, p)
        return engine.upgrade(c, "/drop/1?poll", on_open=lambda ws: got.append("open"), on_msg=got.append)

    rc = reconnect(e, make, base_delay=0.05, min_uptime=0)
    assert e.run(until=lambda: len(got) == 4, timeout=10)
    assert got == ["open", "m0", "open", "m0"] and len(made) >= 2, (got, made)
    rc.stop()
    assert e.run(timeout=5)


def test_poll_reconnect_retries_a_function_that_fails():
    # The function fails as a board's connect does before Wi-Fi is up (OSError, then ConnectError): the
    # loop retries it with backoff, as the blocking and asyncio ones do (the first failure escaped from
    # reconnect(), a later one from run(), the loop dead with running still True).  A UsageError is not
    # retried: it ends the loop, in error.
    from microhttpc.errors import ConnectError, UsageError
    from microhttpc.poll import reconnect

    e = _engine()
    h, p = server("wsraw")
    got, made, retries = [], [], []

    def make(engine):
        made.append(1)
        if len(made) in (1, 3):
            raise OSError(113, "no route")
        if len(made) == 4:
            raise ConnectError("no Wi-Fi yet")
        return engine.upgrade(engine.connect(h, p), "/drop/1?poll", on_open=lambda ws: got.append("open"),
                              on_msg=got.append)

    rc = reconnect(e, make, base_delay=0.05, max_delay=0.1, min_uptime=0,
                   on_retry=lambda exc, delay: retries.append(type(exc).__name__))
    assert e.run(until=lambda: len(got) == 4, timeout=10), (got, made, retries)
    assert got == ["open", "m0", "open", "m0"] and len(made) >= 5, (got, made)
    assert retries[:4] == ["OSError", "ConnectionLost", "OSError", "ConnectError"], retries
    rc.stop()
    assert e.run(timeout=5) and rc.error is None

    def bad(engine):
        raise UsageError("wrong settings")

    try:
        reconnect(e, bad, base_delay=0.05)
    except UsageError:
        pass
    else:
        raise AssertionError("a UsageError was retried")


def test_call_later_keeps_run_going():
    # Engine.call_later: fn runs from poll() once the delay passed; run() waits for pending calls.
    e = _engine()
    fired = []
    t0 = ticks()
    e.call_later(0.2, lambda: fired.append(elapsed(t0)))
    e.call_later(0, lambda: fired.append(-1))
    assert e.run(timeout=5)
    assert fired[0] == -1 and len(fired) == 2 and fired[1] >= 0.2, fired
