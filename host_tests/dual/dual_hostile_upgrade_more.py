"""Upgrade settings that no WebSocket can run with, and WebSocket call arguments, through the three
layers (one test per layer): every wrong setting raises UsageError before the upgrade request is
written, and the connection carries HTTP on (as the README says of an unknown keyword); the blocking
WebSocket takes ``on_msg`` as the other layers do; ``recv(-1)`` and ``send(frame_size=0)`` are wrong
arguments like any other (UsageError, the WebSocket stays open).

Before: ``ping_timeout=0`` (with ``ping_interval``) and ``on_msg=`` passed the checks before the
handshake on the blocking and asyncio layers and failed after the 101, the connection lost to a
WebSocket nobody held (no HTTP, no new upgrade); ``ping_interval=0`` turned the keepalive off on
every layer though the keepalive calls 0 not positive; ``recv(-1)`` waited for the WebSocket's
timeout; ``send(frame_size=0)`` sent one frame, where ``upgrade(frame_size=0)`` was refused."""

from check import raises, server, url

# ping_interval=1 with ping_timeout=0 got through the checks before the handshake (seconds() takes 0).
_BAD_KEEPALIVE = ({"ping_interval": 1, "ping_timeout": 0}, {"ping_interval": 0},
                  {"ping_interval": 0, "ping_timeout": 5}, {"ping_timeout": 0})


def test_blocking_bad_settings_are_refused_before_the_upgrade():
    from microhttpc import Connection, UsageError, ws_connect
    from microhttpc.errors import TimeoutError

    host, port = server("http")
    c = Connection(host, port, timeout=10)
    try:
        assert c.request("GET", "/hello").read()
        for kw in _BAD_KEEPALIVE:
            e = raises(UsageError, c.upgrade, "/ws", **kw)
            assert "positive" in str(e), (kw, e)
            assert c.websocket is None and c.request("GET", "/hello").read(), kw  # still HTTP
            raises(UsageError, ws_connect, url("ws", "http", "/ws"), timeout=10, **kw)
        # on_msg, as on the other layers (it was refused after the 101): whole messages go to it,
        # from poll() and recv()
        got = []
        ws = c.upgrade("/ws", on_msg=got.append)
        ws.send("one")
        for _ in range(50):
            if got:
                break
            ws.poll(0.1)
        assert got == ["one"], got
        ws.close()
    finally:
        c.close()
    got = []
    ws = ws_connect(url("ws", "http", "/ws"), timeout=10, on_msg=got.append)
    ws.send(b"two")
    raises(TimeoutError, ws.recv, 0.3)  # a timeout: the message went to on_msg, not to recv()
    assert got == [b"two"], got
    ws.close()


def test_aio_bad_settings_are_refused_before_the_upgrade():
    import asyncio

    from microhttpc import UsageError, aio

    async def main():
        host, port = server("http")
        c = await aio.Connection.open(host, port, timeout=10)
        try:
            assert await (await c.request("GET", "/hello")).read()
            for kw in _BAD_KEEPALIVE:
                try:
                    await c.upgrade("/ws", **kw)
                    got = "returned"
                except UsageError as e:
                    got = "positive" in str(e)
                assert got is True, (kw, got)
                assert c.websocket is None and await (await c.request("GET", "/hello")).read(), kw
                try:
                    await aio.ws_connect(url("ws", "http", "/ws"), timeout=10, **kw)
                    got = "returned"
                except UsageError:
                    got = True
                assert got is True, (kw, got)
        finally:
            await c.close()

    asyncio.run(main())


def test_poll_bad_settings_are_refused_before_the_upgrade():
    from microhttpc import UsageError
    from microhttpc.poll import Engine

    e = Engine(timeout=10)
    host, port = server("http")
    conn = e.connect(host, port)
    try:
        for kw in _BAD_KEEPALIVE:
            raises(UsageError, e.upgrade, conn, "/ws", **kw)  # (ping_interval=0 was taken as "off")
            assert not conn._queue, kw
        done = []
        e.request(conn, "GET", "/hello", on_complete=lambda r, ok: done.append((ok, r.body)))
        assert e.run(until=lambda: done, timeout=10) and done[0][0] and done[0][1], done
    finally:
        e.close_all()
        e.run(timeout=5)


def test_blocking_recv_minus_one_and_frame_size_zero_are_refused():
    from microhttpc import UsageError, ws_connect
    from microhttpc.errors import TimeoutError

    ws = ws_connect(url("ws", "http", "/ws"), timeout=0.5)
    try:
        for t in (-1, -1.0, -2):  # (-1 and -1.0 were the default: the WebSocket's timeout, then TimeoutError)
            raises(UsageError, ws.recv, t)
        raises(TimeoutError, ws.recv)  # the default is still the WebSocket's timeout
        for call in (ws.send, ws.send_text):
            raises(UsageError, call, "abc", 0)  # (send() took 0 as "one frame")
        raises(UsageError, ws.send_binary, b"abc", 0)
        ws.send("still open", 4)
        assert ws.recv(5) == "still open"
    finally:
        ws.close()
    assert ws.close_code == 1000


def test_aio_recv_minus_one_and_frame_size_zero_are_refused():
    import asyncio

    from microhttpc import UsageError, aio
    from microhttpc.errors import TimeoutError

    async def main():
        ws = await aio.ws_connect(url("ws", "http", "/ws"), timeout=0.5)
        out = []
        try:
            for call in (lambda: ws.recv(-1), lambda: ws.recv(-1.0), lambda: ws.send("abc", 0)):
                try:
                    await call()
                    out.append("returned")
                except UsageError:
                    out.append("UsageError")
                except TimeoutError:
                    out.append("TimeoutError")
            try:
                await ws.recv()
            except TimeoutError:
                out.append("default: TimeoutError")
            await ws.send("still open", 4)
            out.append(await ws.recv(5))
        finally:
            await ws.close()
        return out, ws.close_code

    assert asyncio.run(main()) == (["UsageError"] * 3 + ["default: TimeoutError", "still open"], 1000)


def test_poll_send_frame_size_zero_is_refused():
    from microhttpc import UsageError
    from microhttpc.poll import Engine

    e = Engine(timeout=10)
    host, port = server("http")
    got = []
    conn = e.connect(host, port)
    w = e.upgrade(conn, "/ws", on_msg=got.append)
    try:
        assert e.run(until=lambda: w.protocol is not None, timeout=10), "the upgrade did not finish"
        raises(UsageError, w.send, "abc", None, 0)  # (it was sent as one frame)
        w.send("still open", None, 4)
        assert e.run(until=lambda: got, timeout=10) and got == ["still open"], got
    finally:
        e.close(conn)
        e.run(until=lambda: conn.closed, timeout=10)
    assert w.close_code == 1000
