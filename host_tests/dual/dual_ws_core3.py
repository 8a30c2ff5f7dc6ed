"""Sans-I/O RFC 6455 core, part 3: bounded work per receive_data() (PING floods, bursts of small
messages, data after our Close), MemoryError while receiving, UTF-8 sequences split between reads."""

from microhttpc import rfc6455 as ws
from microhttpc import utf8
from microhttpc.errors import InvalidUTF8, LimitExceeded, UsageError
from microhttpc.mask import mask_plain
from check import raises


def frame(op, payload=b"", fin=True, length=None):
    """A server frame (unmasked); ``length`` overrides the length field (for header-only frames)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | op
    if n < 126:
        h = bytes((b0, n))
    elif n < 65536:
        h = bytes((b0, 126)) + n.to_bytes(2, "big")
    else:
        h = bytes((b0, 127)) + n.to_bytes(8, "big")
    return h + payload


def unmask_frames(buffers):
    """Client frames -> (fin, opcode, payload); one frame per buffer."""
    out = []
    for b in buffers:
        b = bytes(b)
        assert b[1] & 0x80
        n = b[1] & 0x7F
        pos = 2
        if n >= 126:
            k = 2 if n == 126 else 8
            n = int.from_bytes(b[pos : pos + k], "big")
            pos += k
        payload = bytearray(b[pos + 4 : pos + 4 + n])
        mask_plain(payload, 0, n, b[pos : pos + 4])
        assert pos + 4 + n == len(b)
        out.append((bool(b[0] & 0x80), b[0] & 0x0F, bytes(payload)))
    return out


def proto(auto_pongs=1, **kw):
    """A protocol with a fixed mask; the coalescing tests below use one waiting PONG (the rule is the
    same for the default auto_pongs, which only keeps more of them)."""
    p = ws.Protocol(rng=lambda n: b"\x01\x02\x03\x04", **kw)
    p.auto_pongs = auto_pongs
    return p


def drain(p, out):
    """What an I/O layer does: take the events, then continue while more_input() says so."""
    while True:
        for e in p.events():
            if e[0] == ws.EV_MSG_DATA:
                e = (e[0], bytes(e[1]), None)
            out.append(e)
        if not p.more_input():
            return out
        p.receive_data(b"")


# -- 1. PING flood: automatic PONGs coalesce --------------------------------------------------------


def test_ping_flood_queues_one_pong():
    flood = frame(9) * 200  # 200 empty PINGs, 400 bytes, one read
    for me in (None, 32):
        p = proto(max_events=me)
        p.receive_data(flood)
        n = 0
        while True:
            ev = p.events()
            assert all(e == (ws.EV_PING, b"", None) for e in ev)
            n += len(ev)
            if not p.more_input():
                break
            p.receive_data(b"")
        assert n == 200
        assert unmask_frames(p.data_to_send()) == [(True, 10, b"")]
    # The default keeps up to auto_pongs (16) of them: a burst of ten PINGs gets ten PONGs.
    p = ws.Protocol(rng=lambda n: b"\x01\x02\x03\x04")
    p.receive_data(frame(9) * 200)
    p.events()
    assert len(p.data_to_send()) == ws.Protocol.auto_pongs == 16
    # The PONG answers the most recent PING and keeps its place among the queued frames.
    p = proto(max_events=None)
    p.send_text("a")
    p.receive_data(frame(9, b"first"))
    p.send_text("b")
    p.receive_data(frame(9, b"second") + frame(9, b"third, longer" * 5))
    assert unmask_frames(p.data_to_send()) == [(True, 1, b"a"), (True, 10, b"third, longer" * 5),
                                               (True, 1, b"b")]
    # Once taken (written), the next PING gets a PONG of its own.
    p.receive_data(frame(9, b"x"))
    assert unmask_frames(p.data_to_send()) == [(True, 10, b"x")]
    assert list(p.data_to_send()) == []


def test_application_pongs_are_not_coalesced():
    p = proto()
    p.send_pong(b"app1")
    p.receive_data(frame(9, b"auto1"))
    p.send_pong(b"app2")
    p.receive_data(frame(9, b"auto2"))
    p.send_pong(b"app3")
    assert unmask_frames(p.data_to_send()) == [(True, 10, b"app1"), (True, 10, b"auto2"),
                                               (True, 10, b"app2"), (True, 10, b"app3")]


def test_coalesced_pong_in_the_lent_tx_buffer():
    p = proto()
    p.tx_buffer = bytearray(40)
    p.receive_data(frame(9, b"one") + frame(9, b"two"))
    (f,) = p.data_to_send()
    assert isinstance(f, memoryview)  # rebuilt in the lent buffer: the only frame queued
    assert unmask_frames([f]) == [(True, 10, b"two")]
    # First PONG too big for the lent buffer, the newer one fits: it may use the buffer (index 0).
    p.receive_data(frame(9, b"L" * 60) + frame(9, b"s"))
    (f,) = p.data_to_send()
    assert isinstance(f, memoryview) and unmask_frames([f]) == [(True, 10, b"s")]
    # A frame queued before the PONG owns the lent buffer: the PONG (and its replacement) must not.
    p.send_text("owner")
    p.receive_data(frame(9, b"p1"))
    p.receive_data(frame(9, b"p2"))
    f1, f2 = p.data_to_send()
    assert isinstance(f1, memoryview) and not isinstance(f2, memoryview)
    assert unmask_frames([f1, f2]) == [(True, 1, b"owner"), (True, 10, b"p2")]
    # A PONG in the lent buffer, then a text frame, then a newer PING: the buffer holds the PONG only.
    p.receive_data(frame(9, b"q1"))
    p.send_text("after")
    p.receive_data(frame(9, b"q2"))
    f1, f2 = p.data_to_send()
    assert isinstance(f1, memoryview) and not isinstance(f2, memoryview)
    assert unmask_frames([f1, f2]) == [(True, 10, b"q2"), (True, 1, b"after")]


# -- 2. bounded events per receive_data() -----------------------------------------------------------


def test_burst_of_small_messages_is_bounded():
    data = frame(2, b"x") * 3000
    p = proto(max_events=32)
    p.receive_data(data)
    first = p.events()
    assert len(first) == 32 and p.backlog and p.more_input()
    assert p.deferred is None  # a backlog is not a deferred fault or Close
    assert len(p._backlog) == len(data) - 32 * 3  # the unparsed rest, nothing more
    total = len(first)
    calls = 1
    while p.more_input():
        p.receive_data(b"")
        calls += 1
        ev = p.events()
        assert 0 < len(ev) <= 32 and all(e == (ws.EV_BINARY, b"x", None) for e in ev)
        total += len(ev)
    assert total == 3000 and calls == 94 and not p.backlog  # 93 full batches and 24
    # Without a bound (the default): all at once, as before.
    p = proto()
    p.receive_data(data[: 300 * 3])
    assert len(p.events()) == 300 and not p.backlog and not p.more_input()
    raises(UsageError, proto, max_events=0)


def feed(data, cut, me, **kw):
    p = proto(max_events=me, **kw)
    out = []
    if cut is None:
        p.receive_data(data)
    else:
        p.receive_data(data[:cut])
        drain(p, out)
        p.receive_data(data[cut:])
    return p, drain(p, out)


def test_bounded_parse_gives_the_same_events_at_every_split():
    data = (frame(1, "aé".encode(), fin=False) + frame(9, b"hi") + frame(0, "€".encode())
            + frame(2, b"", length=0) + frame(10, b"") + frame(2, bytes(range(130)))
            + frame(1, b"z") * 5 + frame(8, b"\x03\xe8end"))
    for streaming in (False, True):
        whole = feed(data, None, None, streaming=streaming)[1]
        assert whole[-1] == (ws.EV_CLOSE, 1000, "end")
        for me in (1, 2, 3):
            for cut in [None] + list(range(1, len(data))):
                p, events = feed(data, cut, me, streaming=streaming)
                if streaming:  # data events follow the reads; compare the bytes
                    assert b"".join(e[1] for e in events if e[0] == ws.EV_MSG_DATA) == b"".join(
                        e[1] for e in whole if e[0] == ws.EV_MSG_DATA)
                    events = [e for e in events if e[0] != ws.EV_MSG_DATA]
                    assert events == [e for e in whole if e[0] != ws.EV_MSG_DATA], (me, cut)
                else:
                    assert events == whole, (me, cut, events)
                assert p.closed and unmask_frames(p.data_to_send()) == [(True, 10, b"hi"),
                                                                      (True, 8, b"\x03\xe8")]


def test_streaming_views_stay_valid_until_the_next_call():
    data = bytearray(frame(2, b"abc") + frame(2, b"def") + frame(2, b"ghi"))
    p = proto(max_events=4, streaming=True)
    p.receive_data(data)
    ev = p.events()
    assert [e[0] for e in ev] == [ws.EV_MSG_START, ws.EV_MSG_DATA, ws.EV_MSG_END, ws.EV_MSG_START]
    assert bytes(ev[1][1]) == b"abc"
    data[:] = b"\xff" * len(data)  # the I/O layer reuses its receive buffer
    p.receive_data(b"")
    ev = p.events()
    assert [(e[0], bytes(e[1]) if e[0] == ws.EV_MSG_DATA else e[1]) for e in ev[:3]] == [
        (ws.EV_MSG_DATA, b"def"), (ws.EV_MSG_END, None), (ws.EV_MSG_START, False)]
    assert bytes(ev[3][1]) == b"ghi"  # from the backlog: a copy, not the overwritten buffer


def test_new_bytes_while_a_backlog_is_held_keep_the_order():
    p = proto(max_events=2)
    p.receive_data(frame(1, b"1") + frame(1, b"2") + frame(1, b"3"))
    assert p.backlog
    p.receive_data(frame(1, b"4"))  # events not taken: still at the bound, the new bytes wait too
    assert p.backlog
    events = drain(p, [])
    assert [e[1] for e in events] == ["1", "2", "3", "4"]


def test_eof_parses_the_backlog_first():
    p = proto(max_events=2)
    p.receive_data(frame(1, b"a") * 5 + frame(8, b"\x03\xe9"))
    p.receive_eof()  # this once the events exceed the bound
    events = p.events()
    assert [e[1] for e in events] == ["a"] * 5 + [1001]
    assert p.close_rcvd == (1001, "") and not p.backlog and not p.more_input()


def test_backlog_with_a_deferred_fault():
    p = proto(max_events=2, defer=True)
    p.receive_data(frame(1, b"1") + frame(1, b"2") + frame(1, b"3") + frame(3, b"bad") + frame(1, b"4"))
    assert [e[1] for e in p.events()] == ["1", "2"] and p.backlog
    p.receive_data(b"")
    assert [e[1] for e in p.events()] == ["3"]
    assert p.deferred is not None and not p.backlog and p.more_input() and p.state == ws.OPEN
    p.receive_data(b"")
    assert p.failure.close_code == 1002 and not p.more_input()
    assert list(p.events()) == []
    # fail() by the I/O layer while a backlog is held: the backlog is dropped.
    p = proto(max_events=1)
    p.receive_data(frame(1, b"1") + frame(1, b"2"))
    p.fail(LimitExceeded("local"))
    p.receive_data(b"")
    assert list(p.events()) == [(ws.EV_TEXT, "1", None)] and not p.more_input()


# -- 3. data after our Close ------------------------------------------------------------------------


def test_data_after_our_close_is_dropped():
    for streaming in (False, True):
        p = proto(max_message=100, streaming=streaming)
        p.receive_data(frame(1, b"ab", fin=False))  # a message in progress when we close
        p.events()
        p.send_close(1000, "bye")
        assert unmask_frames(p.data_to_send()) == [(True, 8, b"\x03\xe8bye")]
        flood = frame(2, b"m" * 10) * 200 + frame(1, b"\xff" * 130)  # big and not UTF-8: not judged
        p.receive_data(frame(0, b"cd") + frame(9, b"late ping") + flood + frame(2, b"", length=5000)
                       + b"\x00" * 5000 + frame(10, b"pong"))
        events = drain(p, [])
        assert events == [(ws.EV_PING, b"late ping", None), (ws.EV_PONG, b"pong", None)], events
        assert p._msg is None and p.failure is None and p.state == ws.CLOSING
        p.receive_data(frame(1, b"x") * 100 + frame(8, b"\x03\xe8"))
        assert drain(p, []) == [(ws.EV_CLOSE, 1000, "")]
        assert p.closed and list(p.data_to_send()) == []  # no PONG, no second Close


def test_framing_errors_after_our_close_still_count():
    p = proto()
    p.send_close()
    p.data_to_send()
    p.receive_data(frame(0, b"no message to continue"))
    assert p.failure is not None and p.failure.close_code == 1002 and list(p.data_to_send()) == []


# -- 4. MemoryError while receiving -----------------------------------------------------------------


class _NoHeap(ws.Protocol):
    """A message buffer that cannot be filled, as on a board whose heap runs out mid-message."""

    def _whole_frame(self, b, pos, n):
        return 0  # the message goes through the buffer, as one that comes in pieces does

    def _payload(self, chunk):
        if self._op < 8:
            raise MemoryError
        ws.Protocol._payload(self, chunk)


def test_memory_error_fails_the_connection_with_1009():
    for defer in (False, True):
        p = _NoHeap(rng=lambda n: b"\x01\x02\x03\x04", max_message=None, defer=defer)
        p.receive_data(frame(2, b"q" * 300))  # must not raise
        assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009
        assert p.state == ws.CLOSING
        sent = unmask_frames(p.data_to_send())
        assert len(sent) == 1 and sent[0][1] == 8 and sent[0][2][:2] == b"\x03\xf1"
        p.receive_data(frame(1, b"next") + frame(8, b"\x03\xe8"))  # ignored, no second fault
        assert list(p.events()) == [] and list(p.data_to_send()) == [] and p.failure.close_code == 1009


def test_no_heap_for_a_whole_frame_message_fails_with_its_size():
    # A message that arrived whole in one read becomes its str/bytes straight from the read: when that
    # allocation fails, the 1009 names the message's size (it said "0+ bytes": nothing was stored yet).
    real_bytes, real_str = bytes, str

    def no_heap(make):
        def made(x, *args):
            if isinstance(x, memoryview) and len(x) >= 100:
                raise MemoryError
            return make(x, *args)
        return made

    ws.bytes, ws.str = no_heap(real_bytes), no_heap(real_str)
    try:
        for op in (1, 2):
            p = proto(max_message=None)
            p.receive_data(frame(op, b"q" * 300) + frame(1, b"after"))  # must not raise
            assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009, p.failure
            assert p.failure.size == 300 and "300 bytes" in str(p.failure), str(p.failure)
            assert list(p.events()) == [] and p.state == ws.CLOSING
    finally:
        del ws.bytes, ws.str


def test_message_larger_than_the_heap_fails_with_1009():
    import sys

    if sys.implementation.name == "micropython":
        import gc

        # The header alone of a 1 MiB message: the buffer cannot be allocated in a 128 KiB heap.
        p = proto(max_message=None)
        p.receive_data(frame(2, b"", length=1 << 20))
        assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009
        # A message the buffer holds but whose final copy (bytes(m)) cannot fit next to it.
        gc.collect()
        n = gc.mem_free() * 3 // 5
        p = proto(max_message=None)
        p.receive_data(frame(2, b"", length=n))
        chunk = memoryview(bytearray(2048))
        left = n
        while left and p.failure is None:
            k = left if left < 2048 else 2048
            p.receive_data(chunk[:k])
            left -= k
        assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009
        assert left == 0  # the buffer was allocated and filled: the final copy failed
        assert list(p.events()) == [] and p._msg is None
        sent = unmask_frames(p.data_to_send())
        assert [f[1] for f in sent] == [8] and sent[0][2][:2] == b"\x03\xf1"
    else:
        # A length announced, not sent, takes no memory before its bytes come (over 16 MiB with no
        # limit: the message grows as they come; a 4 GiB claim zero-filled 4 GiB first).
        for n in (1 << 62, (1 << 63) - 1, 1 << 32):
            p = proto(max_message=None)
            p.receive_data(frame(2, b"", length=n) + b"x" * 100)
            assert p.failure is None and len(p._msg) == 100 and list(p.events()) == []


# -- 5. UTF-8 sequences split between reads ---------------------------------------------------------

BAD = (b"\xed\xa0", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xe0\x80", b"\xe0\x9f\xbf", b"\xf0\x80",
       b"\xf0\x8f\xbf\xbf", b"\xf4\x90", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xf5\x80",
       b"\xff", b"\xfe", b"\x80", b"\xce\x41", b"\xe2\x82\x41", b"\xf0\x90\x80\x41", b"\xe2\x41")
GOOD = (b"\xed\x9f\xbf", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xce\xba", b"\xc2\x80")


def kind(state):
    return "bad" if state == -1 else ("done" if state == 0 else "pending")


def pieces(s):
    """``s`` in 1, 2 and 3 pieces, at every split point."""
    yield (s,)
    for i in range(len(s) + 1):
        yield (s[:i], s[i:])
        for j in range(i, len(s) + 1):
            yield (s[:i], s[i:j], s[j:])


def test_utf8_split_sequences_every_split_point():
    for seq in BAD + GOOD:
        for s in (seq, b"ok" + seq, b"ok" + seq + b"ok"):
            for parts in pieces(s):
                a = b = 0
                for part in parts:
                    a = utf8.validate_plain(part, a) if a != -1 else -1
                    b = utf8.validate(part, b)
                    assert kind(a) == kind(b), (s, parts, a, b)
                assert kind(a) == ("bad" if seq in BAD else "done"), (s, parts, a)
    # The reported case: ED at the end of one read, A0 at the start of the next (a surrogate).
    st = utf8.validate(b"ab\xed", 0)
    assert kind(st) == "pending" and utf8.validate(b"\xa0", st) == -1


def test_split_surrogate_fails_fast_in_the_protocol():
    # The message never ends (the server waits): the client must fail with 1007 on the bytes alone.
    data = frame(1, b"ab\xed\xa0", fin=False)
    for cut in range(1, len(data)):
        for streaming in (False, True):
            p = proto(streaming=streaming)
            p.receive_data(data[:cut])
            assert p.failure is None, cut
            p.receive_data(data[cut:])
            assert isinstance(p.failure, InvalidUTF8) and p.failure.close_code == 1007, (cut, streaming)


def test_whole_frames_with_16_bit_lengths_in_one_read():
    # Frames up to 64 KiB that arrive whole become their message in one step (one copy); every check
    # still holds: limits (1009), UTF-8 (1007), and frames split over reads take the general path.
    text = "\u00e9" * 200  # 400 bytes of UTF-8
    data = bytes(range(256)) * 3
    p = proto()
    p.receive_data(frame(1, text.encode()) + frame(2, data) + frame(2, b"x" * 126))
    assert [(e[0], e[1]) for e in p.events()] == [(ws.EV_TEXT, text), (ws.EV_BINARY, data), (ws.EV_BINARY, b"x" * 126)]
    whole = frame(2, data)
    p = proto()
    p.receive_data(whole[:3])
    p.receive_data(whole[3:500])
    p.receive_data(whole[500:])
    assert [(e[0], e[1]) for e in p.events()] == [(ws.EV_BINARY, data)]
    p = proto(max_message=700)
    p.receive_data(frame(2, data))
    assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009
    p = proto(max_frame=500)
    p.receive_data(frame(2, data))
    assert isinstance(p.failure, LimitExceeded)
    p = proto()
    p.receive_data(frame(1, b"\xc3" * 300))
    assert p.failure is not None and p.failure.close_code == 1007


def feed_with_room(p, data, head, room_max):
    """Feed ``data`` as an I/O layer with a ``room_max``-byte read buffer does: the first ``head`` bytes,
    then, while the protocol offers room for a frame's payload larger than the buffer, reads of at most
    ``room_max`` bytes straight into it (handed to receive_data() as the view of the room they are in),
    else reads into the buffer."""
    p.receive_data(data[:head])
    pos = head
    while pos < len(data):
        room = p.payload_room()
        if room is not None and len(room) > room_max:
            n = min(room_max, len(room), len(data) - pos)
            room[:n] = data[pos : pos + n]
            p.receive_data(room[:n])
        else:
            n = min(room_max, len(data) - pos)
            p.receive_data(data[pos : pos + n])
        pos += n


def test_payload_read_straight_into_the_message():
    # A message larger than the read buffer: after its header the layer may read the payload straight
    # into the message (payload_room, then receive_data of that view): the same events as receive_data() at every
    # split, UTF-8 checked as it comes (1007 mid-message), and no room while anything is held back.
    text = ("\u00e9t\u00e9 " * 700).encode()  # 4200 bytes of UTF-8, sequences split between reads
    data = bytes(range(256)) * 20
    stream = frame(1, text) + frame(2, data) + frame(9, b"hb") + frame(2, b"tail")
    want = [(ws.EV_TEXT, text.decode()), (ws.EV_BINARY, data), (ws.EV_PING, b"hb"), (ws.EV_BINARY, b"tail")]
    for room_max in (7, 100, 1000, 4096):
        for head in (2, 4, 5, 50):
            p = proto()
            feed_with_room(p, stream, head, room_max)
            assert [(e[0], e[1]) for e in p.events()] == want, (room_max, head)
            assert p.failure is None
    # invalid UTF-8 in the part read straight into the message: 1007 at once, no room after it
    bad = bytearray(text)
    bad[3000] = 0xFF
    p = proto()
    feed_with_room(p, frame(1, bytes(bad)), 4, 1000)
    assert isinstance(p.failure, InvalidUTF8) and p.failure.close_code == 1007
    assert p.payload_room() is None
    # no room: a fragmented message (its size is not known), streaming mode, a control frame
    p = proto()
    p.receive_data(frame(2, b"ab" * 3000, fin=False)[:10])
    assert p.payload_room() is None
    p = proto(streaming=True)
    p.receive_data(frame(2, data)[:10])
    assert p.payload_room() is None
    p = proto()
    p.receive_data(frame(9, b"x" * 100)[:10])
    assert p.payload_room() is None
    # no room while an event waits to be taken (the layer dispatches first)
    p = proto()
    p.receive_data(frame(2, b"first") + frame(2, data)[:10])
    assert p.payload_room() is None
    assert [e[1] for e in p.events()] == [b"first"]
    room = p.payload_room()
    assert room is not None and len(room) == len(data) - 6
    # with a size (the layer's receive buffer): a room only when more than that is still to come
    assert p.payload_room(len(data) - 6) is None and len(p.payload_room(len(data) - 7)) == len(data) - 6


def feed_pieces(p, stream, size):
    """What a streaming I/O layer does: reads of ``size`` bytes; a read that receive_piece() takes
    is a piece of the message as it is, any other goes to receive_data().  Returns the message
    events with the pieces in their place, data joined per message."""
    out = []

    def add(kind, a):
        if kind == ws.EV_MSG_DATA and out and out[-1][0] == ws.EV_MSG_DATA:
            out[-1][1].extend(a)
        else:
            out.append((kind, bytearray(a) if kind == ws.EV_MSG_DATA else a))

    mv = memoryview(stream)
    for pos in range(0, len(stream), size):
        chunk = mv[pos : pos + size]
        if p.receive_piece(chunk):
            add(ws.EV_MSG_DATA, chunk)
        else:
            p.receive_data(chunk)
        for e in p.events():
            add(e[0], e[1])
    return out


def test_streamed_pieces_taken_without_events():
    # Streaming mode: a read that lies inside a binary frame's payload, short of its end, is taken by
    # receive_piece() (no event, nothing allocated); the frame's last bytes, headers, control frames
    # and checked text go through receive_data().  The messages come out the same at every read size.
    data = bytes(range(256)) * 12
    text = ("\u00e9t\u00e9 " * 200).encode()
    stream = (frame(2, data) + frame(9, b"hb") + frame(2, data[:3000], fin=False) + frame(0, data[3000:])
              + frame(1, text) + frame(2, b"tail"))
    want = [(ws.EV_MSG_START, False), (ws.EV_MSG_DATA, data), (ws.EV_MSG_END, None), (ws.EV_PING, b"hb"),
            (ws.EV_MSG_START, False), (ws.EV_MSG_DATA, data), (ws.EV_MSG_END, None),
            (ws.EV_MSG_START, True), (ws.EV_MSG_DATA, text), (ws.EV_MSG_END, None),
            (ws.EV_MSG_START, False), (ws.EV_MSG_DATA, b"tail"), (ws.EV_MSG_END, None)]
    for size in (1, 7, 100, 1024, 2048, 8000):
        p = proto(streaming=True)
        got = feed_pieces(p, stream, size)
        assert got == want, size
        assert p.failure is None and not p._msg_len
    # taken: the bulk of a binary frame; not taken: its end, message mode, checked text, a waiting event
    p = proto(streaming=True)
    p.receive_data(frame(2, data)[:10])
    assert p.events()[0][0] == ws.EV_MSG_START
    assert p.receive_piece(memoryview(data)[: len(data) - 10]) is True
    assert p.receive_piece(data[-10:]) is False  # the frame ends here: receive_data() reports it
    p.receive_data(data[-10:])
    assert [e[0] for e in p.events()] == [ws.EV_MSG_DATA, ws.EV_MSG_END]
    p = proto()
    p.receive_data(frame(2, data)[:10])
    assert p.receive_piece(data[:100]) is False
    p = proto(streaming=True)
    p.receive_data(frame(1, text)[:10])
    assert p.receive_piece(text[:100]) is False
    p = proto(streaming=True)
    p.receive_data(frame(2, data)[:10])  # EV_MSG_START not taken yet
    assert p.receive_piece(data[:100]) is False
    # the message limit is checked from the header, before any piece
    p = proto(streaming=True, max_message=1000)
    p.receive_data(frame(2, data)[:10])
    assert p.failure.close_code == 1009 and p.receive_piece(data[:100]) is False


def test_message_pieces_make_the_same_frame_as_send_message():
    # The header, then the payload masked piece by piece in one small buffer: joined, the pieces are
    # exactly the frame send_message() builds (same key), for buffers whose size is no multiple of 4.
    from microhttpc.errors import ConnectionClosed
    from microhttpc.wspieces import message_pieces

    data = bytes(range(256)) * 3 + b"tail"
    for n in (1, 3, 4, 5, 125, 126, 300, 772):
        for size in (4, 5, 7, 64, 65, 1000):
            buf = bytearray(size)
            pieces = [bytes(x) for x in message_pieces(proto(), 2, data[:n], buf)]
            whole = proto()
            whole.send_message(2, data[:n])
            assert b"".join(pieces) == bytes(whole.data_to_send()[0]), (n, size)
            assert all(len(x) <= (size & ~3) for x in pieces[1:]), (n, size)
    p = proto()
    p.send_start(True)
    raises(UsageError, lambda: list(message_pieces(p, 1, b"x" * 100, bytearray(8))))
    p = proto()
    p.receive_data(frame(8, b"\x03\xe8"))
    raises(ConnectionClosed, lambda: list(message_pieces(p, 1, b"x" * 100, bytearray(8))))


class _NoHeapAtEof(ws.Protocol):
    """Storing close_rcvd fails, as the growth of the attribute table does when the heap is gone."""

    @property
    def close_rcvd(self):
        return None

    @close_rcvd.setter
    def close_rcvd(self, value):
        raise MemoryError


def test_eof_without_heap_still_ends_the_connection():
    # The end of a connection after an out-of-memory fault: receive_eof() raises nothing (a second
    # MemoryError from close() broke the "reported once" contract), the state is CLOSED and the code
    # reads as 1006.
    from microhttpc.wsession import WSCore

    p = _NoHeapAtEof(rng=lambda n: b"\x01\x02\x03\x04")
    p.receive_eof()
    assert p.eof and p.state == ws.CLOSED and p.closed
    e = p.closed_error()
    assert e.code == ws.CLOSE_ABNORMAL and e.reason == ""
    core = WSCore()
    core.protocol = p
    assert core.close_code == ws.CLOSE_ABNORMAL
    p = proto()
    p.receive_eof()  # with heap: the same outcome, and the event
    assert p.close_rcvd == (ws.CLOSE_ABNORMAL, "") and list(p.events()) == [(ws.EV_CLOSE, ws.CLOSE_ABNORMAL, "")]
