"""A hostile WebSocket server that floods after our Close, through the three I/O layers (pumps_ws):
close() stays bounded by close_timeout and what comes after our Close is dropped, not kept (no
MemoryError in a 128K heap on MicroPython; on CPython the traced peak stays small)."""

import sys

from pumps_ws import connect_ws, elapsed, per_layer, raw_server, ticks


def _flood_after_close(layer):
    # After our Close the server ignores it and sends data messages for ~2 s (some 20 MB/s), then
    # answers.  close() must give up after close_timeout (1 s) and drop what came after our Close.
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/floodafterclose", close_timeout=1)
    ws.send("x")
    assert ws.recv() == "x"
    cpython = sys.implementation.name == "cpython"
    if cpython:
        import tracemalloc

        tracemalloc.start()
    t0 = ticks()
    try:
        ws.close()
        dt = elapsed(t0)
        peak = tracemalloc.get_traced_memory()[1] if cpython else 0
    finally:
        if cpython:
            tracemalloc.stop()
    assert dt < 1 + 1.5, dt  # close_timeout + margin
    assert ws.closed
    # Bounded by the read buffers, not by the flood (the test servers run in this process too, and
    # tracemalloc sees their allocations: hence the slack).
    assert peak < 4 * 1024 * 1024, peak


per_layer(globals(), "flood_after_close", _flood_after_close)
