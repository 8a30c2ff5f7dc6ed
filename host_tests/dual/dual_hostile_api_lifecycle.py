"""An application that uses a connection out of turn: a response of the past read after the next request
(blocking and asyncio), a Connection closed by one task while another task's request is on it (asyncio),
recv() called again from inside a callback of recv() (blocking WebSocket), a reporting callback that
raises in the Engine (poll).  Found by playing a careless application against the three layers: each
silently lost or mixed up data before."""

import asyncio

from check import raises, server


def _pattern(n):
    return bytes(i & 0xFF for i in range(n))


def test_blocking_stale_response_read_leaves_the_next_one_alone():
    # r1's rest is over drain_limit: r2 goes on a new connection and r1 is cut off.  r1.read() raised
    # ConnectionLost (right) and closed the connection r2 was on: r2.read() raised ConnectionLost too.
    from microhttpc.client import Connection
    from microhttpc.errors import ConnectionLost, LimitExceeded

    h, p = server("http")
    conn = Connection(h, p, timeout=10)
    conn.open()
    r1 = conn.request("GET", "/bytes/100000")
    assert r1.read(10) == _pattern(10)
    r2 = conn.request("GET", "/bytes/700")
    raises(ConnectionLost, r1.read)
    assert r2.read() == _pattern(700)
    # A response read in part, its rest drained by the next request, then read() with a limit the rest
    # is over: LimitExceeded for it alone.  (Read to its end first: nothing is left, and max_size bounds
    # what is left: b"", as for a HEAD's answer.)
    r3 = conn.request("GET", "/bytes/300")
    for _ in r3.iter_chunks():
        pass
    assert r3.read(max_size=5) == b""
    r3 = conn.request("GET", "/bytes/300")
    assert r3.read(10) == _pattern(10)
    r4 = conn.request("GET", "/bytes/500")
    raises(LimitExceeded, r3.read, max_size=5)
    assert r4.read() == _pattern(500)
    conn.close()


def test_aio_stale_response_read_leaves_the_next_one_alone():
    from microhttpc import aio
    from microhttpc.errors import ConnectionLost, LimitExceeded

    async def main():
        h, p = server("http")
        conn = await aio.Connection.open(h, p, timeout=10)
        r1 = await conn.request("GET", "/bytes/100000")
        assert await r1.read(10) == _pattern(10)
        r2 = await conn.request("GET", "/bytes/700")
        try:
            await r1.read()
            raise AssertionError("a cut-off body read whole")
        except ConnectionLost:
            pass
        assert await r2.read() == _pattern(700)
        r3 = await conn.request("GET", "/bytes/300")
        async for _ in r3.iter_chunks():
            pass
        assert await r3.read(max_size=5) == b""  # (nothing left: see the blocking test)
        r3 = await conn.request("GET", "/bytes/300")
        assert await r3.read(10) == _pattern(10)
        r4 = await conn.request("GET", "/bytes/500")
        try:
            await r3.read(max_size=5)
            raise AssertionError("over max_size")
        except LimitExceeded:
            pass
        assert await r4.read() == _pattern(500)
        await conn.close()
        return True

    assert asyncio.run(main())


def test_aio_close_by_another_task_ends_the_request_on_it():
    # Task A waits for the head of a slow answer; task B closes the connection and makes its own request
    # on it.  A took the close for a stale keep-alive connection and sent its GET again, on the socket B
    # then read: on MicroPython B's body held A's raw response (status line and all), and A's failure
    # could close the connection B had opened.
    from microhttpc import aio
    from microhttpc.errors import UsageError

    async def main():
        h, p = server("http")
        conn = await aio.Connection.open(h, p, timeout=10)
        r = await conn.request("GET", "/hello")  # (a connection that carried a request: "reused")
        assert await r.read() == b"hello world"

        async def a():
            try:
                r = await conn.request("GET", "/slow", query={"s": "0.3"})
                return await r.read()
            except UsageError as exc:
                return exc

        ta = asyncio.create_task(a())
        await asyncio.sleep(0.05)
        await conn.close()
        r = await conn.request("GET", "/bytes/200")
        got = await r.read()
        got_a = await ta
        assert got == _pattern(200), got[:80]
        assert isinstance(got_a, UsageError), got_a
        await asyncio.sleep(0.5)  # (the slow answer's time: nothing of A's comes later either)
        r = await conn.request("GET", "/bytes/100")
        assert await r.read() == _pattern(100)
        await conn.close()
        return True

    assert asyncio.run(main())


def test_blocking_websocket_recv_from_its_own_callback_is_refused():
    # on_ping called recv(): the nested call read on and returned the messages after the PING before the
    # outer call returned the one before it (m2, m3, then m1).  Refused now, as a second reader is on
    # asyncio; the outer call gets the UsageError and the messages stay in order.
    from microhttpc import ws_connect
    from microhttpc.errors import ConnectionClosed, UsageError

    h, p = server("ws")
    for outer in (10, None):  # (with and without a deadline: a step without one is found too)
        box = []
        ws = ws_connect("ws://%s:%d/pingme" % (h, p), timeout=10, on_ping=lambda data: box[0].recv(5))
        box.append(ws)
        raises(UsageError, ws.recv, outer)
        assert ws.recv(outer) == "pong:hb"  # the server had our PONG: nothing was lost or reordered
        ws.close()
        assert ws.close_code == 1000
        raises(ConnectionClosed, ws.recv)  # (not a UsageError: close() leaves no call looking busy)


class AppBug(Exception):
    pass


def _raise(*args):
    raise AppBug()


def test_poll_reports_made_when_a_reporting_callback_raises():
    # Request 1's on_err raised while its connection timed out: the exception left poll(), and request 2
    # queued behind it never got on_err, the connection's on_err and on_close never came, and the
    # connection was gone from engine.connections.  A WebSocket's on_close that raised lost the
    # connection's on_close the same way.  Every report is made now; the exception comes after them.
    from microhttpc.poll import Engine

    h, p = server("http")
    log = []
    e = Engine(timeout=0.3)
    c = e.connect(h, p, on_err=lambda c, x: log.append("conn.on_err"), on_close=lambda c, x: log.append("conn.on_close"))
    e.request(c, "GET", "/slow", query={"s": "2"}, on_err=lambda x: (log.append("r1.on_err"), _raise()))
    e.request(c, "GET", "/hello", on_err=lambda x: log.append("r2.on_err"),
              on_complete=lambda r, ok: log.append(("r2.on_complete", ok)))
    raises(AppBug, e.run, timeout=5)
    assert log == ["r1.on_err", "r2.on_err", "conn.on_err", "conn.on_close"], log
    assert c.closed and not e.connections
    assert e.run(timeout=1)  # nothing left over

    log = []
    c = e.connect(h, p, on_close=lambda c, x: log.append(("conn.on_close", x)))
    w = e.upgrade(c, "/ws", on_open=lambda w: log.append("open"), on_close=lambda *a: (log.append("ws.on_close"),
                                                                                       _raise()))
    assert e.run(until=lambda: log, timeout=5) and log == ["open"]
    e.close(c)
    raises(AppBug, e.run, timeout=5)
    assert log == ["open", "ws.on_close", ("conn.on_close", None)], log
    assert c.closed and not e.connections and w.close_code == 1000


def test_iteration_raises_when_the_connection_failed():
    # A message over max_message (this side closed with 1009) ended `for msg in ws` as quietly as a
    # closing handshake, and its cause was lost; a server's own Close still ends the loop (dual_aio_ws).
    from microhttpc import aio, ws_connect
    from microhttpc.errors import ConnectionClosed, LimitExceeded

    h, p = server("ws")
    ws = ws_connect("ws://%s:%d/big/1000" % (h, p), timeout=10, max_message=16)
    e = raises(ConnectionClosed, list, ws)
    assert isinstance(e.cause, LimitExceeded) and e.sent_code == 1009, (e.cause, e.sent_code)

    async def main():
        a = await aio.ws_connect("ws://%s:%d/big/1000" % (h, p), timeout=10, max_message=16)
        try:
            async for _ in a:
                pass
        except ConnectionClosed as exc:
            return exc

    e = asyncio.run(main())
    assert e is not None and isinstance(e.cause, LimitExceeded), e
