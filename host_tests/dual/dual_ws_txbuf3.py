"""The lent transmit buffer (tx_buffer_size), continued: a 28 KiB message through a 4 KiB lent buffer.
A module of its own: each MicroPython test process loads its whole test module, and this test needs
most of a 128K heap (the message, its echo piece by piece, the code)."""

from microhttpc import ws_connect
from check import url


def test_a_large_message_needs_no_frame_sized_copy_with_a_lent_buffer():
    # A 28 KiB message with a 4 KiB lent buffer, its echo taken by the streaming callbacks and checked
    # piece by piece (a 128 KiB heap holds that): it goes out as a header and pieces masked in the lent
    # buffer, so on MicroPython sending it allocates about 1 KiB (the generator, a view per piece), not 28.
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
    data = bytes(range(256)) * 112  # 28 KiB (after the connection's long-lived buffers, as an application would)
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
