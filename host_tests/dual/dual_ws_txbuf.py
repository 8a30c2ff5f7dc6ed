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


def test_text_is_copied_once_on_the_way_out():
    # A text message goes out in one frame buffer, copied from the str itself (on MicroPython the bytes
    # of str.encode() share the str's data: no second copy); with tx_buffer_size, not even that.
    import gc

    from microhttpc.rt import MICROPYTHON

    text = "é" * 1000  # 2000 bytes of UTF-8
    for txb in (0, 2048):
        ws = ws_connect(url("ws", "ws", "/"), timeout=10, tx_buffer_size=txb)
        ws.send(text)
        assert ws.recv() == text
        if MICROPYTHON:
            gc.collect()
            gc.disable()
            before = gc.mem_alloc()
            ws.send(text)
            sent = gc.mem_alloc() - before
            gc.enable()
            assert sent < (2000 + 200 if not txb else 200), (txb, sent)
            assert ws.recv() == text
        ws.close()
