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
