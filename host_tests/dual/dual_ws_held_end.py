"""A server's Close or fault that came in the same read behind a message (held back until the
message is handed out), met by our close(), and a fault's end through a reset, on all three layers.

- close() checks its arguments first: a code or reason no Close can carry is UsageError and stops
  nothing, a Close held back or not (blocking and aio applied the held Close and returned normally).
- close() with a fault held back answers the fault (1002), as a close() after it was handed out
  does (poll sent our 1000 and then reported the fault).
- a fault, then the server's reset instead of its Close: the connection's end is that fault (poll
  gave the Conn's on_err and on_close the reset's ConnectionLost, the WebSocket's on_err the fault).
- poll: Engine.close(conn, abort=True) from on_msg is the application's end even when the server's
  FIN came right behind the message (it read on and reported a lost connection)."""

from check import server
from pumps_ws import connect_ws, per_layer, sent_close_code

from microhttpc.errors import ConnectionClosed, ProtocolError, UsageError

BAD = ((5000, ""), (1000, "x" * 124), ("oops", ""), (1000, b"bytes"))


def _close_args_before_held_close(layer):
    ws = connect_ws(layer, *server("wsraw"), "/msgthenclose", close_timeout=2, timeout=5)
    try:
        assert ws.recv(5) == "last words"
        close = ws.ws.close if layer == "poll" else ws.close  # (the facade's close() ends a closing one)
        for code, reason in BAD:
            try:
                close(code, reason)
            except UsageError:
                pass
            else:
                raise AssertionError("close(%r, %r) was not refused" % (code, reason[:8]))
        try:  # nothing was stopped: the server's Close is the end
            ws.recv(5)
            raise AssertionError("a message after the Close")
        except ConnectionClosed as exc:
            assert (exc.code, exc.reason) == (1000, "done"), (exc.code, exc.reason)
    finally:
        ws.close()


def _close_answers_held_fault(layer):
    ws = connect_ws(layer, *server("wsraw"), "/msgthenfault", close_timeout=2, timeout=5)
    try:
        assert ws.recv(5) == "hello"
        try:
            ws.close(4000, "ours")
        except ConnectionClosed:
            pass  # (the fault's end, on a layer that raises it from close())
    finally:
        ws.close()
    assert sent_close_code(layer, "/msgthenfault") == 1002


def _fault_then_reset(layer):
    ws = connect_ws(layer, *server("wsraw"), "/fault-then-reset", close_timeout=2, timeout=5)
    try:
        assert ws.recv(5) == "hello"
        try:
            ws.recv(5)
            raise AssertionError("a message after the fault")
        except ConnectionClosed as exc:
            assert isinstance(exc.cause, ProtocolError), repr(exc.cause)
            if layer == "poll":
                ws.e.run(until=lambda: ws.conn.closed, timeout=5)
                assert ws.conn.error is exc.cause, (ws.conn.error, exc.cause)
            else:
                assert [type(e) for e in ws.errors] in ([], [ProtocolError]), ws.errors
    finally:
        ws.close()
    assert sent_close_code(layer, "/fault-then-reset") == 1002


per_layer(globals(), "close_args_before_held_close", _close_args_before_held_close)
per_layer(globals(), "close_answers_held_fault", _close_answers_held_fault)
per_layer(globals(), "fault_then_reset", _fault_then_reset)


def test_poll_abort_from_on_msg_before_fin():
    """Engine.close(conn, abort=True) in on_msg of the one message of /eof, whose FIN follows it at once."""
    from microhttpc.poll import Engine

    host, port = server("wsraw")
    for _ in range(3):
        e = Engine(timeout=5)
        ends = []
        conn = e.connect(host, port, on_err=lambda c, x: ends.append(("conn on_err", x)),
                         on_close=lambda c, x: ends.append(("conn on_close", x)))
        e.upgrade(conn, "/eof", on_msg=lambda m: e.close(conn, abort=True),
                  on_err=lambda x: ends.append(("on_err", x)), on_close=lambda c, r: ends.append(("on_close", c)))
        e.run(timeout=5)
        assert ends == [("on_close", 1006), ("conn on_close", None)], ends


def test_poll_close_from_on_msg_answers_held_fault():
    """close() in on_msg of the message a fault came behind (in the same read): the fault is answered."""
    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    conn = e.connect(*server("wsraw"))
    ends = []
    ws = e.upgrade(conn, "/msgthenfault", on_msg=lambda m: ws.close(4000, "ours"), on_err=ends.append)
    e.run(timeout=5)
    assert [type(x) for x in ends] == [ProtocolError], ends
    assert sent_close_code("poll", "/msgthenfault") == 1002
