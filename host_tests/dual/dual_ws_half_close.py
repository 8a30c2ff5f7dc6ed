"""A server's Close followed by its half-close of TCP is echoed, through the three I/O layers.  (A module
of its own, from dual_hostile_ws_close2: a test module's code stays in the heap while its test runs,
and poll's case passed MicroPython's 128 KiB with 1.75 KB to spare there.)"""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server, seen


def _close_then_half_close(layer):
    # The server's Close, then TCP half-closed at once: the echo of its Close still goes out (poll
    # read the Close and the EOF in one round and ended the connection with the echo unwritten, while
    # close_sent said 1001).
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/going-halfclose")
    e = raises(ConnectionClosed, ws.recv)
    assert (e.code, e.sent_code) == (1001, 1001), e
    got = seen(layer, "/going-halfclose")
    assert got == ["8:\x03\xe9"], got


per_layer(globals(), "close_then_half_close_is_echoed", _close_then_half_close)
