"""The closing handshake from either side, through the three I/O layers (pumps_ws): the server's code
echoed, ours sent with its reason, invalid codes and reasons refused, sending after the close."""

from check import raises, server
from pumps_ws import connect_ws, per_layer, raw_server, sent_close


def _server_closes_first(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = server("ws")
    for code in (1000, 1001, 3000, 4999):
        closes = []
        ws = connect_ws(layer, h, p, "/close/%d" % code,
                        on_close=lambda c, r, closes=closes: closes.append((c, r)))
        e = raises(ConnectionClosed, ws.recv)
        assert (e.code, e.reason) == (code, "bye")
        assert e.sent_code == code  # the echo (RFC 6455 section 5.5.1)
        assert e.ok == (code in (1000, 1001))
        assert closes == [(code, "bye")]
        assert ws.closed and ws.close_code == code


def _server_closes_via_aiohttp(layer):
    # aiohttp closes with 4000 when asked ("close-me"): the same report through the other server.
    from microhttpc.errors import ConnectionClosed

    h, p = server("http")
    ws = connect_ws(layer, h, p, "/ws")
    ws.send("close-me")
    e = raises(ConnectionClosed, ws.recv)
    assert (e.code, e.reason, e.sent_code) == (4000, "as you wish", 4000)
    assert ws.closed and ws.close_code == 4000


def _client_closes_first(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/echo")
    ws.send("x")
    assert ws.recv() == "x"
    ws.close(4001, "done here")
    e = raises(ConnectionClosed, ws.recv)
    assert (e.code, e.reason, e.sent_code) == (4001, "done here", 4001)  # the raw server echoes our Close
    assert sent_close(layer, "/echo") == b"\x0f\xa1done here"
    ws.close()  # again: a no-op


def _close_validation(layer):
    from microhttpc.errors import UsageError

    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/")
    for bad in (999, 1004, 1005, 1006, 1015, 2999, 5000):
        raises(UsageError, ws.close, bad)
    raises(UsageError, ws.close, 1000, "r" * 124)
    raises(UsageError, ws.ping, b"p" * 126)
    ws.close(1000, "κ" * 61)  # 122 bytes of reason: allowed
    assert ws.close_code == 1000


def _send_after_close(layer):
    from microhttpc.errors import ConnectionClosed

    h, p = server("ws")
    ws = connect_ws(layer, h, p, "/close/1000")
    raises(ConnectionClosed, ws.recv)
    raises(ConnectionClosed, ws.send, "late")
    raises(ConnectionClosed, ws.ping)


per_layer(globals(), "server_closes_first_code_is_echoed", _server_closes_first)
per_layer(globals(), "server_closes_via_aiohttp", _server_closes_via_aiohttp)
per_layer(globals(), "client_closes_first_with_code_and_reason", _client_closes_first)
per_layer(globals(), "close_validation", _close_validation)
per_layer(globals(), "send_after_close_raises", _send_after_close)
