"""A send while our own close() waits for the server's Close (from a callback that close() runs, or from
another task) raises ConnectionClosed, and on_close is still told once, by that close(), with how it
ended: the server's code.  It was told 1006 by the failed send, and the server's 1000 that came half a
second later was never told (ws.close_code said 1000; an outside hunt, blocking and aio on both
runtimes; poll was right).  Server: the raw one's /pongafterclose (our Close: a PONG, then the Close
echoed 0.5 s later)."""

import asyncio

from check import raises, url
from microhttpc import ConnectionClosed
from pumps_ws import raw_server


def test_a_send_from_a_callback_of_close_leaves_on_close_to_it_blocking():
    from microhttpc import ws_connect

    h, p = raw_server()
    told, sent = [], []

    def on_pong(data):
        sent.append(raises(ConnectionClosed, ws.send, "too late"))

    ws = ws_connect("ws://%s:%d/pongafterclose" % (h, p), timeout=5, close_timeout=3,
                    on_pong=on_pong, on_close=lambda code, reason: told.append(code))
    ws.close(1000, "bye")
    assert len(sent) == 1, sent  # (the PONG came while close() waited)
    assert told == [1000] and ws.close_code == 1000, (told, ws.close_code)


def test_a_send_from_another_task_leaves_on_close_to_close_aio():
    from microhttpc import aio

    h, p = raw_server()
    told = []

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/pongafterclose" % (h, p), timeout=5, close_timeout=3,
                                  on_close=lambda code, reason: told.append(code))
        closing = asyncio.create_task(ws.close(1000, "bye"))
        await asyncio.sleep(0.2)  # (the Close went out; the server answers it 0.5 s later)
        try:
            await ws.send("too late")
            raise AssertionError("a send after our Close went out")
        except ConnectionClosed:
            pass
        assert told == [], told
        await closing
        return ws.close_code

    assert asyncio.run(main()) == 1000
    assert told == [1000], told


def _raising(exc):
    raise RuntimeError("on_err raised")


def test_a_send_after_a_fault_whose_on_err_raised_tells_on_close():
    # Our Close for a fault (a message over max_message: 1009) with on_err raising, so no call finished
    # the closing handshake: the next send() tells on_close (a first version of the rule above left it to
    # a close() that no one was making, and on_close was never told: an outside review).
    from microhttpc import aio, ws_connect

    told = []
    ws = ws_connect(url("ws", "http", "/ws"), timeout=5, close_timeout=1, max_message=100, on_err=_raising,
                    on_close=lambda code, reason: told.append(code))
    ws.send("x" * 200)  # (echoed: over max_message)
    raises(RuntimeError, ws.recv)
    raises(ConnectionClosed, ws.send, "next")
    assert told == [1006], told

    async def main():
        ws = await aio.ws_connect(url("ws", "http", "/ws"), timeout=5, close_timeout=1, max_message=100,
                                  on_err=_raising, on_close=lambda code, reason: told.append(code))
        await ws.send("x" * 200)
        try:
            await ws.recv()
            raise AssertionError("no fault")
        except RuntimeError:
            pass
        try:
            await ws.send("next")
            raise AssertionError("sent")
        except ConnectionClosed:
            pass
        await ws.close()

    told.clear()
    asyncio.run(main())
    assert told == [1006], told
