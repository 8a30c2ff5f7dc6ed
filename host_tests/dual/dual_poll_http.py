"""The poll engine against the real local servers: many connections in one loop, FIFO requests,
streaming callbacks, and the upgrade on a connection that first carried HTTP."""

import microhttpc
from microhttpc.poll import Engine
from check import server



def _pattern(n):
    b = bytearray(n)  # what /bytes/N sends; no list of ints (too big for the board-sized heap)
    for i in range(n):
        b[i] = i & 0xFF
    return bytes(b)


EXPECTED_BYTES = _pattern(1500)


def test_lazy_name():
    assert microhttpc.Engine is Engine


def test_three_requests_and_two_websockets_interleaved():
    e = Engine(buffer_size=512, timeout=10)  # a small receive buffer: the 1500-byte body comes in pieces
    hh, hp = server("http")
    wh, wp = server("ws")
    log = {}

    def rec(name, *item):
        log.setdefault(name, []).append(item)

    # 1: a plain GET, body collected into resp.body
    c1 = e.connect(hh, hp, on_connect=lambda c: rec("c1", "connect"), on_close=lambda c, x: rec("c1", "close", x))
    e.request(c1, "GET", "/hello", on_complete=lambda r, ok: rec("c1", "done", r.status, r.body, ok),
              on_err=lambda x: rec("c1", "err", x))
    # 2: a larger body streamed through on_body
    pieces = []
    c2 = e.connect(hh, hp, on_close=lambda c, x: rec("c2", "close", x))
    e.request(c2, "GET", "/bytes/1500", on_body=pieces.append,
              on_complete=lambda r, ok: rec("c2", "done", r.status, r.body, ok))
    # 3: a POST whose body is an iterator (sent chunked, pulled as the socket drains)
    c3 = e.connect(hh, hp, on_close=lambda c, x: rec("c3", "close", x))
    e.request(c3, "POST", "/echo", body=iter([b"one,", "two,", b"three"]),
              on_complete=lambda r, ok: rec("c3", "done", r.json()["body"],
                                            ["Transfer-Encoding", "chunked"] in r.json()["headers"], ok))
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
    for p in pieces:  # piece by piece: a board-sized heap may not hold another 1500-byte block
        assert p == EXPECTED_BYTES[pos : pos + len(p)]
        pos += len(p)
    assert pos == len(EXPECTED_BYTES)
    assert log["c2"] == [("done", 200, None, True)]  # streamed: nothing collected, log
    assert log["c3"] == [("done", "one,two,three", True, True)], log
    assert got4 == ["m0", "m1", "m2"]
    assert log["c4"] == [("ws_close", 1000), ("close", None)], log
    assert log["c5"] == [("pong", b"p5"), ("msg", b"\x00\xff" * 10), ("ws_close", 1000), ("close", None)], log
    e.close_all()
    e.run(timeout=2)
    assert not e.connections


def test_fifo_order_each_callback_once():
    e = Engine(timeout=10)
    host, port = server("http")
    events = []
    conn = e.connect(host, port, on_connect=lambda c: events.append("connect"))
    plan = [("GET", "/status/201", None), ("GET", "/hello", None), ("GET", "/status/404", None),
            ("POST", "/echo", "payload")]
    for i, (method, target, body) in enumerate(plan):
        # Queued before the connection is even up: they must go out in this order, one at a time.
        e.request(conn, method, target, body=body,
                  on_response=lambda r, i=i: events.append((i, "response", r.status)),
                  on_complete=lambda r, ok, i=i: events.append((i, "complete", ok)),
                  on_err=lambda x, i=i: events.append((i, "err", x)))
    assert events == []  # callbacks only ever run inside poll()
    assert e.run(until=lambda: len(events) == 9, timeout=10)
    assert events == ["connect", (0, "response", 201), (0, "complete", True), (1, "response", 200),
                      (1, "complete", True), (2, "response", 404), (2, "complete", True),
                      (3, "response", 200), (3, "complete", True)]
    e.poll(50)
    assert len(events) == 9  # nothing fires twice
    e.close(conn)
    e.run(timeout=2)
    assert conn.closed


def test_upgrade_after_http_on_the_same_connection():
    e = Engine(timeout=10)
    host, port = server("http")
    log = []
    conn = e.connect(host, port, on_connect=lambda c: log.append("connect"),
                     on_close=lambda c, x: log.append(("conn_close", x)))
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: log.append(("http", r.body)))
    sock = []

    def on_open(w):
        sock.append(conn.sock)
        log.append("open")
        w.send("after http", on_tx_complete=lambda ok: log.append(("tx", ok)))

    w = e.upgrade(conn, "/ws", on_open=on_open, on_msg=lambda m: (log.append(("msg", m)), w.close()),
                  on_close=lambda code, reason: log.append(("ws_close", code, reason)))
    late = []
    e.request(conn, "GET", "/hello", on_err=late.append)  # queued behind the upgrade
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert log == ["connect", ("http", b"hello world"), "open", ("tx", True), ("msg", "after http"),
                   ("ws_close", 1000, ""), ("conn_close", None)]
    assert len(late) == 1 and isinstance(late[0], microhttpc.UsageError)
    assert w.response.status == 101 and w.close_code == 1000


def test_http_refused_once_upgraded():
    e = Engine(timeout=10)
    host, port = server("http")
    conn = e.connect(host, port)
    opened = []
    w = e.upgrade(conn, "/ws", on_open=opened.append)
    assert e.run(until=lambda: opened, timeout=10)
    err = None
    try:
        e.request(conn, "GET", "/hello")
    except microhttpc.UsageError as exc:
        err = exc
    assert err is not None and "WebSocket" in str(err)
    w.close()
    assert e.run(until=lambda: conn.closed, timeout=10)


def test_refused_upgrade_leaves_http_usable():
    e = Engine(timeout=10)
    host, port = server("http")
    errs = []
    opened = []
    done = []
    conn = e.connect(host, port)
    e.upgrade(conn, "/status/403", on_open=opened.append, on_err=errs.append,
              on_close=lambda code, reason: opened.append("close"))
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: done.append(r.body))
    assert e.run(until=lambda: done, timeout=10)
    assert opened == []  # never opened, so never "closed" either
    assert len(errs) == 1 and isinstance(errs[0], microhttpc.HandshakeError)
    assert errs[0].response.status == 403 and errs[0].response.body == b"status 403"
    assert done == [b"hello world"] and not conn.closed
    e.close(conn)
    e.run(timeout=2)


def test_streaming_websocket_receive():
    e = Engine(timeout=10)
    host, port = server("ws")
    conn = e.connect(host, port)
    calls = []
    data = []

    def on_open(w):
        w.send(EXPECTED_BYTES[:1200])
        w.send_start(True)  # a text message of unknown length, in three frames
        w.send_fragment("caf")
        w.send_fragment("\u00e9 ")
        w.send_end(b"ok", on_tx_complete=lambda ok: calls.append(("tx_end", ok)))

    def on_complete():
        calls.append(("complete", len(data)))
        if len(calls) == 5:
            w.close()

    w = e.upgrade(conn, "/", on_open=on_open, on_msg_rx_init=lambda t, n: calls.append(("init", t, n)),
                  on_msg_rx_data=lambda chunk: data.append(bytes(chunk)), on_msg_rx_complete=on_complete)
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert calls[0] == ("tx_end", True)
    assert calls[1] == ("init", False, 1200)
    first = calls[2][1]
    assert b"".join(data[:first]) == EXPECTED_BYTES[:1200]
    assert calls[3][0] == "init" and calls[3][1] is True
    assert b"".join(data[first:]).decode() == "caf\u00e9 ok"
    assert calls[4] == ("complete", len(data))
    assert w.close_code == 1000
