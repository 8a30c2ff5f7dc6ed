"""The lent transmit buffer (tx_buffer_size), continued (dual_ws_txbuf and dual_ws_txbuf3 hold the
rest): messages larger than the buffer go out in pieces, every size around the piece boundaries.  A
module of its own: each MicroPython test process loads its whole test module, and a 128K heap holds
this test with the others' code only just."""

from microhttpc import ws_connect
from check import url


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
