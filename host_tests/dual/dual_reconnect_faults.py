"""The reconnect loops meeting an exception that is not theirs, and a target of the wrong kind.

- poll: an exception from ``on_retry``, from the target function (a MemoryError, its own bug) or from
  the connection's ``on_close`` escaped ``run()`` once and left the loop dead, ``running`` still True
  and no attempt ever made again (a real MemoryError in ``connect()`` at 128 KiB did it too).  It
  escapes ``run()`` once, as it escapes the other forms' ``next()``, and the loop goes on.
- A target function that gives another layer's WebSocket (a blocking one to poll's or aio's loop, or
  another Engine's) was taken: a bare AttributeError or TypeError came later (poll: no error at all
  for another Engine's).  It is UsageError now, as for a target that gives no WebSocket.
"""

from check import server


def _engine():
    from microhttpc.poll import Engine

    return Engine(buffer_size=512)


def _escapes_once_then_retries(fault):
    from microhttpc.poll import reconnect

    h, p = server("closed")  # every attempt refused
    e = _engine()
    n = {"retry": 0, "calls": 0}

    def on_retry(exc, delay):
        n["retry"] += 1
        if fault == "on_retry" and n["retry"] == 2:
            raise ValueError("injected")

    def target(engine):
        n["calls"] += 1
        if fault == "target" and n["calls"] == 2:
            raise MemoryError("injected")
        return engine.upgrade(engine.connect(h, p), "/")

    rc = reconnect(e, target, base_delay=0.02, max_delay=0.02, on_retry=on_retry)
    try:
        e.run(timeout=5)
        raise AssertionError("nothing escaped run()")
    except (ValueError, MemoryError) as exc:
        assert str(exc) == "injected", exc
    calls = n["calls"]
    assert rc.running and rc.error is None
    assert e.run(until=lambda: n["calls"] >= calls + 3, timeout=5), "the loop is dead: %r" % (n,)
    rc.stop()
    assert e.run(timeout=5) and not rc.running


def test_poll_on_retry_raises():
    _escapes_once_then_retries("on_retry")


def test_poll_target_raises_memoryerror():
    _escapes_once_then_retries("target")


def test_poll_on_close_raises():
    from microhttpc.poll import reconnect

    h, p = server("wsraw")
    e = _engine()
    opened = []

    def make(engine):
        def on_close(conn, cause):
            if len(opened) == 1:
                raise ValueError("injected")

        c = engine.connect(h, p, on_close=on_close)
        return engine.upgrade(c, "/drop/1?poll", on_open=lambda ws: opened.append(1))

    rc = reconnect(e, make, base_delay=0.02, max_delay=0.02, min_uptime=0)
    try:
        e.run(timeout=5)
        raise AssertionError("nothing escaped run()")
    except ValueError as exc:
        assert str(exc) == "injected", exc
    assert e.run(until=lambda: len(opened) >= 2, timeout=5), "the loop is dead"
    rc.stop()
    assert e.run(timeout=5)


def test_poll_target_of_another_engine_or_layer():
    from microhttpc.errors import UsageError
    from microhttpc.poll import reconnect

    h, p = server("wsraw")
    e, other = _engine(), _engine()
    for make in (lambda engine: other.upgrade(other.connect(h, p), "/drop/1?poll"), lambda engine: 42):
        try:
            reconnect(e, make, base_delay=0.02)
            raise AssertionError("taken")
        except UsageError:
            pass
    for c in list(other.connections):
        other.close(c, abort=True)


def test_aio_target_of_blocking():
    import asyncio

    from microhttpc import aio, reconnect, ws_connect
    from microhttpc.errors import UsageError

    h, p = server("ws")
    u = "ws://%s:%d/" % (h, p)
    made = []

    def blocking_ws():
        ws = ws_connect(u, timeout=5)
        made.append(ws)
        return ws

    async def main():
        try:
            async for ws in aio.reconnect(blocking_ws, base_delay=0.02):
                raise AssertionError("a blocking WebSocket taken: %r" % (ws,))
        except UsageError:
            pass

    asyncio.new_event_loop().run_until_complete(asyncio.wait_for(main(), 20))
    assert len(made) == 1
    made[0].close()


def test_blocking_target_of_aio():
    import asyncio

    from microhttpc import aio, reconnect
    from microhttpc.errors import UsageError

    h, p = server("ws")
    loop = asyncio.new_event_loop()
    ws = loop.run_until_complete(asyncio.wait_for(aio.ws_connect("ws://%s:%d/" % (h, p), timeout=5), 20))
    try:
        for got in reconnect(lambda: ws, base_delay=0.02):
            raise AssertionError("an asyncio WebSocket taken: %r" % (got,))
    except UsageError:
        pass
    loop.run_until_complete(asyncio.wait_for(ws.close(), 20))


def test_poll_first_attempt_raises_leaves_nothing():
    # The first attempt runs inside reconnect(): its exception is raised from there, and no timer of a
    # loop the application never got is left in the engine (a first fix scheduled the next attempt: the
    # hidden loop went on, run() without a timeout never returned, a second reconnect() made two).
    from microhttpc.poll import reconnect

    h, p = server("closed")
    e = _engine()
    calls = []

    def fn(engine):
        calls.append(1)
        raise ValueError("not ready yet")

    try:
        reconnect(e, fn, base_delay=0.02, max_delay=0.02)
        raise AssertionError("nothing raised")
    except ValueError:
        pass
    assert not e._timers and e.run(timeout=2) and len(calls) == 1, (e._timers, calls)

    # The same when the first attempt fails as a board's does before Wi-Fi is up, and on_retry raises.
    from microhttpc.errors import ConnectError

    del calls[:]

    def no_wifi(engine):
        calls.append(1)
        raise ConnectError("no Wi-Fi yet")

    def on_retry(exc, delay):
        raise ValueError("injected")

    try:
        reconnect(e, no_wifi, base_delay=0.02, max_delay=0.02, on_retry=on_retry)
        raise AssertionError("nothing raised")
    except ValueError:
        pass
    assert not e._timers and e.run(timeout=2) and len(calls) == 1, (e._timers, calls)


def _refused_close_is_not_the_end(layer):
    # close(1000, reason) refused (a reason over 123 bytes: UsageError, nothing sent, the WebSocket goes
    # on) ended the loop at the server's next Close, as if it had been the application's own close.
    from check import server
    from microhttpc.errors import ConnectionClosed, UsageError

    h, p = server("http")
    u = "ws://%s:%d/ws" % (h, p)
    kw = dict(base_delay=0.02, max_delay=0.05, min_uptime=0.01, timeout=5)
    if layer == "poll":
        from microhttpc.poll import reconnect

        e = _engine()
        opened = []

        def on_open(ws):
            opened.append(1)
            if len(opened) == 3:
                ws.close()
                return
            try:
                ws.close(1000, "a" * 124)
                raise AssertionError("taken")
            except UsageError:
                pass
            ws.send("close-me")  # the server closes with 4000

        rc = reconnect(e, u, on_open=on_open, **kw)
        assert e.run(timeout=10) and len(opened) == 3 and not rc.running, opened
        return
    from pumps_reconnect import _loop

    def body(ws, n):
        if n == 2:
            ws.close()
            return True
        try:
            ws.close(1000, "a" * 124)
            raise AssertionError("taken")
        except UsageError:
            pass
        ws.send("close-me")
        try:
            while True:
                ws.recv(timeout=5)
        except ConnectionClosed as exc:
            assert exc.code == 4000, exc

    async def abody(ws, n):
        if n == 2:
            await ws.close()
            return True
        try:
            await ws.close(1000, "a" * 124)
            raise AssertionError("taken")
        except UsageError:
            pass
        await ws.send("close-me")
        try:
            while True:
                await ws.recv(timeout=5)
        except ConnectionClosed as exc:
            assert exc.code == 4000, exc

    assert _loop(layer, u, body if layer == "blocking" else abody, **kw) == 3


def test_refused_close_is_not_the_end_blocking():
    _refused_close_is_not_the_end("blocking")


def test_refused_close_is_not_the_end_poll():
    _refused_close_is_not_the_end("poll")


def test_refused_close_is_not_the_end_aio():
    _refused_close_is_not_the_end("aio")


def _own_close_ends_the_loop_whatever_follows(layer):
    # The application's own close() ends the loop when its on_close raises after the Close went out
    # (blocking, aio), and on aio when another task's close() is still running as the reader asks for
    # the next round (a version that marked the end only once close() returned reconnected).
    from check import server

    h, p = server("http")
    u = "ws://%s:%d/ws" % (h, p)
    kw = dict(base_delay=0.02, max_delay=0.05, min_uptime=0.01, timeout=5)

    def on_close(*args):
        raise ValueError("injected")

    from pumps_reconnect import _loop

    def body(ws, n):
        assert n == 0, "the loop went on after our close"
        try:
            ws.close()
        except ValueError:
            pass
        assert ws.closed

    if layer == "blocking":
        assert _loop(layer, u, body, on_close=on_close, **kw) == 1
        return
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    async def main():
        rounds, tasks = 0, []
        async for ws in aio.reconnect(u, **kw):
            rounds += 1
            if rounds > 3:
                break

            async def closer(ws=ws):
                await asyncio.sleep(0.1)
                await ws.close()

            tasks.append(asyncio.create_task(closer()))
            try:
                while True:
                    await ws.recv(timeout=5)
            except ConnectionClosed:
                pass  # (the server's answer to our Close: the closer is still in its close())
        for t in tasks:
            await t
        return rounds

    assert asyncio.new_event_loop().run_until_complete(asyncio.wait_for(main(), 20)) == 1


def test_own_close_ends_the_loop_whatever_follows_blocking():
    _own_close_ends_the_loop_whatever_follows("blocking")


def test_own_close_ends_the_loop_whatever_follows_aio():
    _own_close_ends_the_loop_whatever_follows("aio")
