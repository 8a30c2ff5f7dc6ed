"""Reconnecting WebSockets (continued): the loop ends on the application's own close(1000), failed
attempts back off (the waits double up to max_delay), a 4xx answer to the upgrade is raised."""

from check import server, url
from pumps_reconnect import _loop
from pumps_ws import elapsed, per_layer, ticks


def _own_close_ends_the_loop(layer):
    target = url("ws", "wsraw", "/echo?" + layer)

    if layer == "blocking":

        def body(ws, n):
            ws.send("x")
            assert ws.recv(5) == "x"
            ws.close()
            assert n == 0, "the loop went on after close(1000)"

    else:

        async def body(ws, n):
            await ws.send("x")
            assert await ws.recv(5) == "x"
            await ws.close()
            assert n == 0, "the loop went on after close(1000)"

    assert _loop(layer, target, body) == 1


class _Enough(Exception):
    pass


def _refused_backs_off(layer):
    # Nothing listens: every attempt fails; the waits double (0.05, 0.1, 0.2, capped at 0.15), and
    # the loop ends when on_retry raises.
    from microhttpc.errors import ConnectError

    h, p = server("closed")
    target = "ws://%s:%d/" % (h, p)
    retries = []

    def on_retry(exc, delay):
        retries.append((exc, delay))
        if len(retries) == 4:
            raise _Enough()

    def body(ws, n):
        raise AssertionError("connected to a closed port")

    t0 = ticks()
    try:
        _loop(layer, target, body, base_delay=0.05, max_delay=0.15, on_retry=on_retry)
    except _Enough:
        pass
    else:
        raise AssertionError("the loop ended without on_retry stopping it")
    assert all(isinstance(e, ConnectError) for e, d in retries), retries
    d = [x[1] for x in retries]
    assert 0.05 <= d[0] <= 0.0625 and 0.1 <= d[1] <= 0.125, d
    assert 0.15 <= d[2] <= 0.1875 and 0.15 <= d[3] <= 0.1875, d
    assert elapsed(t0) >= 0.3  # the three waits before the fourth on_retry


def _refused_upgrade_is_raised(layer):
    # A 4xx answer to the upgrade is not mended by retrying: UpgradeRefused comes out of the loop.
    from microhttpc.errors import UpgradeRefused

    target = url("ws", "http", "/no-such-websocket")

    def body(ws, n):
        raise AssertionError("upgraded at a path that has no WebSocket")

    try:
        _loop(layer, target, body, base_delay=0.05)
    except UpgradeRefused as exc:
        assert 400 <= exc.response.status < 500, exc.response.status
    else:
        raise AssertionError("no UpgradeRefused")


LAYERS = ("blocking", "aio")
def _with_block_left_by_an_error_is_not_the_end(layer):
    # The websockets idiom: the loop's WebSocket in a with block that a recv() timeout leaves.  Its
    # close is not the application's own close(1000), which ends the loop (it ended after one round):
    # 1011, as websockets closes on an exception, and the loop goes on.
    from microhttpc.errors import TimeoutError

    target = url("ws", "wsraw", "/echo?" + layer)

    if layer == "blocking":

        def body(ws, n):
            try:
                with ws:
                    ws.recv(0.05)
            except TimeoutError:
                pass
            assert ws.close_code == 1011, ws.close_code
            return n == 2

    else:

        async def body(ws, n):
            try:
                async with ws:
                    await ws.recv(0.05)
            except TimeoutError:
                pass
            assert ws.close_code == 1011, ws.close_code
            return n == 2

    assert _loop(layer, target, body, base_delay=0.05, min_uptime=0) == 3


per_layer(globals(), "reconnect_own_close_ends_the_loop", _own_close_ends_the_loop, LAYERS)
per_layer(globals(), "reconnect_with_block_left_by_an_error", _with_block_left_by_an_error_is_not_the_end, LAYERS)
per_layer(globals(), "reconnect_refused_backs_off", _refused_backs_off, LAYERS)
per_layer(globals(), "reconnect_refused_upgrade_is_raised", _refused_upgrade_is_raised, LAYERS)
