"""Bytes that came before a reset, through the I/O layers: five messages and a Close, then a reset
(SO_LINGER 0), all waiting in the client's socket before it reads (tools/servers.py
/msgs-then-reset).  Linux hands the bytes to the reader before the reset; MicroPython's readinto()
reads on after a read that did not fill its buffer, met the reset and raised, and the bytes it had
read were lost (aio: the connection failed with no message delivered, over TCP and over TLS; the
blocking and poll layers over TLS the same).  Every message and the Close are delivered now."""

from check import raises, server
from pumps_ws import connect_ws, per_layer


# At a fragmentation edge of the 128K heap (the footprint issue's work): poll's WebSocket over TLS up to a
# reset passes or fails there with the layout of code it does not run (measured: 3f76604 passed at 128K and
# failed at 124K; the move of text() and json() into modules of their own, which leaves this path's heap in
# use unchanged to 100 bytes and its names the same, failed it at 128K and 132K; 136K passes).
MICROPYTHON_HEAPS = {
    "test_messages_before_a_reset_are_delivered_over_tls_poll": "136K",
}


def _messages_before_a_reset_are_delivered(layer, tls=False):
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    ckw = None
    if tls:
        from check import tls_ca as ca

        ckw = {"tls": True, "cadata": ca(), "server_hostname": "localhost"}
    h, p = server("tlswsraw" if tls else "wsraw")
    ws = connect_ws(layer, h, p, "/msgs-then-reset", conn_kw=ckw)
    sleep(0.4)  # (nothing reads meanwhile, on any layer: the frames and the reset come)
    for i in range(5):
        m = ws.recv(5)
        assert m == ("%d" % i) * 300, (i, m[:10])
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == 1001 and e.reason == "bye", (e.code, e.reason, e.cause)


per_layer(globals(), "messages_before_a_reset_are_delivered", _messages_before_a_reset_are_delivered)
per_layer(globals(), "messages_before_a_reset_are_delivered_over_tls",
          lambda layer: _messages_before_a_reset_are_delivered(layer, True))


def _messages_before_a_failed_send_are_delivered(layer):
    """The same, and the application sends before it reads: the send meets the reset, and the
    messages that had come are still delivered after it (the blocking layer, on both runtimes, and aio
    on MicroPython ended the connection at the failed write without reading them; poll read them).
    (CPython's aio transport takes a write without looking: its send() may return.)"""
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/msgs-then-reset")
    sleep(0.4)
    try:
        ws.send("late")
    except ConnectionClosed:
        pass
    for i in range(5):
        m = ws.recv(5)
        assert m == ("%d" % i) * 300, (i, m[:10])
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code in (1001, 1006), (e.code, e.reason, e.cause)


per_layer(globals(), "messages_before_a_failed_send_are_delivered", _messages_before_a_failed_send_are_delivered)


def _a_101_with_frames_then_a_reset(layer):
    # The 101, a message and a Close in one write, then a reset 0.2 s later (/hello-bye-reset), or
    # right behind them (the "wsresetnow" server): all of it is delivered.  On MicroPython a reset that
    # arrived between readinto()'s read of the 101 and the next read it makes lost them all (the upgrade
    # failed with ConnectionLost, about 1 time in 30 here): the 101 is read with one read at a time now
    # (Session.one_read), as every response head is.
    from microhttpc.errors import ConnectionClosed

    for i in range(40):
        h, p = server("wsraw" if i < 4 else "wsresetnow")
        ws = connect_ws(layer, h, p, "/hello-bye-reset", close_timeout=1)
        assert ws.recv(5) == "hello"
        e = raises(ConnectionClosed, ws.recv, 5)
        assert e.code == 1000 and e.reason == "bye", (i, e.code, e.reason, e.cause)


per_layer(globals(), "a_101_with_frames_then_a_reset", _a_101_with_frames_then_a_reset)


def _a_close_echo_that_met_the_reset_was_not_sent(layer):
    # The server's Close and then a reset, in before the application reads: the echo of the Close
    # fails, so no Close went out.  ConnectionClosed said sent_code 1001 and ok (a clean close) all
    # the same.  (poll's reports go through on_close, see its own tests.)
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/hello-bye-reset", close_timeout=1)
    sleep(1.0)  # (the reset 0.2 s after the 101: 0.4 s left it 0.2 s on a loaded machine)
    assert ws.recv(5) == "hello"
    e = raises(ConnectionClosed, ws.recv, 5)
    assert e.code == 1000 and e.sent_code is None and not e.ok, (e.code, e.sent_code, e.ok)


per_layer(globals(), "a_close_echo_that_met_the_reset_was_not_sent", _a_close_echo_that_met_the_reset_was_not_sent,
          ("blocking", "aio"))
