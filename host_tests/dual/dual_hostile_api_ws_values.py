"""WebSocket settings a new user gets wrong, through the three layers (pumps_ws): each is UsageError at
the call that took it, and the WebSocket stays usable (they failed after the 101, or at every recv() of
a WebSocket that stayed open).  A module of its own (from dual_hostile_api_values): a test module's code
stays in the heap while its test runs, and the poll Engine's part is at the edge of a 128K heap."""

from check import raises
from pumps_http import per_layer
import pumps_ws

BAD_TIMES = (float("nan"), float("inf"), -1, "5", 1e30)


def _websocket_settings(layer):
    from microhttpc.errors import UsageError

    h, p = pumps_ws.raw_server()
    for kw in ({"close_timeout": float("nan")}, {"close_timeout": "5"}, {"tx_buffer_size": "x"},
               {"tx_buffer_size": -20}, {"tx_buffer_size": 10**20}, {"max_events": "x"}, {"allowed_rsv": "x"}, {"allowed_rsv": -1},
               {"allowed_rsv": 8}, {"max_message": "x"}, {"max_frame": "x"}, {"ping_interval": "5"},
               {"ping_interval": float("nan")}, {"ping_interval": float("inf")}, {"on_msg_rx_init": 5},
               {"on_msg_rx_data": "x"}, {"frame_size": "x"}, {"frame_size": 0}, {"rng": lambda n: b""},
               {"rng": lambda n: b"abc"}, {"rng": 5}, {"on_close": 5}, {"on_pong": "x"}, {"on_ping": 1},
               {"on_msg_rx_complete": 3}) + (() if layer == "poll" else ({"on_msg": 2},)) + (
               ({"on_err": True},) if layer == "blocking" else ()):  # (the facades give poll's on_msg and on_err;
        # rng: a short key went out, the server answered 400; a callback that is no callable failed when
        # it was called)
        raises(UsageError, pumps_ws.connect_ws, layer, h, p, "/echo", **kw)
    if layer == "blocking":
        for bad in (0, -1, 1.5, "x", 10**20):
            raises(UsageError, pumps_ws.connect_ws, layer, h, p, "/echo", buffer_size=bad)
    # (max_events on every layer: the engine refused it, UsageError)
    ws = pumps_ws.connect_ws(layer, h, p, "/echo", close_timeout=2, max_message=None, max_events=8)
    if layer != "poll":  # (poll's WebSocket has no recv(): its messages go to callbacks)
        for bad in BAD_TIMES:
            if bad != -1:  # (recv's default: the WebSocket's timeout)
                raises(UsageError, ws.recv, bad)  # a bare ValueError / OverflowError / TypeError before
                if layer == "blocking":
                    raises(UsageError, ws.poll, bad)
    ws.send("still works")
    assert ws.recv() == "still works"
    ws.close()


per_layer(globals(), "websocket_settings", _websocket_settings)
