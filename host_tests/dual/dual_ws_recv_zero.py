"""``recv(0)`` returns a message whose bytes are all there already, however they came: the start of it
with the 101 and the rest later, or more of it than one read takes (blocking and aio; the poll Engine
has no recv).  Both runtimes."""

from pumps_ws import connect_ws, per_layer, raw_server

# The asyncio facade runs an event loop per call, each left mid-heap: after the first connection the
# 6,000-byte message found no block in MicroPython's 128 KiB (9.6 KB free in pieces: LimitExceeded,
# 1009, as it must) once aio.py's HTTP code grew by 130 bytes (tasks sharing a connection)
MICROPYTHON_HEAP = "144K"


def _all_there(layer):
    # The first recv(0) was a TimeoutError and the second gave the message: after the deadline only
    # a call's first step read, and the bytes with the 101 (or the first 2 KiB of a large message on
    # MicroPython, whose receive buffer is smaller) took that step.
    import time

    h, p = raw_server()
    for path, want in (("/split-later", "z" * 300), ("/big-later", b"B" * 6000)):
        ws = connect_ws(layer, h, p, path, timeout=5, close_timeout=0.5)
        try:
            time.sleep(1)  # all of it is in the socket now
            got = ws.recv(0)
            assert got == want, (path, type(got), len(got))
        finally:
            ws.close()


per_layer(globals(), "all_there", _all_there, layers=("blocking", "aio"))


def _streaming_recv_keeps_its_bound(layer):
    # Streaming callbacks that take 2 ms a piece, a large message all there: recv(0.2) ends at its
    # deadline and one step (32 pieces), not after 32 steps more (1.2-2 s: the grace for a message that
    # is all there is for recv()'s own messages, not for the callbacks').
    import time

    from check import server
    from pumps_http import now

    n = [0]

    def data(chunk):
        n[0] += 1
        t = now()
        while now() - t < 0.002:
            pass

    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/big/4000000", timeout=10, close_timeout=0.5, max_message=None,
                    on_msg_rx_init=lambda t, length: None, on_msg_rx_data=data, on_msg_rx_complete=lambda: None)
    try:
        time.sleep(1)
        t0 = now()
        try:
            ws.recv(0.2)
        except Exception as exc:
            assert type(exc).__name__ == "TimeoutError", exc
        assert now() - t0 < 0.9 and n[0], (now() - t0, n[0])
    finally:
        ws.close()


per_layer(globals(), "streaming_recv_keeps_its_bound", _streaming_recv_keeps_its_bound, layers=("blocking", "aio"))

