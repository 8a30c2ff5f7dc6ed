"""A keepalive (``ping_interval``/``ping_timeout``) bounds every write of the WebSocket by its patience
(interval + timeout): sends to a server that stopped reading fail with TimeoutError by then, with no
``timeout`` set too (aio's waited for ever, or for the whole ``timeout``; the blocking layer and poll
failed it after 2 s).  Both runtimes."""

from microhttpc.errors import ConnectionClosed, TimeoutError
from pumps_ws import connect_ws, elapsed, per_layer, raw_server, ticks


def _ka_bounds_sends(layer):
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/noread", timeout=None, ping_interval=1, ping_timeout=1, close_timeout=0.5)
    t0 = ticks()
    data = bytes(4096)
    try:
        for _ in range(400000):  # ~1.6 GB: far more than the socket buffers take
            ws.send(data)
        raise AssertionError("all sent")
    except TimeoutError:
        pass
    # Each write is bounded by the patience from its last progress; a loopback kernel that keeps taking
    # a little of a full socket every ~0.2 s (window probes into a receive buffer that grows) made the
    # whole loop last 3-6 s.  The server closes at 10 s: an unbounded loop ends there, not with this error.
    assert elapsed(t0) < 9, elapsed(t0)
    try:
        ws.send("after")
        raise AssertionError("sent after the timeout")
    except ConnectionClosed as exc:  # (README: the call's own TimeoutError, then the end as 1006, no cause)
        assert exc.code == 1006 and exc.cause is None, (exc.code, exc.cause)


per_layer(globals(), "ka_bounds_sends", _ka_bounds_sends, layers=("blocking", "aio"))
