"""poll.reconnect checks its keywords before it connects.  (A module of its own, from
dual_hostile_api_more: a test module's code stays in the heap while its test runs, and this one passed
MicroPython's 128 KiB with 1.25 KB to spare there.)"""

from check import raises, server


def test_poll_reconnect_checks_its_keywords_before_it_connects():
    from microhttpc.errors import HeaderNotAllowed, UsageError
    from microhttpc.poll import Engine, reconnect

    h, p = server("http")
    url = "ws://%s:%d/ws" % (h, p)
    e = Engine(timeout=5)
    for kw in ({"on_open": 5}, {"timout": 1}, {"on_msg": 5}, {"on_close": "x"}, {"on_err": 5},
               {"ping_interval": "x"}):
        raises(UsageError, reconnect, e, url, **kw)
        assert not e.connections, (kw, e.connections)  # nothing made
    # A header the upgrade refuses, found once the connection was made: that connection is closed.
    raises(HeaderNotAllowed, reconnect, e, url, headers={"Upgrade": "x"})
    assert e.run(timeout=5) and not e.connections


def test_poll_reconnect_bounds_each_handshake():
    # An upgrade refused with a body a byte every 0.25 s (wsraw /refused-drip, 10 s): each attempt of
    # poll.reconnect took the whole 10 s with Engine(timeout=1), and deadline= was refused (an outside
    # hunt); ws_connect's timeout bounds its handshake as a whole on the other layers.  Now the
    # connection's timeout is each attempt's deadline unless deadline= says otherwise.
    from microhttpc.errors import TimeoutError
    from microhttpc.poll import Engine, reconnect
    from microhttpc.rtio import ticks_diff, ticks_ms

    h, p = server("wsraw")
    url = "ws://%s:%d/refused-drip" % (h, p)
    for engine_kw, kw in (({"timeout": 1}, {}), ({"timeout": 5}, {"deadline": 1})):
        e = Engine(**engine_kw)
        got = []
        t0 = ticks_ms()
        rc = reconnect(e, url, base_delay=30, on_retry=lambda exc, delay: got.append((exc, ticks_ms())), **kw)
        e.run(until=lambda: got, timeout=8)
        rc.stop()
        e.run(timeout=2)
        assert got and isinstance(got[0][0], TimeoutError), got
        assert ticks_diff(got[0][1], t0) < 3000, ticks_diff(got[0][1], t0)
