"""recv() timeouts among PONGs (found by an outside hunt): the server PINGs every 2 ms (tools/servers.py
/ping2ms) and the application calls recv(timeout) again and again.  On MicroPython an asyncio
recv() whose deadline ran out while it wrote the PONGs (all written, the task giving the other tasks
their turn) dropped the connection (1006, "the server did not take our frames"), after 49 and after
172 such timeouts in the hunt's runs; the README says a timeout leaves the connection open."""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server


def _recv_timeouts_among_pongs(layer):
    from microhttpc.errors import TimeoutError

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/ping2ms")
    for i in range(300):
        raises(TimeoutError, ws.recv, 0.005 + 0.001 * (i % 7))  # (deadlines that fall anywhere in a PONG's write)
        assert not ws.closed, (i, ws.close_code)
    ws.send("still open")
    assert ws.recv(5) == "still open"
    ws.close()
    assert ws.close_code == 1000


per_layer(globals(), "recv_timeouts_among_pongs", _recv_timeouts_among_pongs, ("blocking", "aio"))
