"""Reconnecting WebSockets (microhttpc.reconnect, aio.reconnect) against the raw server: a new
connected WebSocket after the server dropped one, with backoff (at least the base delay; no upper time
bound is asserted), the loop ends on break, on the application's own close(1000) and on errors that
retrying cannot mend.  The poll engine's form: dual_poll_reconnect."""

from check import url
from pumps_reconnect import _drain, _loop
from pumps_ws import per_layer, ticks


def _after_drops(layer):
    # /drop/2: two messages, then TCP closed.  Each time round a new WebSocket; each drop after a short
    # life counts as a failure: waits of 0.3 s, then 0.6 s (times 1 .. 1.25).
    target = url("ws", "wsraw", "/drop/2?" + layer)
    seen, retries, starts = [], [], []

    def on_retry(exc, delay):
        retries.append((exc.code, delay))

    def note(ws, n, got_code):
        seen.append(got_code)
        return n == 2

    if layer == "blocking":

        def body(ws, n):
            starts.append(ticks())
            return note(ws, n, _drain(layer, ws))

    else:

        async def body(ws, n):
            starts.append(ticks())
            return note(ws, n, await _drain(layer, ws))

    n = _loop(layer, target, body, base_delay=0.3, max_delay=5, on_retry=on_retry)
    assert n == 3, n
    assert seen == [(["m0", "m1"], 1006)] * 3, seen
    assert len(retries) == 2 and [r[0] for r in retries] == [1006, 1006], retries
    assert 0.3 <= retries[0][1] <= 0.375 and 0.6 <= retries[1][1] <= 0.75, retries
    from microhttpc.rtio import ticks_diff

    gap = ticks_diff(starts[1], starts[0]) / 1000
    assert gap >= 0.3, gap  # it waited at least the base delay
    assert ticks_diff(starts[2], starts[1]) / 1000 >= 0.6


def _server_close_is_not_the_end(layer):
    # /bye/1: one message and a Close 1001 from the server: the loop goes on (only our own close(1000)
    # ends it); min_uptime=0: every connection counts as a good one, so no wait in between.
    target = url("ws", "wsraw", "/bye/1?" + layer)
    retries = []

    if layer == "blocking":

        def body(ws, n):
            assert _drain(layer, ws) == (["m0"], 1001)
            return n == 1

    else:

        async def body(ws, n):
            assert await _drain(layer, ws) == (["m0"], 1001)
            return n == 1

    n = _loop(layer, target, body, base_delay=5, min_uptime=0,
              on_retry=lambda e, d: retries.append((e.code, d)))
    assert n == 2 and retries == [(1001, 0)], (n, retries)


LAYERS = ("blocking", "aio")
per_layer(globals(), "reconnect_after_drops_with_backoff", _after_drops, LAYERS)
per_layer(globals(), "reconnect_server_close_is_not_the_end", _server_close_is_not_the_end, LAYERS)
