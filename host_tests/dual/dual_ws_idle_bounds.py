"""A WebSocket that was quiet for longer than its connection's bounds still sends (found by an outside
hunt of the time bounds).  poll: ``timeout`` counted a write as outstanding from the last I/O, seconds
before it was queued, and the next poll() failed a healthy WebSocket ("no progress ... within"); asyncio:
the upgrade's deadline (``ws_connect(timeout=)``) stayed on the connection, and every later write that
had to wait failed at once with "the request did not complete within its deadline"."""

import time

from check import server
import pumps_ws


def test_poll_websocket_sends_after_a_quiet_spell_longer_than_timeout():
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=1)
    ev = []
    ws = e.upgrade(e.connect(h, p), "/ws", on_open=lambda w: ev.append("open"), on_msg=ev.append,
                   on_err=lambda exc: ev.append(exc))
    assert e.run(until=lambda: ev, timeout=5) and ev == ["open"], ev
    t = time.time()
    while time.time() - t < 1.5:  # quiet: no I/O for longer than timeout
        e.poll(100)
    ws.send("hello")
    assert e.run(until=lambda: len(ev) > 1, timeout=5) and ev[1] == "hello", ev
    ws.close()
    e.run(timeout=5)


def test_aio_websocket_write_bounded_by_timeout_not_the_upgrades_deadline():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import TimeoutError

    h, p = pumps_ws.raw_server()

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/noread" % (h, p), timeout=1, close_timeout=0.5)
        await asyncio.sleep(1.5)  # open longer than the handshake's deadline
        t = time.time()
        try:
            for _ in range(2000):  # (the server reads nothing: a write waits, then times out)
                await ws.send(b"x" * 4096)
            raise AssertionError("every send went out")
        except TimeoutError:
            waited = time.time() - t
        await ws.close()
        return waited

    waited = asyncio.run(main())
    assert waited > 0.5, "a write failed %.2f s after it began: the upgrade's deadline, not timeout" % waited
