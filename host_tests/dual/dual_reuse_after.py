"""A connection after its WebSocket ended, after an on_header/on_body callback raised, and a WebSocket
closed from inside its own callback (blocking and asyncio; poll makes a new Conn per connect()).
Before: open() after the WebSocket closed gave a socket on which every request was refused ("close the
WebSocket and reopen", which the application had done); after a callback raised, the response nobody
could read kept the connection, and upgrade() refused it ("read the previous response body"); a
blocking WebSocket closed in on_msg_rx_complete went on calling its callbacks after on_close."""

import asyncio

from check import raises, server


class Boom(Exception):
    pass


def _boom(*args):
    raise Boom()


def test_blocking_connection_reopens_for_http_after_its_websocket():
    from microhttpc.client import Connection

    h, p = server("http")
    conn = Connection(h, p, timeout=10)
    conn.open()
    ws = conn.upgrade("/ws")
    ws.send("x")
    assert ws.recv() == "x"
    ws.close()
    assert not conn.is_open
    conn.open()
    assert conn.request("GET", "/hello").read() == b"hello world"
    ws = conn.upgrade("/ws")  # and upgraded again
    ws.close()


def test_blocking_callback_that_raises_ends_its_connection():
    from microhttpc.client import Connection

    h, p = server("http")
    conn = Connection(h, p, timeout=10)
    conn.open()
    for kw in ({"on_body": _boom}, {"on_header": _boom}):
        raises(Boom, conn.request, "GET", "/hello", **kw)
        conn.open()
        ws = conn.upgrade("/ws")
        ws.close()
        conn.open()
    assert conn.request("GET", "/hello").read() == b"hello world"
    conn.close()


def test_aio_connection_reopens_and_survives_a_raising_callback():
    from microhttpc import aio

    async def main():
        h, p = server("http")
        conn = await aio.Connection.open(h, p, timeout=10)
        ws = await conn.upgrade("/ws")
        await ws.send("x")
        assert await ws.recv() == "x"
        await ws.close()
        await conn.connect()
        r = await conn.request("GET", "/hello")
        assert await r.read() == b"hello world"
        for kw in ({"on_body": _boom}, {"on_header": _boom}):
            try:
                await conn.request("GET", "/hello", **kw)
                raise AssertionError("no Boom")
            except Boom:
                pass
            await conn.connect()
            ws = await conn.upgrade("/ws")
            await ws.close()
            await conn.connect()
        r = await conn.request("GET", "/hello")
        assert await r.read() == b"hello world"
        await conn.close()

    asyncio.run(main())


def test_blocking_websocket_closed_in_its_callback_calls_nothing_after_on_close():
    # 60 x (PING, message) and a Close in one write: the application closes after the first message.
    from microhttpc import ws_connect

    h, p = server("wsraw")
    log = []

    def complete():
        log.append("complete")
        if log.count("complete") == 1:
            ws.close()

    ws = ws_connect("ws://%s:%d/pings-then-drop" % (h, p), timeout=5, close_timeout=0.5,
                    on_msg_rx_init=lambda t, n: log.append("init"), on_msg_rx_data=lambda c: None,
                    on_msg_rx_complete=complete, on_close=lambda code, reason: log.append("close"))
    for _ in range(20):
        if "close" in log:
            break
        try:
            ws.poll(1)
        except Exception:
            break
    assert log == ["init", "complete", "close"], log
