"""Messages read together with one whose callback's send() met a reset are handed over still, and
on_close comes after them (the blocking layer dropped them and told on_close at once: the end that
send() found was taken for the application's own close in a callback, after which nothing is handed
out; an outside hunt).  Blocking only: the asyncio WebSocket's
callbacks cannot send (no await), and poll's sends are queued, not written, in the callback (both
handed the messages over already).  Both runtimes."""

import time

from check import server


def test_blocking_messages_read_with_one_whose_callback_send_met_a_reset():
    from microhttpc import Connection
    from microhttpc.errors import ConnectionClosed

    h, p = server("http")
    got = []

    def on_msg(m):
        got.append(m)
        if m == "a":
            time.sleep(0.5)  # the reset has come by now
            try:
                ws.send("x")
                got.append("sent")
            except ConnectionClosed as e:
                got.append("send: %d" % e.code)

    def on_close(code, reason):
        got.append("close %d" % code)

    c = Connection(h, p, timeout=5)
    c.open()
    ws = c.upgrade("/ws", on_msg=on_msg, on_close=on_close)
    for m in ("a", "b", "c", "reset-me"):  # (the server resets the connection at "reset-me")
        ws.send(m)
    time.sleep(0.3)  # the three echoes in the socket: one read takes them
    for _ in range(5):
        try:
            ws.poll(1)
        except ConnectionClosed as e:
            assert e.code == 1006, e.code
            break
    else:
        raise AssertionError("no end: %r" % (got,))
    assert got == ["a", "send: 1006", "b", "c", "close 1006"], got
