"""A server's Close that came in the same read as the 101 (RFC 6455 section 4.1: frames may follow the
head at once), when the application closes before it receives anything (both runtimes, three layers)."""

from pumps_ws import connect_ws, per_layer, raw_server, sent_close_code


def _close_before_any_recv(layer):
    # /bye/0: the 101 and a Close(1001, "going away") in one write.  close() must parse what came with
    # the 101 before it waits for the server: it said 1006 (no Close received) on the blocking and aio
    # layers, whose wind-down read only the socket, on both runtimes.
    h, p = raw_server()
    closes = []
    ws = connect_ws(layer, h, p, "/bye/0?101" + layer, on_close=lambda c, r: closes.append((c, r)),
                    close_timeout=5)
    ws.close(3000, "cli")
    assert closes == [(1001, "going away")], closes
    assert ws.close_code == 1001, ws.close_code
    # Ours crossed the server's (3000), or echoed it (1001: poll's facade runs the engine until on_open,
    # and the frames that came with the 101 are parsed right after it).
    assert sent_close_code(layer, "/bye/0?101" + layer) in (3000, 1001)


per_layer(globals(), "close_before_any_recv_with_the_servers_close_in_the_101_read", _close_before_any_recv)
