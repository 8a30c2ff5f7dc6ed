"""The lent transmit buffer (tx_buffer_size) end to end against the websockets echo server."""

from microhttpc import ws_connect
from check import url


def test_lent_tx_buffer_echoes_small_and_large_messages():
    ws = ws_connect(url("ws", "ws", "/"), timeout=10, tx_buffer_size=64)
    assert len(ws.protocol.tx_buffer) == 64 + 14
    for msg in ("a", "x" * 64, b"\x00\x01" * 40, "y" * 65, "z"):  # fits, fits exactly, too big, too big, fits
        ws.send(msg)
        assert ws.recv() == msg
    ws.ping(b"p")  # a control frame built in the buffer too
    ws.send("after ping")
    assert ws.recv() == "after ping"
    ws.close()
    assert ws.close_code == 1000
