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


def test_no_heap_after_the_read_back_met_a_fault_is_that_fault_once():
    """The read-back's second message finds no heap (the protocol's 1009, LimitExceeded, held behind the
    first), then a copy of what follows finds none either: one report, the fault's (on_err and the
    cause of ConnectionClosed), as recv() does (websocket._step).  The first version of the fix above
    reported it twice: send() raised the MemoryError, and on_err(LimitExceeded) came after (found by
    an outside review)."""
    import microhttpc
    from microhttpc import rfc6455, websocket
    from microhttpc.errors import ConnectionClosed, LimitExceeded
    from pumps_http import sleep

    h, p = server("wsraw")
    errs, closes = [], []
    ws = microhttpc.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5, on_err=errs.append,
                               on_close=lambda code, reason: closes.append(code))
    sleep(0.5)
    armed = [0]
    recv0 = ws._recv

    def recv(buf):  # the read-back has begun
        if armed[0] == 0:
            armed[0] = 1
        return recv0(buf)

    def no_heap_once(*a):  # the protocol's buffer of a message, once the read-back began
        if armed[0] == 1:
            armed[0] = 2
            raise MemoryError
        return bytearray(*a)

    def copy(x):  # a copy the read-back makes once the protocol has failed
        if ws.protocol.failure is not None:
            raise MemoryError
        return bytes(x)

    ws._recv = recv
    rfc6455.bytearray = no_heap_once
    websocket.bytes = copy
    try:
        e = raises(ConnectionClosed, ws.send, "x")
    finally:
        del rfc6455.bytearray, websocket.bytes
    assert e.code == 1006 and isinstance(e.cause, LimitExceeded), (e.code, e.cause)
    while True:  # (the message that came before the fault first: on_err and on_close after it)
        try:
            ws.recv(1)
        except ConnectionClosed as e:
            assert isinstance(e.cause, LimitExceeded), e.cause
            break
    assert len(errs) == 1 and isinstance(errs[0], LimitExceeded) and closes == [1006], (errs, closes)
