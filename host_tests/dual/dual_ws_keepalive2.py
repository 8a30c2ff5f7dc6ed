"""WebSocket keepalive, continued (see dual_ws_keepalive): a PONG held behind a frame that is still
arriving.  A module of its own: in dual_ws_keepalive's 128K MicroPython heap its code left poll's
silent-peer test no room for its WebSocket."""

from pumps_ws import connect_ws, per_layer, raw_server


def _slow_frame_is_alive(layer):
    # One 2000-byte frame in 8 pieces over 2 s, ping_interval 0.3 s and ping_timeout 0.5 s: the PONG
    # cannot pass the frame, but its bytes keep coming, so the peer is alive (every layer failed the
    # connection with "no PONG within 0.5 s" and 1011 while the frame arrived).
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/slowframe", ping_interval=0.3, ping_timeout=0.5)
    m = ws.recv(10)
    assert len(m) == 2000 and m[:3] == b"\x00\x01\x02" and m[-1] == (1999 & 255), len(m)
    ws.send("still open")
    assert ws.recv(5) == "still open"
    ws.close()
    assert ws.close_code == 1000, ws.close_code


per_layer(globals(), "keepalive_slow_frame_is_alive", _slow_frame_is_alive)
