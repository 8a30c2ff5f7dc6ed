"""Receiving against the websockets reference server: whole messages, HTTPc's streaming callbacks (a
message larger than the whole MicroPython heap), fragments with PINGs between them, automatic PONGs."""

from microhttpc import ws_connect
from microhttpc.errors import ConnectionClosed, LimitExceeded, TimeoutError
from check import raises, url

try:
    from hashlib import sha1
except ImportError:  # a port without hashlib: the package's own
    from microhttpc.sha1 import sha1


def hexdigest(h):
    return "".join("%02x" % b for b in h.digest())


def test_whole_messages_text_and_binary():
    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    ws.send("κόσμε")
    ws.send(b"\x00\xff\x80")
    ws.send("")
    ws.send(b"")
    assert ws.recv() == "κόσμε"
    assert ws.recv() == b"\x00\xff\x80"
    assert ws.recv() == ""
    assert ws.recv() == b""
    ws.close()


def test_n_messages_in_order_and_iteration():
    ws = ws_connect(url("ws", "ws", "/count/20"), timeout=10)
    got = []
    for msg in ws:
        got.append(msg)
        if len(got) == 20:
            break
    assert got == ["n=%d" % i for i in range(20)]
    ws.close()


def test_fragmented_message_with_interleaved_pings():
    pings = []
    ws = ws_connect(url("ws", "ws", "/frag"), timeout=10, on_ping=pings.append)
    assert ws.recv() == "fragmented"
    assert pings == [b"mid1", b"mid2"]
    # The server awaited nothing, but its PINGs were answered: a PING now gets our PONG too.
    ws.close()


def test_automatic_pong_reaches_the_server():
    # The server sends PING "hb" and waits for the PONG before it sends "pong:hb".
    ws = ws_connect(url("ws", "ws", "/pingme"), timeout=10)
    assert ws.recv() == "pong:hb"
    ws.close()


def test_on_pong_and_ping():
    pongs = []
    ws = ws_connect(url("ws", "ws", "/"), timeout=10, on_pong=pongs.append)
    ws.ping(b"are you there")
    ws.ping("text ping")
    ws.send("after")
    assert ws.recv() == "after"
    assert pongs == [b"are you there", b"text ping"]
    ws.close()


def test_recv_timeout_keeps_the_connection():
    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    raises(TimeoutError, ws.recv, 0.05)
    assert ws.poll(0.05) is False
    ws.send("still open")
    assert ws.recv() == "still open"
    ws.close()


class Sink:
    """Streaming receiver: hashes each message as it arrives and keeps only small text messages."""

    def __init__(self):
        self.messages = []  # (is_text, announced length, size, sha1 hex, text or None) per message
        self.chunks = 0
        self.max_chunk = 0

    def init(self, is_text, length):
        self.cur = [is_text, length, 0, sha1(), []]

    def data(self, chunk):  # chunk is only valid during the call
        c = self.cur
        c[2] += len(chunk)
        c[3].update(chunk)
        if c[0]:
            c[4].append(bytes(chunk))
        self.chunks += 1
        if len(chunk) > self.max_chunk:
            self.max_chunk = len(chunk)

    def complete(self):
        c = self.cur
        text = b"".join(c[4]).decode() if c[0] else None
        self.messages.append((c[0], c[1], c[2], hexdigest(c[3]), text))


def stream_big(path):
    import gc

    gc.collect()
    sink = Sink()
    ws = ws_connect(url("ws", "ws", path), timeout=20, max_message=None, on_msg_rx_init=sink.init,
                    on_msg_rx_data=sink.data, on_msg_rx_complete=sink.complete)
    for _ in range(5000):  # one read per poll(): a bound, not a count
        if len(sink.messages) == 2:
            break
        ws.poll(1)
    ws.close()
    return sink


def test_streaming_receive_larger_than_the_heap():
    # 300,000 bytes in one frame (64-bit length) through a 128 KiB heap: bounded memory.
    n = 300000
    sink = stream_big("/big/%d" % n)
    big, digest = sink.messages
    assert big[:3] == (False, n, n)
    assert big[3] == digest[4]  # our SHA-1 of what arrived == the server's SHA-1 of what it sent
    assert sink.chunks > 4 and sink.max_chunk <= 65536


def test_streaming_poll_reads_on_while_the_message_keeps_coming():
    # A piece that filled the receive buffer has more behind it: the same poll() reads on without
    # waiting (at most 32 pieces), rather than one piece per call; what arrives is the same.
    import time

    n = 300000
    sink = Sink()
    ws = ws_connect(url("ws", "ws", "/big/%d" % n), timeout=20, max_message=None, buffer_size=4096,
                    on_msg_rx_init=sink.init, on_msg_rx_data=sink.data, on_msg_rx_complete=sink.complete)
    time.sleep(0.5)  # the server writes the message at once: let the socket fill
    per_poll = []
    for _ in range(5000):
        if len(sink.messages) == 2:
            break
        before = sink.chunks
        ws.poll(1)
        per_poll.append(sink.chunks - before)
    ws.close()
    big, digest = sink.messages
    assert big[:3] == (False, n, n) and big[3] == digest[4]
    assert sink.max_chunk <= 4096
    assert max(per_poll) <= 32 and 2 * len(per_poll) < sink.chunks, per_poll  # (was one piece a poll)


def test_streaming_fragmented_unknown_length():
    n = 20000
    sink = stream_big("/fragbig/%d" % n)
    big, digest = sink.messages
    assert big[:3] == (False, None, n)  # fragmented: the length is unknown at the start
    assert big[3] == digest[4]
    assert digest[:2] == (True, 40)


def test_whole_message_limit_from_the_header():
    # max_message below the message size: 1009 before the payload is stored.
    ws = ws_connect(url("ws", "ws", "/big/5000"), timeout=10, max_message=1000)
    e = raises(ConnectionClosed, ws.recv)
    assert e.sent_code == 1009 and e.cause.close_code == 1009


def test_auto_mode_into_the_application_buffer():
    # HTTPc's auto mode: on_msg_rx_init returns a buffer; the message is copied there, nothing allocated.
    buf = bytearray(64)
    got = []
    ws = ws_connect(url("ws", "ws", "/count/3"), timeout=10, on_msg_rx_init=lambda t, n: buf,
                    on_msg_rx_complete=lambda: got.append(bytes(buf[: ws.rx_length])))
    for _ in range(20):
        if len(got) == 3:
            break
        ws.poll(1)
    assert got == [b"n=0", b"n=1", b"n=2"]
    ws.send_start(True)  # a fragmented message comes back reassembled in the buffer
    ws.send_fragment("abc")
    ws.send_end("def")
    for _ in range(20):
        if len(got) == 4:
            break
        ws.poll(1)
    assert got[3] == b"abcdef"
    ws.close()


def _closed_by_polling(ws, polls=50):
    """Poll until the WebSocket closes: its ConnectionClosed (None if it stayed open)."""
    try:
        for _ in range(polls):
            ws.poll(1)
    except ConnectionClosed as exc:
        return exc
    return None


def test_auto_mode_overflow_is_1009():
    # The raw server echoes frames as they come: a 500-byte message (known length, checked at its start)
    # and a fragmented one (unknown length, checked as the data arrives) into a 256-byte buffer.
    for fragmented in (False, True):
        errs = []
        ws = ws_connect(url("ws", "wsraw", "/echo"), timeout=10, max_message=None, on_err=errs.append,
                        on_msg_rx_init=lambda t, n: bytearray(256), on_msg_rx_complete=lambda: None)
        if fragmented:
            ws.send_stream([b"x" * 100] * 3)
        else:
            ws.send(b"y" * 500)
        e = _closed_by_polling(ws)
        assert e is not None and e.sent_code == 1009 and isinstance(e.cause, LimitExceeded), (fragmented, e)
        assert errs == [e.cause]
        assert ("%d+" % (300 if fragmented else 500)) in str(e.cause)


def test_auto_mode_overflow_in_a_streamed_piece_is_1009():
    # Reads of 512 bytes inside 3000-byte fragments are taken as pieces (no event); the piece that
    # overflows the 4096-byte buffer fails the connection the same way (1009, on_err once), and the
    # pieces before it were copied in order.
    errs = []
    seen = []

    def init(is_text, n):
        seen.append(bytearray(4096))
        return seen[-1]

    ws = ws_connect(url("ws", "wsraw", "/echo"), timeout=10, max_message=None, on_err=errs.append,
                    on_msg_rx_init=init, on_msg_rx_complete=lambda: None, buffer_size=512)
    data = bytes(range(250)) * 12  # 3000 bytes a fragment
    ws.send_stream([data, data, data])
    e = _closed_by_polling(ws)
    assert e is not None and e.sent_code == 1009 and isinstance(e.cause, LimitExceeded), e
    assert errs == [e.cause] and len(seen) == 1
    assert seen[0][:3000] == data and seen[0][3000:3512] == data[:512]


def test_a_poll_that_finds_nothing_raises_and_allocates_nothing_much():
    # poll(0) on a quiet connection returns False without an exception inside (an exception per empty
    # poll cost 672 bytes on MicroPython); recv() with a timeout still raises TimeoutError.
    import gc
    import sys

    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    for _ in range(5):
        assert ws.poll(0) is False
    gc.collect()
    if sys.implementation.name == "micropython":
        gc.disable()
    a = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    for _ in range(50):
        assert ws.poll(0) is False
    used = (gc.mem_alloc() - a) / 50 if hasattr(gc, "mem_alloc") else 0
    gc.enable()
    assert used <= 64, used  # MicroPython: 32 bytes (the timeout, a float)
    assert raises(TimeoutError, ws.recv, 0.05)
    ws.send("still here")
    assert ws.recv() == "still here"
    ws.close()


def test_streaming_mode_is_chosen_at_the_upgrade():
    # As the README says: callbacks assigned later change which function streaming mode calls, not the
    # mode.  Opened with streaming=True, callbacks set afterwards get the messages; opened without,
    # messages go on whole to recv() (the callbacks were ignored without a word in the README).
    sink = Sink()
    ws = ws_connect(url("ws", "ws", "/"), timeout=10, streaming=True)
    ws.on_msg_rx_init, ws.on_msg_rx_data, ws.on_msg_rx_complete = sink.init, sink.data, sink.complete
    ws.send("late")
    for _ in range(20):
        if sink.messages:
            break
        ws.poll(0.5)
    ws.close()
    assert [m[4] for m in sink.messages] == ["late"], sink.messages

    sink = Sink()
    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    ws.on_msg_rx_init, ws.on_msg_rx_data, ws.on_msg_rx_complete = sink.init, sink.data, sink.complete
    ws.send("whole")
    assert ws.recv(5) == "whole" and sink.messages == []
    ws.close()
