"""Protocol faults of a server (the scripted raw server), whole and streaming (blocking layer).

Each fault must close with the code RFC 6455 section 7.4.1 names and report a specific error; the raw
server records the Close payload the client sent, read back through /lastclose?PATH, so the code is
checked on the server's side of the wire too.  The same faults without streaming, and the closing
handshake from either side, run through all three I/O layers in dual_hostile_ws_faults/_close/_close2."""

from microhttpc import ws_connect
from microhttpc.errors import ConnectionClosed, InvalidUTF8, LimitExceeded, ProtocolError
from check import raises, url
from ws_faults_table import FAULTS


KINDS = {1002: ProtocolError, 1007: InvalidUTF8, 1009: LimitExceeded}


def sent_close(path):
    """The Close payload the raw server received from us on our last visit to ``path``."""
    ws = ws_connect(url("ws", "wsraw", "/lastclose?" + path), timeout=10)
    m = ws.recv()
    ws.close()
    return m if isinstance(m, bytes) else m.encode()


def fault(path, streaming):
    errs = []
    closes = []
    kw = {}
    if streaming:
        kw = {"on_msg_rx_init": lambda t, n: None, "on_msg_rx_data": lambda c: None,
              "on_msg_rx_complete": lambda: None}
    ws = ws_connect(url("ws", "wsraw", path), timeout=10, max_message=4096, close_timeout=5,
                    on_err=errs.append, on_close=lambda c, r: closes.append((c, r)), **kw)
    if streaming:
        e = None
        try:
            for _ in range(50):
                ws.poll(1)
        except ConnectionClosed as exc:
            e = exc
    else:
        e = raises(ConnectionClosed, ws.recv)
    return ws, e, errs, closes


def test_faults_close_with_the_right_code_and_error():
    for path, code, word in FAULTS:
        for streaming in (False, True):
            ws, e, errs, closes = fault(path, streaming)
            assert e.sent_code == code, (path, e.sent_code)
            assert isinstance(e.cause, KINDS[code]), (path, e.cause)
            assert e.cause.close_code == code
            assert word in str(e.cause), (path, str(e.cause))
            assert errs == [e.cause], (path, errs)  # on_err once, with the error
            assert len(closes) == 1, (path, closes)  # on_close once
            assert ws.closed
            assert raises(ConnectionClosed, ws.recv).sent_code == code  # and it stays closed
            assert len(closes) == 1
            got = sent_close(path)
            assert int.from_bytes(got[:2], "big") == code, (path, got)


def seen(path):
    """What the raw server received from us on our last visit to ``path``: ["opcode:payload", ...]."""
    import json

    ws = ws_connect(url("ws", "wsraw", "/seen?" + path), timeout=10)
    m = json.loads(ws.recv())
    ws.close()
    return m


def test_message_before_a_close_can_still_be_answered():
    closes = []
    ws = ws_connect(url("ws", "wsraw", "/msgthenclose"), timeout=10, on_close=lambda c, r: closes.append((c, r)))
    assert ws.recv() == "last words"
    ws.send("ack")
    e = raises(ConnectionClosed, ws.recv)
    assert (e.code, e.reason, e.sent_code) == (1000, "done", 1000) and e.ok
    assert closes == [(1000, "done")]
    assert seen("/msgthenclose") == ["1:ack", "8:\x03\xe8"]
    # Streaming mode: the echo happens inside the callbacks, before the close.
    ws = ws_connect(url("ws", "wsraw", "/msgthenclose"), timeout=10, on_msg_rx_init=lambda t, n: ws.send_start(t),
                    on_msg_rx_data=lambda c: ws.send_fragment(c), on_msg_rx_complete=lambda: ws.send_end())
    e = None
    try:
        for _ in range(20):
            ws.poll(1)
    except ConnectionClosed as exc:
        e = exc
    assert e is not None and e.code == 1000
    assert seen("/msgthenclose") == ["1:last words", "0:", "8:\x03\xe8"]
