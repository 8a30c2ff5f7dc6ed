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


def test_messages_larger_than_the_lent_buffer_go_out_in_pieces():
    # Every size around the piece boundaries, lent buffers of sizes that are no multiple of 4 (the key's
    # phase restarts at each piece): the server echoes exactly what was meant.
    for txb in (7, 50, 51):
        ws = ws_connect(url("ws", "ws", "/"), timeout=10, tx_buffer_size=txb)
        for n in (1, 20, 21, 63, 64, 65, 66, 129, 1000, 4099):
            msg = bytes((i * 7) & 0xFF for i in range(n))
            ws.send(msg)
            assert ws.recv() == msg, (txb, n)
            text = "é" * (n if n < 1000 else 1000)
            ws.send(text)
            assert ws.recv() == text, (txb, n)
        ws.close()
        assert ws.close_code == 1000


def test_a_large_message_needs_no_frame_sized_copy_with_a_lent_buffer():
    # A 36 KiB message with a 4 KiB lent buffer, its echo taken by the streaming callbacks and checked
    # piece by piece (a 128 KiB heap holds that): it goes out as a header and pieces masked in the lent
    # buffer, so on MicroPython sending it allocates about 1 KiB (the generator, a view per piece), not 36.
    import gc

    from microhttpc.rt import MICROPYTHON

    got = [0, 0, False]  # bytes echoed, pieces that differ, message complete

    def on_data(chunk):
        k = len(chunk)
        base = got[0]
        for j in list(range(0, k, 61)) + [k - 1]:  # sampled, without a copy of the piece
            if chunk[j] != data[base + j]:
                got[1] += 1
        got[0] += k

    def on_complete():
        got[2] = True

    ws = ws_connect(url("ws", "ws", "/"), timeout=10, tx_buffer_size=4096, on_msg_rx_data=on_data,
                    on_msg_rx_complete=on_complete)
    data = bytes(range(256)) * 144  # (after the connection's long-lived buffers, as an application would)
    for i in range(2):
        got[0] = got[1] = 0
        got[2] = False
        measure = MICROPYTHON and i == 1
        if measure:
            gc.collect()
            gc.disable()
            before = gc.mem_alloc()
        ws.send(data)
        if measure:
            sent = gc.mem_alloc() - before
            gc.enable()
            assert sent < 2048, sent
        while not got[2]:
            ws.poll(10)
        assert got[0] == len(data) and got[1] == 0, got
    ws.close()
    assert ws.close_code == 1000
