"""Frames that came with the 101, then a reset, and the application sends before it reads (an outside
hunt): the 101, a message and a Close in one write, then a reset 0.2 s later (tools/servers.py
/hello-bye-reset).  The send meets the reset; what came with the 101 was not parsed yet, and the
blocking and aio layers ended the connection without it: recv() raised 1006 at once, the message and
the server's Close (1000, "bye") lost, on both runtimes.  poll parses those frames as soon as the 101
is checked.  They are delivered now on every layer (``_salvage`` parses them first)."""

from check import raises, server
from pumps_ws import connect_ws, per_layer


def _frames_with_the_101_survive_a_failed_send(layer):
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/hello-bye-reset", close_timeout=1)
    sleep(0.5)  # (the reset is in before the application does anything)
    for _ in range(2):  # (CPython's aio transport takes the first write without looking)
        try:
            ws.send("late")
        except ConnectionClosed:
            break
    assert ws.recv(5) == "hello"
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == 1000 and e.reason == "bye", (e.code, e.reason, e.cause)


per_layer(globals(), "frames_with_the_101_survive_a_failed_send", _frames_with_the_101_survive_a_failed_send)
