"""Hostile WebSocket servers that flood: 200 PINGs or 3,000 tiny messages in one write.  Each scenario
runs through the three I/O layers (pumps_ws) on both runtimes; on MicroPython inside a 128K heap, so
memory must stay bounded (automatic PONGs coalesced, messages handed over as they are parsed)."""

from pumps_ws import connect_ws, per_layer, raw_server, seen


def _ping_flood(layer):
    # 200 empty PINGs and a text "done" in one write: "done" arrives, the connection keeps working,
    # and the server got between 1 and 200 PONGs (automatic PONGs may be coalesced).
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/pingflood")
    assert ws.recv() == "done"
    ws.send("still here")
    assert ws.recv() == "still here"  # the script echoes data messages
    ws.close()
    assert ws.close_code == 1000
    got = seen(layer, "/pingflood")
    pongs = [x for x in got if x.startswith("10:")]
    assert 1 <= len(pongs) <= 200, len(pongs)
    assert "1:still here" in got and got[-1].startswith("8:"), got[-3:]


def _burst(layer):
    # 3,000 one-byte text messages in one write (9,000 bytes, with the 101 head): all, in order.
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/burst3000")
    for i in range(3000):
        m = ws.recv()
        assert m == chr(97 + i % 26), (i, m)
    ws.send("end")
    assert ws.recv() == "end"
    ws.close()


per_layer(globals(), "ping_flood", _ping_flood)
per_layer(globals(), "burst_of_3000_messages", _burst)
