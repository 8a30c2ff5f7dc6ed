"""``Engine.close(conn, abort=True)`` from inside a WebSocket callback ends the connection there: no
callback for the messages that came behind the one being handled (they went on to ``on_msg``), then
``on_close`` once.  Both runtimes."""

from check import server


def test_abort_inside_on_msg_stops_the_round():
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    e = Engine(timeout=5)
    got = []
    closes = []
    conn = e.connect(h, p)

    def on_msg(m):
        got.append(m)
        e.close(conn, abort=True)

    e.upgrade(conn, "/abc", on_msg=on_msg, on_close=lambda code, reason: closes.append(code))  # a, b, c in one write
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert got == ["a"], got
    assert closes == [1006], closes


def test_abort_inside_on_open_is_no_fault():
    # From on_open it was reported as a ConnectionLost ("ended without a Close frame") to both on_errs:
    # the abort is the application's, on_close(conn, None) as from anywhere else.
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    for path in ("/pinged/3", "/later", "/noclose"):
        e = Engine(timeout=5)
        log = []
        conn = e.connect(h, p, on_close=lambda c, x: log.append(("conn close", x)),
                         on_err=lambda c, x: log.append(("conn err", x)))

        def on_open(w):
            log.append("open")
            e.close(conn, abort=True)

        e.upgrade(conn, path, on_open=on_open, on_msg=lambda m: log.append(("msg", m)),
                  on_close=lambda code, r: log.append(("ws close", code)), on_err=lambda x: log.append(("ws err", x)))
        assert e.run(until=lambda: conn.closed, timeout=10)
        assert log == ["open", ("ws close", 1006), ("conn close", None)], (path, log)
