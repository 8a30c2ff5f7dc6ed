"""The poll engine drives many connections from one loop: three HTTP requests (a plain GET, a body
streamed through on_body, a chunked POST) and two WebSockets (aiohttp and websockets) interleaved.
In a module of its own so the MicroPython heap holds little test code besides the five connections."""

import json

from check import server
from microhttpc.poll import Engine


def _pattern(n):
    b = bytearray(n)  # what /bytes/N sends; no list of ints (too big for the board-sized heap)
    for i in range(n):
        b[i] = i & 0xFF
    return bytes(b)


EXPECTED_BYTES = _pattern(1000)


def test_three_requests_and_two_websockets_interleaved():
    e = Engine(buffer_size=256, timeout=10)  # a small receive buffer: the body comes in pieces
    hh, hp = server("http")
    wh, wp = server("ws")
    log = {}

    def rec(name, *item):
        log.setdefault(name, []).append(item)

    # 1: a plain GET, body collected into resp.body
    c1 = e.connect(hh, hp, on_connect=lambda c: rec("c1", "connect"),
                   on_close=lambda c, x: rec("c1", "close", x))
    e.request(c1, "GET", "/hello", on_complete=lambda r, ok: rec("c1", "done", r.status, r.body, ok),
              on_err=lambda x: rec("c1", "err", x))
    # 2: a larger body streamed through on_body
    pieces = []
    c2 = e.connect(hh, hp, on_close=lambda c, x: rec("c2", "close", x))
    e.request(c2, "GET", "/bytes/1000", on_body=pieces.append,
              on_complete=lambda r, ok: rec("c2", "done", r.status, r.body, ok))
    # 3: a POST whose body is an iterator (sent chunked, pulled as the socket drains)
    c3 = e.connect(hh, hp, on_close=lambda c, x: rec("c3", "close", x))
    e.request(c3, "POST", "/echo", body=iter([b"one,", "two,", b"three"]),
              on_complete=lambda r, ok: rec("c3", "done", ok, r.body))
    # 4: WebSocket on the aiohttp server: three text messages in turn, then close
    c4 = e.connect(hh, hp, on_close=lambda c, x: rec("c4", "close", x))
    got4 = []

    def on_msg4(m):
        got4.append(m)
        if len(got4) < 3:
            w4.send("m%d" % len(got4))
        else:
            w4.close()

    w4 = e.upgrade(c4, "/ws", on_open=lambda w: w.send("m0"), on_msg=on_msg4,
                   on_close=lambda code, reason: rec("c4", "ws_close", code))
    # 5: WebSocket on the websockets server: binary echo and a ping
    c5 = e.connect(wh, wp, on_close=lambda c, x: rec("c5", "close", x))

    def on_open5(w):
        w.ping(b"p5")
        w.send(b"\x00\xff" * 10)

    w5 = e.upgrade(c5, "/", on_open=on_open5, on_pong=lambda d: rec("c5", "pong", d),
                   on_msg=lambda m: (rec("c5", "msg", m), w5.close()),
                   on_close=lambda code, reason: rec("c5", "ws_close", code))

    def finished():
        return len(log.get("c1", ())) == 2 and "c2" in log and "c3" in log and c4.closed and c5.closed

    assert e.run(until=finished, timeout=10), log
    assert log["c1"][0] == ("connect",), log
    assert log["c1"][1] == ("done", 200, b"hello world", True), log
    assert len(pieces) > 1, log
    pos = 0
    for p in pieces:  # piece by piece: no second copy of the body on a board-sized heap
        assert p == EXPECTED_BYTES[pos : pos + len(p)]
        pos += len(p)
    assert pos == len(EXPECTED_BYTES)
    assert log["c2"] == [("done", 200, None, True)]  # streamed: nothing collected, log
    assert log["c3"][0][:2] == ("done", True), log
    echo = json.loads(log["c3"][0][2])
    assert echo["body"] == "one,two,three" and ["Transfer-Encoding", "chunked"] in echo["headers"]
    assert got4 == ["m0", "m1", "m2"]
    assert log["c4"] == [("ws_close", 1000), ("close", None)], log
    assert log["c5"] == [("pong", b"p5"), ("msg", b"\x00\xff" * 10), ("ws_close", 1000), ("close", None)], log
    e.close_all()
    e.run(timeout=2)
    assert not e.connections
