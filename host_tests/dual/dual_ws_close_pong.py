"""A PONG that close() reads (the answer to a PING sent before it) goes to on_pong on every layer: the
blocking and asyncio WebSockets dropped it with the rest of what the closing handshake read, where
the poll Engine handed it over (found by an outside randomized hunt across the layers)."""

from check import server
from pumps_ws import connect_ws, per_layer


def _a_pong_read_by_close_goes_to_on_pong(layer):
    from pumps_http import sleep

    h, p = server("http")
    pongs = []
    ws = connect_ws(layer, h, p, "/ws", on_pong=lambda d: pongs.append(bytes(d)))
    ws.ping(b"hb")
    sleep(0.3)  # the PONG is in before close()
    ws.close()
    assert pongs == [b"hb"], pongs
    assert ws.close_code == 1000, ws.close_code


per_layer(globals(), "a_pong_read_by_close_goes_to_on_pong", _a_pong_read_by_close_goes_to_on_pong)


def test_blocking_on_pong_that_raises_in_close_ends_the_connection():
    """The exception of an on_pong called by close() is close()'s, and the connection ends all the same."""
    from microhttpc import ws_connect
    from pumps_http import sleep
    from check import raises

    h, p = server("http")

    def boom(data):
        raise KeyError("pong")

    ws = ws_connect("ws://%s:%d/ws" % (h, p), timeout=5, on_pong=boom)
    ws.ping(b"hb")
    sleep(0.3)
    raises(KeyError, ws.close)
    assert ws.closed
