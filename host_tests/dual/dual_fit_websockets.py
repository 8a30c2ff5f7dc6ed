"""What a user of websockets expects (found by an outside comparison): after the end, the WebSocket
says the server's close code and reason itself, as websockets' ``close_code`` and ``close_reason``
do (the reason was only on the exception and in on_close); None while open."""

from check import raises, server
from pumps_ws import connect_ws, per_layer


def _close_code_and_reason_after_the_end(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = server("wsraw")
    ws = connect_ws(layer, h, p, "/bye/1", close_timeout=1)  # a message, then Close(1001, "going away")
    assert ws.recv(5) == "m0"
    e = raises(ConnectionClosed, ws.recv, 5)
    assert (e.code, e.reason) == (1001, "going away"), (e.code, e.reason)
    assert (ws.close_code, ws.close_reason) == (1001, "going away"), (ws.close_code, ws.close_reason)


per_layer(globals(), "close_code_and_reason_after_the_end", _close_code_and_reason_after_the_end)


def _a_close_without_a_reason(layer):
    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/ws", close_timeout=2)
    ws.send("x")
    assert ws.recv(5) == "x"
    assert ws.close_code is None and ws.close_reason is None  # (open)
    ws.close()
    assert ws.close_code == 1000 and ws.close_reason == "", (ws.close_code, ws.close_reason)


per_layer(globals(), "a_close_without_a_reason", _a_close_without_a_reason)


def _bad_close_arguments_after_the_end(layer):
    """close() with a code or reason no Close can carry is UsageError after the end too, on every layer
    (blocking and asyncio were silent once closed; poll raised)."""
    from microhttpc.errors import UsageError

    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/ws", close_timeout=2)
    ws.close()
    close = ws.ws.close if layer == "poll" else ws.close  # (the test's poll pump returns once closed)
    for code, reason in ((999, ""), (1005, ""), (1000, "r" * 124), (None, "why")):
        raises(UsageError, close, code, reason)
    close()  # (good ones: a no-op)
    assert ws.close_code == 1000


per_layer(globals(), "bad_close_arguments_after_the_end", _bad_close_arguments_after_the_end)


def _a_reason_that_is_not_text_while_open(layer):
    # poll's close(code, None) of an open WebSocket sent a Close with an empty reason (a review of a
    # change of its sends): UsageError on every layer, before anything is sent, and the WebSocket
    # carries on
    from microhttpc.errors import UsageError

    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/ws", close_timeout=2)
    close = ws.ws.close if layer == "poll" else ws.close
    for reason in (None, 5, b"x"):
        raises(UsageError, close, 1000, reason)
    ws.send("still open")
    assert ws.recv(5) == "still open"
    ws.close()
    assert ws.close_code == 1000


per_layer(globals(), "a_reason_that_is_not_text_while_open", _a_reason_that_is_not_text_while_open)
