"""Closing against servers that misbehave, through the three I/O layers (pumps_ws): no Close answer
(close_timeout), TCP closed without a Close (1006), and a message or fault right before the server's
Close (the message can still be answered first)."""

from check import raises
from pumps_ws import connect_ws, elapsed, per_layer, raw_server, seen, ticks


def _close_timeout(layer):
    # The server never answers our Close and never closes TCP: after close_timeout we drop it.
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/noclose", close_timeout=0.3)
    t0 = ticks()
    ws.close()
    assert elapsed(t0) < 0.3 + 1.5, elapsed(t0)
    assert ws.closed
    e = raises(ConnectionClosed, ws.recv)
    assert e.code == 1006 and e.sent_code == 1000 and not e.ok


def _abrupt_eof(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    closes = []
    ws = connect_ws(layer, h, p, "/eof", on_close=lambda c, r: closes.append((c, r)))
    assert ws.recv() == "bye"
    e = raises(ConnectionClosed, ws.recv)
    assert e.code == 1006 and e.sent_code is None
    assert closes == [(1006, "")]


def _message_before_a_fault(layer):
    # "hello" and a frame with RSV2 come in one write: recv() hands over "hello", our answer goes out,
    # and only then the connection fails with 1002 (the order Autobahn's strict verdict asks for).
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/msgthenfault")
    assert ws.recv() == "hello"
    ws.send("answer")
    e = raises(ConnectionClosed, ws.recv)
    assert e.sent_code == 1002 and "reserved" in str(e.cause)
    got = seen(layer, "/msgthenfault")
    assert got[0] == "1:answer" and got[1].startswith("8:\x03\xea"), got


def _fault_in_the_answer_to_our_close(layer):
    # Our Close is answered with code 1005 (not for the wire): a server fault like any other, raised as
    # the cause and reported to on_err (blocking and aio dropped it: the events of a closing handshake
    # are not dispatched).
    from microhttpc.errors import ConnectionClosed, ProtocolError

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/badclose")
    ws.close(3001)
    assert ws.closed
    e = raises(ConnectionClosed, ws.recv)
    assert isinstance(e.cause, ProtocolError) and e.sent_code == 3001, (e, e.cause)
    if layer != "aio":  # (no on_err there)
        assert [type(x).__name__ for x in ws.errors] == ["ProtocolError"], ws.errors


def _message_before_a_close(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    closes = []
    ws = connect_ws(layer, h, p, "/msgthenclose", on_close=lambda c, r: closes.append((c, r)))
    assert ws.recv() == "last words"
    ws.send("ack")
    e = raises(ConnectionClosed, ws.recv)
    assert (e.code, e.reason, e.sent_code) == (1000, "done", 1000) and e.ok
    assert closes == [(1000, "done")]
    assert seen(layer, "/msgthenclose") == ["1:ack", "8:\x03\xe8"]


per_layer(globals(), "close_timeout_drops_tcp_when_no_close_comes", _close_timeout)
per_layer(globals(), "abrupt_eof_is_1006", _abrupt_eof)
per_layer(globals(), "fault_in_the_answer_to_our_close_is_reported", _fault_in_the_answer_to_our_close)
# poll delivers a message and acts on the fault or Close behind it within one Engine.poll(): an answer
# must be sent from on_msg itself (dual_poll_faults tests that), not after the facade's recv returns.
BLOCKING_AIO = ("blocking", "aio")
per_layer(globals(), "message_before_a_fault_can_still_be_answered", _message_before_a_fault, BLOCKING_AIO)
per_layer(globals(), "message_before_a_close_can_still_be_answered", _message_before_a_close, BLOCKING_AIO)


def test_send_after_poll_saw_the_end_reports_the_close():
    # Blocking: poll() takes in the server's EOF (no Close), tells on_close and returns (``closed`` and
    # on_close agree: see dual_ws_closed_told); the next send() fails with ConnectionClosed, and on_close
    # is not told twice (it was told only at a later recv/poll/close, never if the application stopped
    # at the failed send).
    from microhttpc import ws_connect
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    closes = []
    ws = ws_connect("ws://%s:%d/eof" % (h, p), timeout=10, on_close=lambda c, r: closes.append((c, r)))
    assert ws.recv() == "bye"
    t0 = ticks()
    while not ws.closed and elapsed(t0) < 5:
        ws.poll(0.2)
    assert ws.closed and closes == [(1006, "")]
    e = raises(ConnectionClosed, ws.send, "late")
    assert e.code == 1006 and closes == [(1006, "")]
    raises(ConnectionClosed, ws.ping)
    raises(ConnectionClosed, ws.send_start)
    ws.close()
    assert closes == [(1006, "")]


def _callback_raises(layer):
    # on_ping raises while four messages wait behind the PING in the same read: the caller gets the
    # exception, and the messages are not lost (they were: the rest of the read's events went with it).
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    pings = []

    def on_ping(data):
        pings.append(data)
        if len(pings) == 1:
            raise ValueError("the application's bug")

    ws = connect_ws(layer, h, p, "/ping-then-msgs", on_ping=on_ping)
    e = raises(ValueError, ws.recv)
    assert "bug" in str(e)
    got = [ws.recv() for _ in range(6)]  # (the server reads our frames once its script is done)
    assert got == ["a", "b", "cd", "e", "later", "got pong p"], got
    assert pings == [b"p"] and not ws.closed
    ws.close()
    raises(ConnectionClosed, ws.recv)


per_layer(globals(), "events_after_a_raising_callback_are_not_lost", _callback_raises, BLOCKING_AIO)


def _send_after_reset(layer):
    # The server reset the connection (RST): the first send() after it raises ConnectionClosed (1006),
    # on_close told once; it returned as if the message had gone out (blocking, aio), and only the
    # next call raised.
    import time

    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    closes = []
    ws = connect_ws(layer, h, p, "/reset", on_close=lambda c, r: closes.append(c))
    time.sleep(0.4)
    e = raises(ConnectionClosed, ws.send, "lost")
    assert e.code == 1006 and closes == [1006], (e, closes)
    raises(ConnectionClosed, ws.send, "again")
    assert closes == [1006]


per_layer(globals(), "send_after_a_reset_raises", _send_after_reset, BLOCKING_AIO)


def _unknown_keyword(layer):
    # Every layer refuses a keyword it does not know with UsageError: poll before the upgrade goes out,
    # blocking and aio once the 101 came (the connection is then closed).  aio ignored it (a typo in a
    # callback's name went unnoticed); the blocking layer raised TypeError.
    from microhttpc.errors import UsageError

    h, p = raw_server()
    e = raises(UsageError, connect_ws, layer, h, p, "/echo", on_mesage=print)
    assert "on_mesage" in str(e)


per_layer(globals(), "unknown_keyword_is_refused", _unknown_keyword)
