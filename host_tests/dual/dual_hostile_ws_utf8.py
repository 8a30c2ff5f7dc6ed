"""A surrogate split across fragments or TCP writes (1007), and header injection through the offered
subprotocols/extensions (UsageError), through the three I/O layers (pumps_ws)."""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server, sent_close_code


def _split_utf8(layer):
    # ED | A0 80 (a surrogate, U+D800) split between two fragments, inside one frame between two TCP
    # writes, and both: Close 1007 on the wire, ConnectionClosed with cause InvalidUTF8.
    from microhttpc.errors import ConnectionClosed, InvalidUTF8

    h, p = raw_server()
    for path in ("/splitutf8", "/splitutf8tcp", "/splitutf8both"):
        ws = connect_ws(layer, h, p, path)
        e = raises(ConnectionClosed, ws.recv)
        assert e.sent_code == 1007 and isinstance(e.cause, InvalidUTF8), (path, e.sent_code, e.cause)
        assert sent_close_code(layer, path) == 1007, path


def _injection_in_offers(layer):
    # CR/LF/NUL in an offered subprotocol or extension: UsageError from the upgrade call (poll:
    # Engine.upgrade itself), so no forged header line can reach the server.
    from microhttpc.errors import UsageError

    h, p = raw_server()
    for kw in ({"subprotocols": ["chat\r\nX-Evil: 1"]}, {"extensions": ["x-ext\r\nX-Evil: 1"]},
               {"subprotocols": ["chat\nX-Evil: 1"]}, {"extensions": ["x-ext\x00"]}):
        raises(UsageError, connect_ws, layer, h, p, "/echo", **kw)


per_layer(globals(), "split_utf8_is_1007", _split_utf8)
per_layer(globals(), "crlf_in_offers_is_usage_error", _injection_in_offers)
