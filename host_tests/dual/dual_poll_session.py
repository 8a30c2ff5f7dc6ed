"""The poll engine as a pump over the session: a response that leaves bytes behind (or bytes that
come while no request is in flight) ends the connection after the response is delivered, and the
requests queued behind it go out on a new connection instead of reading those bytes as their answer
(as on the other layers; they failed with ConnectionLost); a 101 to a plain
request; upgrade offers checked by Engine.upgrade itself; the deadline= keyword; bodies collected
within max_body (1 MiB by default) and the heap; the WebSocket auto mode."""

import microhttpc
from check import server
from microhttpc.poll import Engine
from microhttpc.rt import MICROPYTHON

# What the raw server answers on /raw/no-reason, whatever the method: a HEAD gets 2 body bytes too many.
NO_REASON_HEAD = b"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\n"


def _two_requests(buffer_size, method="HEAD"):
    """``method`` /raw/no-reason, then a GET queued behind it; returns (log, conn)."""
    e = Engine(buffer_size=buffer_size, timeout=5)
    host, port = server("raw")
    log = []
    conn = e.connect(host, port, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, method, "/raw/no-reason", on_complete=lambda r, ok: log.append((1, r.status, r.body, ok)),
              on_err=lambda x: log.append((1, "err", x)))
    e.request(conn, "GET", "/raw/no-reason", on_complete=lambda r, ok: log.append((2, r.status, r.body, ok)),
              on_err=lambda x: log.append((2, "err", x)))
    assert e.run(until=lambda: len(log) == 2, timeout=5), log
    e.close(conn)
    assert e.run(until=lambda: conn.closed, timeout=5), log
    return log


def _check_ended_after_first(log):
    assert log[0] == (1, 200, b"", True), log  # delivered whole
    assert log[1] == (2, 200, b"ok", True), log  # its own answer, on a new connection (no on_close)
    assert log[2] == ("close", None), log


def test_bytes_after_a_head_response_end_the_connection():
    # One read holds the head and the two stray body bytes: left over after the response.
    _check_ended_after_first(_two_requests(2048))


def test_bytes_arriving_while_idle_end_the_connection():
    # The first read holds exactly the head: the stray bytes are read only once nothing is in flight.
    _check_ended_after_first(_two_requests(len(NO_REASON_HEAD)))


def test_a_clean_keep_alive_connection_carries_both():
    log = _two_requests_get()
    assert log == [(1, 200, b"ok", True), (2, 200, b"ok", True)], log


def _two_requests_get():
    e = Engine(timeout=5)
    host, port = server("raw")
    log = []
    conn = e.connect(host, port)
    for i in (1, 2):
        e.request(conn, "GET", "/raw/no-reason", on_complete=lambda r, ok, i=i: log.append((i, r.status, r.body, ok)),
                  on_err=lambda x, i=i: log.append((i, "err", x)))
    assert e.run(until=lambda: len(log) == 2, timeout=5), log
    assert not conn.closed
    e.close(conn)
    e.run(timeout=2)
    return log


def test_101_to_a_plain_request_is_a_protocol_error():
    e = Engine(timeout=5)
    host, port = server("wsraw")  # answers every request with 101 Switching Protocols
    log = []
    conn = e.connect(host, port, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, "GET", "/echo", on_complete=lambda r, ok: log.append(("complete", ok)),
              on_err=lambda x: log.append(("err", x)))
    assert e.run(until=lambda: conn.closed, timeout=5), log
    assert len(log) == 2 and log[0][0] == "err" and isinstance(log[0][1], microhttpc.ProtocolError), log
    assert log[1] == ("close", log[0][1]), log


def test_upgrade_refuses_cr_lf_in_offers_at_once():
    e = Engine(timeout=5)
    host, port = server("http")
    conn = e.connect(host, port)
    for kw in ({"subprotocols": ["chat\r\nX-Evil: 1"]}, {"extensions": ["x\r\nX-Evil: 1"]},
               {"subprotocols": ["a b"]}, {"on_mesage": print}, {"tx_buffer_size": 64}):
        # (tx_buffer_size: the blocking WebSocket's own setting, not the engine's)
        err = None
        try:
            e.upgrade(conn, "/ws", **kw)
        except microhttpc.UsageError as exc:
            err = exc
        assert err is not None, kw
    done = []
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: done.append(r.body))
    assert e.run(until=lambda: done, timeout=5)
    assert done == [b"hello world"] and not conn.closed  # nothing was queued or sent
    e.close(conn)
    e.run(timeout=2)


def _deadline_run(connect_kw, request_kw):
    from microhttpc.rtio import ticks_diff, ticks_ms

    e = Engine(timeout=10)
    host, port = server("raw")
    log = []
    conn = e.connect(host, port, **connect_kw)
    t0 = ticks_ms()
    e.request(conn, "GET", "/raw/stall-body", on_complete=lambda r, ok: log.append(("complete", r.status, ok)),
              on_err=lambda x: log.append(("err", x)), **request_kw)
    assert e.run(until=lambda: len(log) == 2, timeout=5), log
    assert ticks_diff(ticks_ms(), t0) < 3000
    assert log[0][0] == "err" and isinstance(log[0][1], microhttpc.TimeoutError), log
    assert log[1] == ("complete", 200, False), log  # the head had come


def test_request_deadline():
    _deadline_run({}, {"deadline": 0.3})  # 3 of 10 body bytes, then silence: the timeout (10 s) would wait


def test_connection_deadline():
    _deadline_run({"deadline": 0.3, "max_interim": 2}, {})


def _get_body(n, **kw):
    e = Engine(timeout=10)
    host, port = server("http")
    out = []
    conn = e.connect(host, port, **kw)
    e.request(conn, "GET", "/bytes/%d" % n, on_complete=lambda r, ok: ok and out.append(len(r.body)),
              on_err=out.append)
    assert e.run(until=lambda: out, timeout=10)
    return out[0]


def test_max_body_default_is_one_mib():
    got = _get_body(70000)  # over the old 64 KiB default
    if MICROPYTHON and isinstance(got, microhttpc.LimitExceeded):
        return  # 70 KB whole does not fit next to the test in a board-sized heap: reported, not a MemoryError
    assert got == 70000, got


def test_max_body_limit():
    got = _get_body(3000, max_body=1000)
    assert isinstance(got, microhttpc.LimitExceeded), got


def test_body_larger_than_the_heap_is_limit_exceeded():
    got = _get_body(300000, max_body=None)
    if MICROPYTHON:
        assert isinstance(got, microhttpc.LimitExceeded), got  # never a bare MemoryError
    else:
        assert got == 300000, got


def test_websocket_auto_mode_copies_into_the_buffer():
    e = Engine(timeout=5)
    host, port = server("ws")
    conn = e.connect(host, port)
    buf = bytearray(16)
    got = []
    w = e.upgrade(conn, "/", on_open=lambda w: w.send(b"in the buffer"),
                  on_msg_rx_init=lambda is_text, n: buf,
                  on_msg_rx_complete=lambda: (got.append(bytes(buf[: w.rx_length])), w.close()))
    assert e.run(until=lambda: conn.closed, timeout=5)
    assert got == [b"in the buffer"] and w.close_code == 1000


def test_websocket_auto_mode_overflow_is_1009():
    e = Engine(timeout=5)
    host, port = server("ws")
    conn = e.connect(host, port)
    errs = []
    w = e.upgrade(conn, "/", on_open=lambda w: w.send(b"x" * 40), on_msg_rx_init=lambda is_text, n: bytearray(8),
                  on_err=errs.append)
    assert e.run(until=lambda: conn.closed, timeout=5)
    assert len(errs) == 1 and isinstance(errs[0], microhttpc.LimitExceeded), errs
    assert w.protocol.close_sent == 1009


def _queued_behind(first_path, method="GET", body=None, **kw):
    """``method`` ``first_path`` (``kw``: its connection's keywords), then a GET /raw/genuine queued
    behind it on the same Conn; returns the log of both outcomes."""
    e = Engine(timeout=5)
    host, port = server("raw")
    log = []
    conn = e.connect(host, port, **kw)
    e.request(conn, method, first_path, body=body, on_complete=lambda r, ok: log.append((1, r.status, ok)),
              on_err=lambda x: log.append((1, "err", x)))
    e.request(conn, "GET", "/raw/genuine", on_complete=lambda r, ok: log.append((2, r.status, r.body, ok)),
              on_err=lambda x: log.append((2, "err", x)))
    assert e.run(until=lambda: len(log) == 2, timeout=10), log
    e.close(conn)
    e.run(timeout=2)
    return log


def test_a_request_queued_behind_an_early_answer_goes_on_a_new_connection():
    # The server answers (413) before the upload is done and keeps the connection: part of the body
    # is on the wire, so the connection ends; the request queued behind it failed with ConnectionLost
    # (blocking and aio send it on a new connection).
    piece = b"x" * 4096
    log = _queued_behind("/raw/early-keep", "POST", (piece for _ in range(16384)))
    assert log == [(1, 413, True), (2, 200, b"genuine", True)], log


def test_a_request_queued_behind_a_large_3xx_body_goes_on_a_new_connection():
    # A 302 whose body is over drain_limit: its connection ends, the redirect and the request queued
    # behind it each go on a new one (the queued one failed with ConnectionLost).
    log = _queued_behind("/raw/redirect-big", follow_redirects=1)
    log.sort(key=lambda x: x[0])  # (on two connections: either may be answered first)
    assert log == [(1, 200, True), (2, 200, b"genuine", True)], log


def test_no_websocket_callback_after_one_that_raised():
    # A PING and four messages in one write (one read): on_msg_rx_init raises at the second message.
    # The connection ends with that exception (on_err, then on_close), and no callback runs after it:
    # the events after it went back to the protocol, and the connection's end handed them out anyway
    # (the second message's on_msg_rx_complete, the whole third one), depending on how reads fell.
    class Boom(Exception):
        pass

    e = Engine(timeout=5)
    host, port = server("wsraw")
    conn = e.connect(host, port)
    log = []

    def init(is_text, length):
        log.append("init")
        if log.count("init") == 2:
            raise Boom()

    e.upgrade(conn, "/ping-then-msgs", on_msg_rx_init=init, on_msg_rx_data=lambda d: log.append("data"),
                   on_msg_rx_complete=lambda: log.append("complete"), on_err=lambda x: log.append(type(x).__name__),
                   on_close=lambda w, c: log.append("close"))
    assert e.run(until=lambda: conn.closed, timeout=5), log
    e.run(timeout=0.5)  # (nothing more may come)
    assert log == ["init", "data", "complete", "init", "Boom", "close"], log


def test_a_bytearray_body_resized_after_it_was_queued():
    # Its Content-Length was fixed by Engine.request(), its bytes taken when poll() wrote them: grown
    # in between, the rest went out as a request of its own (a request smuggled by the application's
    # buffer); shrunk, the next request went as the end of its body.  Now the request fails alone
    # (UsageError to its on_err), and the next goes out framed as it should.
    from microhttpc.errors import UsageError

    host, port = server("http")
    for grow in (b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", b"x" * 3000, None):
        e = Engine(timeout=5)
        conn = e.connect(host, port)
        log = []
        buf = bytearray(b"a" * 2000)
        e.request(conn, "POST", "/echo", body=buf, on_complete=lambda r, ok: log.append((1, r.status)),
                  on_err=lambda x: log.append((1, x)))
        if grow is None:
            buf[1000:] = b""
        else:
            buf.extend(grow)
        e.request(conn, "POST", "/echo", body=b"abc", on_complete=lambda r, ok: log.append((2, r.json()["body"])),
                  on_err=lambda x: log.append((2, x)))
        assert e.run(until=lambda: len(log) == 2, timeout=5), log
        assert log[0][0] == 1 and isinstance(log[0][1], UsageError) and "changed size" in str(log[0][1]), log
        assert log[1] == (2, "abc"), log
        e.close(conn)
        e.run(until=lambda: conn.closed, timeout=5)


def test_a_header_hook_that_gives_no_headers_runs_once():
    # An empty table was taken for "not resolved yet": the hook ran again when the request went out
    # (a nonce, a counter: twice).  Blocking and aio call it once.
    host, port = server("http")
    e = Engine(timeout=5)
    conn = e.connect(host, port)
    calls = []
    log = []

    def hook():
        calls.append(1)
        return []

    e.request(conn, "GET", "/hello", headers=hook, on_complete=lambda r, ok: log.append(r.status),
              on_err=log.append)
    assert e.run(until=lambda: log, timeout=5), log
    assert log == [200] and len(calls) == 1, (log, calls)
    e.close(conn)
    e.run(until=lambda: conn.closed, timeout=5)


def test_a_request_queued_behind_an_early_answer_and_a_reset_goes_on_a_new_connection():
    # As above, the server closing after its 413 (/raw/early-close): the write that met the reset read
    # the answer first, and the requests queued behind it reopened the connection; then the reset
    # was raised as ConnectionLost, which ended the new connection and failed them both.
    piece = b"x" * 1000
    e = Engine(timeout=5)
    host, port = server("raw")
    log = []
    conn = e.connect(host, port, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, "POST", "/raw/early-close", body=(piece for _ in range(5000)),
              on_complete=lambda r, ok: log.append((1, r.status, ok)), on_err=lambda x: log.append((1, "err", x)))
    for i in (2, 3):
        e.request(conn, "GET", "/raw/genuine", on_complete=lambda r, ok, i=i: log.append((i, r.status, r.body, ok)),
                  on_err=lambda x, i=i: log.append((i, "err", x)))
    assert e.run(until=lambda: len(log) >= 3, timeout=10), log
    assert log == [(1, 413, True), (2, 200, b"genuine", True), (3, 200, b"genuine", True)], log
    e.close(conn)
    e.run(until=lambda: conn.closed, timeout=5)


class _Zeros:
    """A body file of ``n`` zero bytes (readinto), sent chunked; ``given``: how many it gave."""

    def __init__(self, n):
        self.n = n
        self.given = 0

    def readinto(self, b):
        k = min(len(b), self.n - self.given)
        b[:k] = bytes(k) if k < len(b) else b"\0" * k
        self.given += k
        return k


def test_a_streamed_upload_to_a_fast_reader_leaves_the_round_to_the_others():
    # A streamed body to a server that reads as fast as it comes: one poll() wrote it for as long as the
    # socket took it (a 4 GB body held it 40 s on CPython, 100 s on MicroPython), and timers, deadlines
    # and the other connections waited.  Each round writes a bounded amount now: the timer fires, and
    # the other connection is answered, while the upload goes on.
    e = Engine(timeout=5)
    sh, sp = server("silent")  # (accepts, reads and drops what comes)
    hh, hp = server("http")
    log = []
    src = _Zeros(1 << 30)
    up = e.connect(sh, sp)
    e.request(up, "POST", "/", body=src, on_err=lambda x: log.append(("upload", x)))
    other = e.connect(hh, hp)
    e.request(other, "GET", "/hello", on_complete=lambda r, ok: log.append(("hello", r.body, src.given)))
    e.call_later(0.2, lambda: log.append(("timer", src.given)))
    assert e.run(until=lambda: len(log) >= 2, timeout=30), log
    assert sorted(x[0] for x in log) == ["hello", "timer"], log
    assert all(x[-1] < src.n for x in log), log  # (both while the upload was on its way)
    e.close_all()
    e.run(timeout=5)
