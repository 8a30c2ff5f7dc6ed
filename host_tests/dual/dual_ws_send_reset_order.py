"""A send() whose write meets a reset reads back what came before it (five messages and the server's
Close, tools/servers.py /msgs-then-reset): those messages go to on_msg before on_close, in the
poll()/recv() after the send (README: on_close after the messages before the Close went to their
callbacks).  send() told on_close(1001) itself, and the messages came after it (found by an outside
review; blocking and asyncio layers, both runtimes)."""

from check import raises, server


def test_blocking_messages_before_on_close_after_a_send_met_a_reset():
    import microhttpc
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    log = []
    ws = microhttpc.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                               on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
    sleep(0.5)
    e = raises(ConnectionClosed, ws.send, "x")
    assert e.code == 1001 and log == [], (e.code, log)
    for _ in range(5):
        try:
            ws.poll(1)
        except ConnectionClosed:
            break
    assert log == ["0", "1", "2", "3", "4", 1001], log


def test_aio_messages_before_on_close_after_a_send_met_a_reset():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    async def main():
        h, p = server("wsraw")
        log = []
        ws = await aio.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                                  on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
        await asyncio.sleep(0.5)
        try:
            await ws.send("x")
            raise AssertionError("send() met no end")
        except ConnectionClosed as e:
            assert e.code == 1001 and log == [], (e.code, log)
        for _ in range(5):
            try:
                await ws.recv(1)
            except ConnectionClosed:
                break
        assert log == ["0", "1", "2", "3", "4", 1001], log

    asyncio.run(main())
