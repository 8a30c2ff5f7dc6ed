"""A peer that stops reading at once (a window of 4 KiB, full within a moment): a send of a large
message fails within the keepalive's patience (2 s here), not a look later.  The asyncio layer on
CPython counted what a look (once a second) found taken from the time of that look: a server that took
a little at the start and then nothing failed the send after 3 s.  The bound allows a noisy machine,
but not that lost look."""

from check import server
from pumps_ws import connect_ws, elapsed, per_layer, ticks

# One message of 8 MiB (its frame built whole on MicroPython: the message and its frame)
MICROPYTHON_HEAP = "24M"


def _ka_send_bound(layer):
    from microhttpc.errors import TimeoutError

    h, p = server("steady")
    ws = connect_ws(layer, h, p, "/stop", timeout=30, ping_interval=1, ping_timeout=1, close_timeout=0.5)
    data = bytes(8 << 20)  # far more than the socket buffers take (their autotuned megabytes)
    t0 = ticks()
    try:
        ws.send(data)
        raise AssertionError("all sent")
    except TimeoutError:
        pass
    data = None
    assert elapsed(t0) < 2.8, elapsed(t0)  # (the patience 2 s)
    ws.close()


per_layer(globals(), "ka_send_bound", _ka_send_bound, layers=("blocking", "aio"))
