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
