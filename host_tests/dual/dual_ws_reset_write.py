"""Messages and a Close, then a reset, all in before the application reads, and a write of ours (the PONG
to a PING among them, a keepalive PING) meets the reset: every message and the server's Close, and no
error (on_err), through the three I/O layers, over TLS and plain TCP (tools/servers.py
/ping-among-then-reset, /sizes-then-reset)."""

from check import raises, server, tls_ca
from pumps_ws import connect_ws, per_layer

MICROPYTHON_HEAP = "192K"  # 11 KB of messages read at once after the reset (all that came before it), over TLS


def _read_late(layer, path, sizes, code, tls, **kw):
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("tlswsraw" if tls else "wsraw")
    ckw = {"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"} if tls else None
    ws = connect_ws(layer, h, p, path, conn_kw=ckw, **kw)
    sleep(0.6)  # the frames and the reset are in before the first read
    for i, k in enumerate(sizes):
        m = ws.recv(5)
        assert len(m) == k and m[:2] == b"m%d" % i, (i, len(m), m[:2])
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == code and e.reason == "bye", (e.code, e.reason, e.cause)
    assert ws.errors == [], ws.errors
    # The echo of the server's Close did not go out (the write met the reset): not claimed sent (the
    # blocking layer said sent_code 4000, ok True: the Close held back behind the messages was applied,
    # and its echo queued, after the read-back)
    assert e.sent_code is None and not e.ok, (e.sent_code, e.ok)


def _a_pong_meets_the_reset(layer, tls=True):
    """MicroPython over TLS: the PONG written after the first message met the reset, and a TLS socket
    that failed a write fails every read after it: what it still held was lost (``[m0]``, then 1006
    instead of 4000), on the blocking and asyncio layers; poll read its round first.  Over plain TCP
    (both runtimes) a write that met the reset read at most 16 reads (8 KiB) of what came before it:
    ``m2`` and the Close lost.  poll gave on_err(ConnectionLost) after on_close(4000) (the echo of the
    server's Close met the reset), where the other layers raise only ConnectionClosed(4000)."""
    _read_late(layer, "/ping-among-then-reset", (3002, 5002, 3002), 4000, tls)


per_layer(globals(), "a_pong_meets_the_reset_over_tls", _a_pong_meets_the_reset)
per_layer(globals(), "a_pong_meets_the_reset", lambda layer: _a_pong_meets_the_reset(layer, False))


def _a_keepalive_ping_meets_the_reset(layer):
    """MicroPython over TLS, keepalive on: the PING it wrote met the reset, and everything was lost
    (1006 at the first recv())."""
    _read_late(layer, "/sizes-then-reset", (102, 2302, 1166), 4000, True, ping_interval=0.2)


per_layer(globals(), "a_keepalive_ping_meets_the_reset_over_tls", _a_keepalive_ping_meets_the_reset)


def _poll_busy_then_reset(path, tls, n_sends, echo):
    """poll: the WebSocket opens; the application is busy while the server's messages, its Close and a
    reset come; then it queues ``n_sends`` messages, or (``echo``) answers each message from on_msg.
    Returns (the first byte or character of each message, on_close calls, on_err calls)."""
    from microhttpc.poll import Engine
    from pumps_http import sleep

    h, p = server("tlswsraw" if tls else "wsraw")
    ckw = {"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"} if tls else {}
    e = Engine(timeout=5)
    conn = e.connect(h, p, **ckw)
    msgs, closes, errs, opened = [], [], [], []
    ws = []

    def on_msg(m):
        msgs.append(m[0])  # (not all 120 KB of them)
        if echo:
            ws[0].send(b"echo")

    ws.append(e.upgrade(conn, path, on_open=opened.append, on_msg=on_msg, on_err=errs.append,
                        on_close=lambda code, reason: closes.append((code, reason))))
    assert e.run(until=lambda: opened or conn.closed, timeout=5) and opened, (conn.error, errs)
    sleep(0.6)  # the frames and the reset are in before the engine reads them
    for _ in range(n_sends):
        ws[0].send(b"x" * 10)
    assert e.run(until=lambda: conn.closed, timeout=8)
    return msgs, closes, errs


def _poll_frames_queued_at_a_reset(tls):
    """poll: a write that met the reset read nothing back when more than 16 frames waited to go out, or
    input was held back (the engine reads no more until such frames are out): every message and the
    server's Close were lost (on_close 1006, on_err ConnectionLost).  And the bytes read back meanwhile
    took the server's Close before the messages ahead of it reached on_msg: an echo's reply raised
    ConnectionClosed (on_err, the last 7 of 40 messages lost)."""
    msgs, closes, errs = _poll_busy_then_reset("/msgs-then-reset", tls, 20, False)
    assert msgs == ["%d" % i for i in range(5)] and closes == [(1001, "bye")] and errs == [], \
        (len(msgs), closes, errs)
    msgs, closes, errs = _poll_busy_then_reset("/bulk-then-reset", tls, 0, True)
    assert msgs == list(range(120)) and closes == [(1001, "bye")] \
        and errs == [], (len(msgs), closes, errs)


def test_poll_frames_queued_at_a_reset():
    _poll_frames_queued_at_a_reset(False)


def test_poll_frames_queued_at_a_reset_over_tls():
    _poll_frames_queued_at_a_reset(True)


def _a_send_meets_the_reset_behind_much(layer):
    """A send() meets the reset behind 120 KB of messages and a Close(1001): what the socket holds is read
    back, in order, as far as the heap holds it; where it does not (MicroPython's 192K), the read-back
    stops before the heap is full (``Protocol.holds_back``): 1006 with no cause, or LimitExceeded as the
    cause where a message found no heap, and no Close claimed sent (sent_code 1009 was claimed: the
    Close for the fault never went out).  (The read-back stopped after 16 reads before: 13 messages,
    then 1006 with no cause; then it read all, and a small heap ended with a misleading 1009.)"""
    from microhttpc.errors import ConnectionClosed, LimitExceeded
    from pumps_http import sleep

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/bulk-then-reset")
    sleep(0.6)
    try:
        ws.send(b"x")
    except ConnectionClosed:
        pass
    k = 0
    while True:
        try:
            m = ws.recv(5)
        except ConnectionClosed as exc:
            e = exc
            break
        assert len(m) == 1000 and m[0] == m[-1] == k, (k, len(m), m[:1])
        k += 1
    if k == 120 and e.code == 1001:
        assert e.reason == "bye" and ws.errors == [] and e.sent_code is None, (e.reason, ws.errors, e.sent_code)
    else:
        assert k >= 32 and e.code == 1006 and (e.cause is None or isinstance(e.cause, LimitExceeded)) \
            and e.sent_code is None, (k, e.code, e.cause, e.sent_code)


per_layer(globals(), "a_send_meets_the_reset_behind_much", _a_send_meets_the_reset_behind_much)


def test_poll_send_after_the_servers_close_claims_no_close_sent():
    """poll: the server's Close came with the 101 and a reset behind it; a send() before the engine ran
    again raised ConnectionClosed with sent_code 1000 and ok True, while the echo of that Close was only
    queued (and never went out: the reset came first).  The other layers write it at once."""
    from microhttpc.errors import ConnectionClosed
    from microhttpc.poll import Engine
    from pumps_http import sleep

    h, p = server("wsraw")
    e = Engine(timeout=5)
    conn = e.connect(h, p, timeout=5)
    opened = []
    ws = e.upgrade(conn, "/hello-bye-reset", on_open=opened.append, on_msg=lambda m: None)
    assert e.run(until=lambda: opened, timeout=5)
    sleep(0.3)
    x = raises(ConnectionClosed, ws.send, "x")
    assert x.code == 1000 and x.sent_code is None and not x.ok, (x.code, x.sent_code)
    assert e.run(until=lambda: conn.closed, timeout=5)
    x = raises(ConnectionClosed, ws.send, "x")
    assert x.code == 1000 and x.sent_code is None and not x.ok, (x.code, x.sent_code)
