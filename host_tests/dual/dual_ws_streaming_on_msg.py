"""streaming=True with on_msg= and no streaming callback: refused at the upgrade call on every layer (a
module of its own: dual_hostile_ws_api's MicroPython process has no heap to spare)."""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server


def _streaming_with_on_msg(layer):
    # streaming=True with on_msg= and no streaming callback: every message was dropped unseen (on_msg
    # is never called in streaming mode; an outside hunt).  UsageError at the upgrade call now, nothing
    # sent; streaming=True alone (callbacks assigned later, as the README allows) is taken.
    from microhttpc.errors import UsageError

    h, p = raw_server()
    if layer == "poll":  # (its pump gives on_msg= itself)
        from microhttpc.poll import Engine

        eng = Engine(timeout=5)
        c = eng.connect(h, p)
        e = raises(UsageError, eng.upgrade, c, "/echo", streaming=True, on_msg=print)
        assert "on_msg" in str(e), e
        assert eng.upgrade(c, "/echo", streaming=True) is not None  # (callbacks assigned later)
        eng.close_all()
        eng.run(timeout=2)
        return
    e = raises(UsageError, connect_ws, layer, h, p, "/echo", streaming=True, on_msg=print)
    assert "on_msg" in str(e), e
    ws = connect_ws(layer, h, p, "/echo", streaming=True, on_msg_rx_data=print)
    assert ws.protocol.streaming
    ws.close()
    ws = connect_ws(layer, h, p, "/echo", streaming=True)
    assert ws.protocol.streaming
    ws.close()


per_layer(globals(), "streaming_with_on_msg", _streaming_with_on_msg)
