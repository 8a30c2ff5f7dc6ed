"""Sans-I/O RFC 6455 core, part 4: the one-read paths of the common small message.

``Protocol.single`` takes a read that is one small whole frame and returns its message without events;
``Protocol.frame`` builds a whole message's frame and returns it instead of queueing it.  Each must
give exactly what the general path gives, or decline (None) and leave the protocol as it was, so that
the general path then applies every rule."""

import sys

from microhttpc import rfc6455 as ws
from microhttpc.errors import LimitExceeded, UsageError
from check import raises
from dual_ws_core3 import drain, frame, unmask_frames


def proto(**kw):
    return ws.Protocol(rng=lambda n: b"\x01\x02\x03\x04", **kw)


def general(data, **kw):
    """The events the general path makes of ``data`` on a fresh protocol."""
    p = proto(**kw)
    p.receive_data(data)
    return drain(p, [])


def test_single_gives_the_message_the_events_give():
    for n in (0, 1, 16, 124, 125, 126, 127, 1000, 4000):
        for op, msg in ((1, "é" * (n // 2) + "x" * (n % 2)), (2, (bytes(range(256)) * 16)[:n])):
            data = frame(op, msg.encode() if op == 1 else msg)
            buf = bytearray(data) + b"garbage after the read"  # (a receive buffer, read into its start)
            p = proto()
            got = p.single(memoryview(buf), len(data))
            assert got == msg and type(got) is type(msg), (n, op, got)
            assert general(data) == [(ws.EV_TEXT if op == 1 else ws.EV_BINARY, msg, None)]
            # nothing is left behind: the next read goes on from a clean state, either way
            assert list(p.events()) == [] and not p.more_input() and list(p.data_to_send()) == []
            p.receive_data(frame(1, b"next"))
            assert drain(p, []) == [(ws.EV_TEXT, "next", None)]


def test_single_declines_what_is_not_one_small_whole_frame():
    cases = [
        frame(1, b"a") + frame(1, b"b"),  # two frames in one read
        frame(1, b"ab")[:-1],  # a frame cut short
        frame(1, b"x" * 126)[:-1],  # a 16-bit length, cut short
        bytes((0x81, 127)) + (130).to_bytes(8, "big") + b"x" * 130,  # a 64-bit length
        bytes((0x81, 126, 0, 5)) + b"abcde",  # a 16-bit length field that is not the read's
        frame(1, b"abc", fin=False),  # the first fragment of a message
        frame(9, b"ping"),  # a control frame
        frame(8, b"\x03\xe8"),
        bytes((0xC1, 3)) + b"abc",  # RSV1 set
        bytes((0x81, 0x83)) + b"\x00\x00\x00\x00abc",  # masked (a server must not mask)
        frame(1, b"\xed\xa0\x80"),  # a UTF-16 surrogate: invalid UTF-8
        frame(3, b"abc"),  # a reserved opcode
        b"\x81",  # a header cut short
    ]
    for data in cases:
        p = proto()
        assert p.single(memoryview(data), len(data)) is None, data
        # the protocol is untouched: the general path gives what it gives a fresh one
        p.receive_data(data)
        g = proto()
        g.receive_data(data)
        assert drain(p, []) == drain(g, []), data
        assert type(p.failure) is type(g.failure) and p.state == g.state, data


def test_single_declines_while_the_protocol_holds_something():
    msg = frame(1, b"hello")

    def fed(*reads, **kw):
        p = proto(**kw)
        for r in reads:
            p.receive_data(r)
        return p

    states = {
        "header pending": fed(frame(2, b"x" * 200)[:1]),
        "inside a frame": fed(frame(2, b"x" * 200)[:50]),
        "fragmented message": fed(frame(1, b"ab", fin=False)),
        "events not taken": fed(frame(1, b"first")),
        "backlog": fed(frame(1, b"a") + frame(1, b"b") + frame(1, b"c"), max_events=1),
        "closing": fed(frame(8, b"\x03\xe8")),
        "streaming": proto(streaming=True),
        "over max_message": proto(max_message=4),
        "over max_frame": proto(max_frame=4),
    }
    for name, p in states.items():
        assert p.single(memoryview(msg), len(msg)) is None, name
    # what single() declined, the general path orders behind what was held
    p = states["events not taken"]
    p.receive_data(msg)
    assert [e[1] for e in drain(p, [])] == ["first", "hello"]
    p = states["over max_message"]
    p.receive_data(msg)
    assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009


def test_single_with_the_utf8_check_off_leaves_text_to_the_general_path():
    data = frame(1, b"\xff\xfe")
    p = proto(check_utf8=False)
    assert p.single(memoryview(data), len(data)) is None
    p.receive_data(data)
    assert drain(p, []) == general(data, check_utf8=False)
    ok = frame(1, b"fine")
    assert proto(check_utf8=False).single(memoryview(ok), len(ok)) is None  # (no check: never str here)


def test_single_without_heap_declines_and_the_general_path_fails_with_1009():
    real_bytes, real_str = bytes, str

    def no_heap(make):
        def made(x, *args):
            if isinstance(x, memoryview):
                raise MemoryError
            return make(x, *args)

        return made

    for op in (1, 2):
        data = frame(op, b"q" * 100)
        p = proto()
        ws.bytes, ws.str = no_heap(real_bytes), no_heap(real_str)
        try:
            assert p.single(memoryview(data), len(data)) is None  # (no MemoryError out of it)
            p.receive_data(data)
        finally:
            del ws.bytes, ws.str
        assert isinstance(p.failure, LimitExceeded) and p.failure.close_code == 1009


def test_frame_builds_what_send_message_queues():
    # (the 64-bit length on CPython: three copies of 64 KiB do not fit the test's 128K heap)
    sizes = (0, 1, 125, 126, 4000) + ((65535, 65536) if sys.implementation.name != "micropython" else ())
    for n in sizes:
        for op in (ws.OP_TEXT, ws.OP_BINARY):
            data = (bytes(range(256)) * (n // 256 + 1))[:n]
            a = proto()
            a.send_message(op, data)
            queued = [bytes(b) for b in a.data_to_send()]
            got = proto().frame(op, data)
            assert [bytes(got)] == queued, (n, op)
            assert unmask_frames([got]) == [(True, op, data)]


def test_frame_uses_the_lent_buffer_when_it_fits():
    p = proto()
    p.tx_buffer = bytearray(64 + 14)
    small = p.frame(ws.OP_BINARY, b"x" * 72)
    assert isinstance(small, memoryview) and unmask_frames([small]) == [(True, 2, b"x" * 72)]
    big = p.frame(ws.OP_BINARY, b"y" * 73)  # (6 + 73 bytes: one more than the buffer)
    assert isinstance(big, bytearray) and unmask_frames([big]) == [(True, 2, b"y" * 73)]
    # the next frame in the lent buffer overwrites the last: the view of it now shows the new one
    p.frame(ws.OP_TEXT, b"z" * 72)
    assert unmask_frames([small]) == [(True, 1, b"z" * 72)]


def test_frame_declines_where_send_message_queues_or_refuses():
    p = proto()
    p.send_ping(b"hb")  # a frame queued before: it must go first
    assert p.frame(ws.OP_TEXT, b"a") is None
    p.send_message(ws.OP_TEXT, b"a")
    assert [f[1:] for f in unmask_frames(p.data_to_send())] == [(9, b"hb"), (1, b"a")]
    p.send_start(False)  # a streamed message being sent
    assert p.frame(ws.OP_TEXT, b"a") is None
    raises(UsageError, p.send_message, ws.OP_TEXT, b"a")
    p.send_end(b"")
    p.data_to_send()
    p.send_close(1000, "")
    assert p.frame(ws.OP_TEXT, b"a") is None  # closing: send_message says why
    raises(ws.ConnectionClosed, p.send_message, ws.OP_TEXT, b"a")
