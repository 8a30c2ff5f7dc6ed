"""A send() of the blocking WebSocket meets a reset, and the read-back of what came before it (the
server's five messages and its Close, tools/servers.py /msgs-then-reset) finds no heap: the
MemoryError reaches the caller once, as on the asyncio layer (README, "Out of memory").  It was
swallowed: send() raised ConnectionClosed(1006) with no cause, on_err was never called, and the
messages were lost without a word (found by an outside out-of-memory hunt on a full MicroPython heap,
where the read-back's 512-byte buffer found no block; here the read-back's first read raises it, on
both runtimes)."""

from check import raises, server


def test_no_heap_for_the_read_back_is_the_sends_memory_error():
    import microhttpc
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    closes, errs = [], []
    ws = microhttpc.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5, on_err=errs.append,
                               on_close=lambda code, reason: closes.append(code))
    sleep(0.5)  # the messages, the Close and the reset are in before the write

    def no_heap(buf):
        raise MemoryError

    ws._recv = no_heap  # the read-back's first read: no heap
    raises(MemoryError, ws.send, "x")
    assert ws.closed
    e = raises(ConnectionClosed, ws.recv, 1)
    assert e.code == 1006, (e.code, e.reason)
    assert errs == [] and closes == [1006], (errs, closes)  # told once: by the MemoryError of send()
    raises(ConnectionClosed, ws.send, "y")
    assert closes == [1006]
    # and the next connection works
    ws = microhttpc.ws_connect("ws://%s:%d/ws" % server("http"), timeout=5)
    ws.send("again")
    assert ws.recv(5) == "again"
    ws.close()
