"""``recv(0)`` returns a message whose bytes are all there already, however they came: the start of it
with the 101 and the rest later, or more of it than one read takes (blocking and aio; the poll Engine
has no recv).  Both runtimes."""

from pumps_ws import connect_ws, per_layer, raw_server


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
