"""The Engine's streaming echo, as the README gives it (``send_start`` in ``on_msg_rx_init``,
``send_fragment(chunk)`` in ``on_msg_rx_data``, ``send_end`` in ``on_msg_rx_complete``), of a message
larger than the heap allows whole, in the 128 KiB heap the blocking layer's echo runs in (Autobahn).
The engine read on while the pieces it had queued for writing were 16 frames of 2 KiB each, about all
a board's free heap: MemoryError at 64 KiB (found by an outside Autobahn run of the Engine; the other
layers write each piece at once).  It reads no more once 8 KiB wait to be written (``pollws._stalled``)."""

from check import server


def test_a_streamed_echo_of_messages_larger_than_the_heap():
    from microhttpc.poll import Engine

    for size in (65536, 300000):
        got, ends = [], []
        n = [0, False]
        e = Engine()
        h, p = server("ws")
        c = e.connect(h, p, timeout=10, on_close=lambda c, x: ends.append(x))

        def init(is_text, length):
            n[0], n[1] = 0, is_text
            if not got:
                w.send_start(is_text)

        def data(chunk):
            for i in range(0 if n[1] else len(chunk)):  # byte i of a binary one is i & 0xFF (allocates nothing)
                if chunk[i] != (n[0] + i) & 0xFF:
                    raise AssertionError("byte %d" % (n[0] + i))
            n[0] += len(chunk)
            if not got:
                w.send_fragment(chunk)

        def complete():
            if not got:
                w.send_end()
            got.append(n[0])

        # The server sends one message of ``size`` bytes (then its SHA-1 as text), then echoes: the
        # first is echoed piece by piece as it comes, and comes back whole.
        w = e.upgrade(c, "/big/%d" % size, max_message=None, on_msg_rx_init=init, on_msg_rx_data=data,
                      on_msg_rx_complete=complete)
        e.run(until=lambda: len(got) >= 3 or c.closed, timeout=30)
        assert got == [size, 40, size] and not ends, (size, got, ends)
        e.close(c)
        e.run(until=lambda: c.closed, timeout=10)
        w = c = None
