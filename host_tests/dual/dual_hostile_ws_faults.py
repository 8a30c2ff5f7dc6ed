"""Protocol faults of a server (the scripted raw server) through the three I/O layers (pumps_ws).

Each fault must close with the code RFC 6455 section 7.4.1 names and report a specific error, once;
the raw server records the Close payload the client sent (read back through /lastclose?PATH), so the
code is checked on the server's side of the wire too.  (The streaming-mode variant of the blocking
layer stays in dual_ws_faults.)"""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server, sent_close_code
from ws_faults_table import FAULTS


def _faults(layer, table):
    from microhttpc.errors import ConnectionClosed, InvalidUTF8, LimitExceeded, ProtocolError

    kinds = {1002: ProtocolError, 1007: InvalidUTF8, 1009: LimitExceeded}
    h, p = raw_server()
    for path, code, word in table:
        closes = []
        ws = connect_ws(layer, h, p, path, max_message=4096, close_timeout=5,
                        on_close=lambda c, r, closes=closes: closes.append((c, r)))
        e = raises(ConnectionClosed, ws.recv)
        assert e.sent_code == code, (path, e.sent_code)
        assert isinstance(e.cause, kinds[code]), (path, e.cause)
        assert e.cause.close_code == code
        assert word in str(e.cause), (path, str(e.cause))
        if layer != "aio":  # aio has no on_err
            assert ws.errors == [e.cause], (path, ws.errors)  # on_err once, with the error
        assert len(closes) == 1, (path, closes)  # on_close once
        assert ws.closed
        assert raises(ConnectionClosed, ws.recv).sent_code == code  # and it stays closed
        assert len(closes) == 1
        assert sent_close_code(layer, path) == code, path


per_layer(globals(), "faults_close_with_the_right_code_1", lambda layer: _faults(layer, FAULTS[:8]))
per_layer(globals(), "faults_close_with_the_right_code_2", lambda layer: _faults(layer, FAULTS[8:]))
