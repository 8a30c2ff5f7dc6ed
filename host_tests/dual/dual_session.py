"""The sans-I/O session (session.Session, handshake.start_upgrade / finish_upgrade) fed bytes directly,
with a fake clock: the connection rules every layer relies on, split every way the network could."""

from microhttpc import http11
from microhttpc.errors import ConnectionLost, LimitExceeded, ProtocolError, TimeoutError, UsageError
from microhttpc.request import Request
from microhttpc.rt import MICROPYTHON
from microhttpc.session import Session
from check import raises


class Clock:
    """A fake ``rtio``: time moves only when the test says so."""

    def __init__(self):
        self.now = 1000

    def ticks_ms(self):
        return self.now

    def ticks_diff(self, a, b):
        return a - b

    def ticks_add(self, t, d):
        return t + d


def session(**kw):
    s = Session("example.com", **kw)
    s.clock = Clock()
    s.opened()
    return s, s.clock


def events(s):
    """Every event the session has now, as comparable tuples."""
    out = []
    while True:
        ev = s.next_event()
        if ev is None:
            return out
        kind = ev[0]
        if kind == http11.RESPONSE:
            out.append(("head", ev[1].status))
        elif kind == http11.DATA:
            out.append(("data", bytes(ev[1])))
        else:
            out.append(("end", ev[1].status, list(ev[1].trailers.items())))


def join_data(evs):
    """Adjacent body pieces joined: how a response is split into reads must not matter."""
    out = []
    for e in evs:
        if e[0] == "data" and out and out[-1][0] == "data":
            out[-1] = ("data", out[-1][1] + e[1])
        elif e[0] != "data" or e[1]:
            out.append(e)
    return out


EXCHANGE = [
    # (request, response bytes, expected events, reusable afterwards)
    (Request("GET", "/a"), b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
     [("head", 200), ("data", b"hello"), ("end", 200, [])], True),
    (Request("GET", "/b"), b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n"
     b"0\r\nX-T: 1\r\n\r\n", [("head", 200), ("data", b"abcde"), ("end", 200, [("X-T", "1")])], True),
    (Request("HEAD", "/c"), b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", [("head", 200)], True),
    (Request("GET", "/d"), b"HTTP/1.1 204 No Content\r\n\r\n", [("head", 204)], True),
    (Request("GET", "/e"), b"HTTP/1.0 200 OK\r\n\r\nuntil close", None, False),
]


def _run_exchange(split):
    """Each request of EXCHANGE, its response fed in pieces of ``split`` bytes (0: whole)."""
    s, _ = session()
    for req, data, want, reusable in EXCHANGE:
        assert s.ready
        s.start(req)
        got = []
        step = split or len(data)
        for i in range(0, len(data), step):
            s.receive_data(data[i : i + step])
            got.extend(events(s))
        if want is None:  # read until close: the end comes with EOF
            s.receive_eof()
            got.extend(events(s))
            want = [("head", 200), ("data", b"until close"), ("end", 200, [])]
        assert join_data(got) == want, (split, req, got)
        assert s.idle and s.reusable == reusable, (split, req)


def test_exchange_whole_and_byte_by_byte():
    _run_exchange(0)
    _run_exchange(1)


def test_exchange_every_split_size():
    for split in range(2, 40):
        _run_exchange(split)


def test_bytes_left_after_a_response_end_the_connection():
    forged = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"
    cases = [
        (Request("GET", "/"), b"HTTP/1.1 204 No Content\r\n\r\n" + forged),
        (Request("GET", "/"), b"HTTP/1.1 304 Not Modified\r\n\r\n" + forged),
        (Request("HEAD", "/"), b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n" + forged),
        (Request("GET", "/"), b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + forged),
        (Request("GET", "/"), b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + forged),
    ]
    for req, data in cases:
        for split in (0, 1, 7):
            s, _ = session()
            s.start(req)
            step = split or len(data)
            evs = []
            for i in range(0, len(data), step):
                s.receive_data(data[i : i + step])
                evs.extend(events(s))
            assert ("head", 200) in evs or ("head", 204) in evs or ("head", 304) in evs
            assert ("data", b"forged") not in evs
            assert s.idle and not s.reusable and not s.ready, (req, data, split)


def test_input_while_idle_ends_the_connection():
    s, _ = session()
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert events(s) == [("head", 200), ("end", 200, [])] and s.ready
    s.receive_data(b"HTTP/1.1 200 OK\r\n")  # nothing was asked: it belongs to no request
    assert not s.ready and not s.reusable
    s, _ = session()
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    events(s)
    s.receive_eof()  # the server closed the idle connection
    assert not s.ready


def test_a_101_to_a_plain_request_is_a_protocol_error():
    s, _ = session()
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
    raises(ProtocolError, s.next_event)
    assert not s.reusable


def test_response_not_keep_alive():
    for data in (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                 b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"):
        s, _ = session()
        s.start(Request("GET", "/"))
        s.receive_data(data)
        assert events(s) == [("head", 200), ("end", 200, [])]
        assert s.idle and not s.reusable
    s, _ = session(persistent=False)
    head, _ = s.start(Request("GET", "/"))
    assert b"Connection: close\r\n" in head
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    events(s)
    assert not s.reusable


def test_one_request_at_a_time():
    s, _ = session()
    s.start(Request("GET", "/"))
    raises(UsageError, s.start, Request("GET", "/again"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab")
    events(s)
    raises(UsageError, s.start, Request("GET", "/again"))  # its body is still on the wire
    s.receive_data(b"c")
    events(s)
    s.start(Request("GET", "/again"))


def test_head_bound_is_not_restarted_by_interim_responses():
    s, clock = session(timeout=2.0)
    s.start(Request("GET", "/"))
    assert s.wait_time() == 2.0
    for _ in range(3):
        clock.now += 600
        s.receive_data(b"HTTP/1.1 100 Continue\r\n\r\n")
        assert events(s) == []
    assert abs(s.wait_time() - 0.2) < 1e-9  # 1.8 s of the 2 s are gone: the 1xx did not restart it
    clock.now += 200
    e = raises(TimeoutError, s.wait_time)
    assert "no response within 2.0 s" in str(e)
    assert "no response" in str(s.expired())


def test_inactivity_after_the_head_and_the_deadline():
    s, clock = session(timeout=2.0)
    s.start(Request("GET", "/", deadline=3.0))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
    assert events(s) == [("head", 200)]
    assert s.wait_time() == 2.0  # the body: each wait bounded by timeout ...
    for _ in range(5):
        clock.now += 500
        s.receive_data(b"x")
        events(s)
        assert s.wait_time() <= 2.0
    assert abs(s.wait_time() - 0.5) < 1e-9  # ... and the whole request by its deadline
    clock.now += 500
    e = raises(TimeoutError, s.wait_time)
    assert "3.0 s deadline" in str(e) and "deadline" in str(s.expired())


def test_deadline_of_the_connection_and_no_bounds():
    s, clock = session(timeout=None, deadline=1.0)
    s.start(Request("GET", "/"))
    assert s.wait_time() == 1.0
    clock.now += 1000
    raises(TimeoutError, s.wait_time)
    s, clock = session(timeout=None)
    s.start(Request("GET", "/"))
    clock.now += 10 ** 9
    assert s.wait_time() is None  # no bound was configured: none is invented


def test_a_tls_handshake_in_the_first_writes_is_bounded_by_connect_timeout():
    """MicroPython's non-blocking TLS (poll, aio): opened(handshake=True); the first request starts the
    handshake's bound (connect_timeout), which ends when the layer saw a write take bytes."""
    s = Session("example.com", connect_timeout=1.0, timeout=None)
    s.clock = clock = Clock()
    s.opened(tls=True)
    clock.now += 10 ** 6  # idle before the first request: the handshake has not started
    s.start(Request("GET", "/"))
    assert s.wait_time() == 1.0
    clock.now += 1000
    e = raises(TimeoutError, s.wait_time)
    assert "TLS handshake" in str(e) and "1.0 s" in str(e)
    s.lost()
    s.opened(tls=True)
    s.start(Request("GET", "/"))
    clock.now += 900
    s._t_tls = None  # what the layer does once a write took bytes
    clock.now += 10 ** 6
    assert s.wait_time() is None  # timeout=None: no bound once the handshake is over
    s, clock = session(timeout=None)  # no handshake (TCP, or a layer whose handshake came first)
    s.start(Request("GET", "/"))
    clock.now += 10 ** 9
    assert s.wait_time() is None


def test_an_upload_does_not_count_against_the_head_bound():
    """sent() as an upload progresses: the response head is due within timeout of the last piece;
    once the head came, sent() moves nothing."""
    s, clock = session(timeout=2.0)
    s.start(Request("POST", "/", body=iter([b"x"]), content_length=1))
    for _ in range(5):
        clock.now += 1500  # 7.5 s of upload in all, each piece within the timeout
        assert s.wait_time() == 2.0 - 1.5
        s.sent()
    assert s.wait_time() == 2.0
    clock.now += 2000
    assert "no response within 2.0 s" in str(raises(TimeoutError, s.wait_time))
    s, clock = session(timeout=2.0)
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")
    assert events(s) == [("head", 200)]
    s.sent()  # (the head came: no head bound is made again)
    assert s._t_head is None


def test_drain_is_bounded_in_time():
    s, clock = session(timeout=30.0, drain_timeout=1.0)
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    resp = events(s) and s.active
    assert s.drain(resp, b"")  # the drain starts: bounded by drain_timeout from here
    assert s.wait_time() == 1.0
    clock.now += 1000
    e = raises(TimeoutError, s.wait_time)
    assert "1.0 s" in str(e)


def test_drain_is_bounded_in_bytes_and_keeps_what_it_read():
    s, _ = session(drain_limit=10)
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
    events(s)
    resp = s.active
    assert s.drain(resp, b"") and s.drain(resp, b"abcd") and s.drain(resp, b"efgh")
    assert not s.drain(resp, None) and resp._pending == b"abcdefgh"  # the end: kept for read()
    s, _ = session(drain_limit=10)
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    events(s)
    resp = s.active
    assert s.drain(resp, b"") and s.drain(resp, b"x" * 10)
    assert not s.drain(resp, b"y")  # over drain_limit: the connection must close
    assert not resp.complete


def test_interim_cap_and_limits_reach_the_parser():
    s, _ = session(max_interim=2)
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 100 Continue\r\n\r\n" * 3)
    raises(LimitExceeded, events, s)


def test_retry_verdict():
    s, _ = session()
    lost = ConnectionLost("gone")
    get, post = Request("GET", "/"), Request("POST", "/", body=b"x")
    s.start(get)
    assert s.may_retry(get, lost, True)
    assert not s.may_retry(get, lost, False)  # a fresh connection: the server really failed
    assert not s.may_retry(get, TimeoutError("slow"), True)
    assert not s.may_retry(post, lost, True)
    s.receive_data(b"HTTP/1.1 2")  # something came back: the request was seen
    assert not s.may_retry(get, lost, True)


def test_closed_connection_cuts_the_body():
    s, _ = session()
    s.start(Request("GET", "/"))
    s.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    ev = s.next_event()
    resp = ev[1]
    s.lost()
    assert resp.complete and resp._cut and not s.reusable
    raises(ConnectionLost, s.next_event)


def test_upgrade_checks_and_leftover():
    import sys

    import microhttpc
    from microhttpc import handshake as hs
    from microhttpc.handshake import finish_upgrade, start_upgrade

    s, _ = session()
    raises(UsageError, start_upgrade, s, "/ws", None, ["chat\r\nX-Evil: 1"])
    raises(UsageError, start_upgrade, s, "/ws", None, None, ["permessage-deflate\r\nX: y"])
    # One extension per item of extensions=, read as a raw header's are: "a, b" offered a alone and sent
    # b too (a 101 that took b failed); a quote not ended went out as it was (an outside review)
    for bad in (["x-a; p=1, x-b"], ['x-a; p="1'], ["x-a, "]):
        raises(UsageError, start_upgrade, s, "/ws", None, None, bad)
    assert s.ready
    head = start_upgrade(s, "/ws", None, None, ['x-a; p="1,2"'])  # (the comma is the quoted string's)
    assert b'Sec-WebSocket-Extensions: x-a; p="1,2"\r\n' in head and s.upgrading[2] == ["x-a"], (head, s.upgrading)
    s, _ = session()
    raises(UsageError, start_upgrade, s, "/ws", {"Host": "other"})
    assert s.ready  # refused before anything started
    keys = []
    head = start_upgrade(s, "/ws", {"Origin": "http://o"}, ["chat"], options={"rng": lambda n: keys.append(n) or b"k" * n})
    assert b"Sec-WebSocket-Protocol: chat\r\n" in head and b"Origin: http://o\r\n" in head
    key = hs.make_key(lambda n: b"k" * n)
    frames = b"\x81\x02hi"
    reply = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: chat\r\n\r\n" % hs.accept_for(key)).encode()
    for split in (0, 5, 1):  # (1 last: the module it unloads is not imported again here)
        s2, _ = session()
        start_upgrade(s2, "/ws", None, ["chat"], options={"rng": lambda n: b"k" * n})
        data = reply + frames
        step = split or len(data)
        resp = None
        for i in range(0, len(data), step):
            s2.receive_data(data[i : i + step])
            for e in [s2.next_event()]:
                if e is not None and e[0] == http11.RESPONSE:
                    resp = e[1]
        assert resp is not None and resp.status == 101
        # The handshake's code is unloaded once the 101 is checked when the heap is short (a long-lived
        # WebSocket in a small heap does not keep it): "short" made all of it here (split 1, the last), none
        # of it (the others).  CPython keeps it (_KEEP_FREE 0), as a heap with over 256 KiB free does (test_memory).
        if MICROPYTHON:
            hs._KEEP_FREE = 1 << 40 if split == 1 else 0
        sub, exts, leftover = finish_upgrade(s2, resp)
        assert sub == "chat" and exts == [] and leftover == frames, (split, leftover)
        gone = "microhttpc.handshake" not in sys.modules and "handshake" not in microhttpc.__dict__
        assert gone == (MICROPYTHON and split == 1), (split, gone)
        assert s2.upgraded and not s2.reusable
        raises(UsageError, s2.check_usable)
