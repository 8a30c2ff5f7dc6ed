"""The blocking and asyncio reconnect loops after an exception of ``on_retry``, and what ``on_retry``
is told of a connection the application left (an outside hunt; the poll Engine's loop did both right).

- ``on_retry`` is called before the backoff's wait; an exception of it (a board's logging out of
  heap) came out of ``next()`` before the wait, and the application's next call went straight into the
  next attempt: five attempts in 60 ms for waits of 1 to 4 s, no backoff at all.  The wait is owed to
  the next call now (what is left of it).
- A WebSocket the application comes back from while it is open (a recv() timed out: ``continue``) is
  closed by the loop with 1001; ``on_retry`` was told ConnectionClosed 1006 (no Close), taken while it
  was still open.  It is told how it ended: the close the loop made (sent_code 1001, and the code of
  the server's answer).
- The same for a wait cut short by a cancellation (asyncio: ``wait_for(it.__anext__(), t)`` in a loop,
  an outside review), and for the loop's own close of a WebSocket the application came back from
  (its on_close raised): the next call attempted at once.  What is left of the wait stays owed."""

from check import server, url
from pumps_http import now


def _attempts(layer):
    """Three attempts to a port that refuses, on_retry raising each time and the application calling
    again at once: the times of the on_retry calls and the waits they announced."""
    h, p = server("closed")
    seen = []

    def on_retry(exc, delay):
        seen.append((now(), delay))
        raise RuntimeError("log full")

    target = "ws://%s:%d/" % (h, p)
    if layer == "blocking":
        import microhttpc

        it = microhttpc.reconnect(target, base_delay=0.3, max_delay=0.3, on_retry=on_retry)
        for _ in range(3):
            try:
                next(it)
            except RuntimeError:
                pass
        return seen
    import asyncio

    from microhttpc import aio

    async def main():
        it = aio.reconnect(target, base_delay=0.3, max_delay=0.3, on_retry=on_retry)
        for _ in range(3):
            try:
                await it.__anext__()
            except RuntimeError:
                pass

    asyncio.run(main())
    return seen


def _check_waits(seen):
    assert len(seen) == 3, seen
    for (t0, d), (t1, _) in zip(seen, seen[1:]):
        assert d >= 0.3 and t1 - t0 >= 0.28, seen  # (each attempt after the wait announced before it)


def test_blocking_waits_after_on_retry_raised():
    _check_waits(_attempts("blocking"))


def test_aio_waits_after_on_retry_raised():
    _check_waits(_attempts("aio"))


def _told(layer):
    from pumps_reconnect import _loop

    told = []

    def body(ws, n):  # the application comes back with the WebSocket open (its recv() timed out, say)
        return n == 1

    async def abody(ws, n):
        return n == 1

    n = _loop(layer, url("ws", "http", "/ws"), body if layer == "blocking" else abody, base_delay=0.05,
              max_delay=0.05, on_retry=lambda exc, delay: told.append((type(exc).__name__, exc.code, exc.sent_code)))
    # (the test server answers a Close with 1000: the code is the server's, sent_code ours)
    assert n == 2 and told == [("ConnectionClosed", 1000, 1001)], (n, told)


def test_blocking_on_retry_told_the_close_the_loop_made():
    _told("blocking")


def test_aio_on_retry_told_the_close_the_loop_made():
    _told("aio")


def test_aio_a_cancelled_wait_stays_owed():
    import asyncio

    from microhttpc import aio

    h, p = server("closed")
    seen = []

    async def main():
        it = aio.reconnect("ws://%s:%d/" % (h, p), base_delay=1.5, max_delay=1.5,
                           on_retry=lambda exc, delay: seen.append((now(), delay)))
        for _ in range(3):
            try:
                await asyncio.wait_for(it.__anext__(), 0.2)  # (each call cancelled in its wait)
            except asyncio.TimeoutError:
                pass

    asyncio.run(main())
    # 3 calls of 0.2 s: the first attempt at once, then a wait of 1.5+ s cut short twice: one attempt
    # (a wait of 0.6 s, the three calls' own length, raced them on a loaded machine)
    assert len(seen) == 1, seen


def test_blocking_a_close_that_raised_leaves_the_wait_owed():
    # The application comes back with the WebSocket open (a short connection: a wait of 0.5+ s is due)
    # and the loop's close(1001) raises (the WebSocket's on_close): the next call waits, then opens.
    import microhttpc

    def on_close(code, reason):
        raise ValueError("on_close")

    it = microhttpc.reconnect(url("ws", "http", "/ws"), base_delay=0.5, max_delay=0.5, on_close=on_close)
    next(it)
    try:
        next(it)
        raise AssertionError("the close's exception was lost")
    except ValueError:
        pass
    t = now()
    ws = next(it)
    assert now() - t >= 0.4, now() - t  # (what was left of the 0.5+ s wait: at once before)
    try:
        ws.close()  # (its on_close raises too)
    except ValueError:
        pass


def test_blocking_the_loops_close_takes_nothing_from_the_wait():
    # The server never answers the loop's Close (close_timeout 0.6 s) and the connection was short (a
    # wait of 0.6+ s): the wait starts when the close has ended.  Counted from the moment the delay was,
    # the close's 0.6 s were taken out of it and the next attempt went at once (a review).
    import microhttpc

    told = []
    it = microhttpc.reconnect(url("ws", "wsraw", "/noclose"), base_delay=0.6, max_delay=0.6, close_timeout=0.6,
                              on_retry=lambda exc, delay: told.append(now()))
    next(it)
    ws = next(it)  # (the loop closes the first: 0.6 s, then waits 0.6+ s, then opens this one)
    assert told and now() - told[0] >= 0.55, (told, now())
    ws.close()


def test_poll_a_wait_at_the_bound_is_taken():
    # base_delay = max_delay = 500000 s (rt.seconds' bound) times the jitter was over call_later's
    # bound: UsageError out of poll(), and the loop left with no timer (a review).  The wait is capped.
    from microhttpc.poll import Engine, reconnect

    h, p = server("closed")
    e = Engine(timeout=5)
    told = []
    rc = reconnect(e, "ws://%s:%d/" % (h, p), base_delay=500000, max_delay=500000,
                   on_retry=lambda exc, delay: told.append(delay))
    e.run(until=lambda: told, timeout=5)
    assert told and 500000 >= told[0] >= 400000, told
    rc.stop()
    assert e.run(timeout=2)


def test_blocking_a_close_that_raises_takes_nothing_from_the_wait_either():
    # As above, and the close raises at its end (the WebSocket's on_close): the wait was counted from
    # before the close, and the next attempt went at once (a review).
    import microhttpc

    def on_close(code, reason):
        raise ValueError("on_close")

    it = microhttpc.reconnect(url("ws", "wsraw", "/noclose"), base_delay=0.6, max_delay=0.6, close_timeout=0.6,
                              on_close=on_close)
    next(it)
    try:
        next(it)
        raise AssertionError("the close's exception was lost")
    except ValueError:
        pass
    t = now()
    ws = next(it)
    assert now() - t >= 0.55, now() - t
    try:
        ws.close()
    except ValueError:
        pass
