"""The poll engine against the real local servers: FIFO requests, callbacks once and in order,
streaming receive callbacks, and the upgrade on a connection that first carried HTTP."""

import microhttpc
from check import server
from microhttpc.poll import Engine

PAYLOAD = bytes(range(256)) * 3 + bytes(range(32))  # 800 bytes



def test_lazy_name():
    assert microhttpc.Engine is Engine


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
    assert len(errs) == 1 and isinstance(errs[0], microhttpc.UpgradeRefused)
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
        w.send(PAYLOAD)
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
    assert calls[1] == ("init", False, 800)
    first = calls[2][1]
    assert b"".join(data[:first]) == PAYLOAD
    assert calls[3][0] == "init" and calls[3][1] is True
    assert b"".join(data[first:]).decode() == "caf\u00e9 ok"
    assert calls[4] == ("complete", len(data))
    assert w.close_code == 1000
