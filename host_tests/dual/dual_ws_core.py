"""Sans-I/O RFC 6455 core, fed bytes directly (server frames built here, unmasked)."""

import sys

from microhttpc.rt import MICROPYTHON
from microhttpc import rfc6455 as ws
from microhttpc import handshake as hs
from microhttpc import mask, utf8
from microhttpc.errors import UsageError
from check import raises


def frame(op, payload=b"", fin=True, rsv=0, masked=False, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | op
    if n < 126:
        head = bytes((b0, (0x80 if masked else 0) | n))
    elif n < 65536:
        head = bytes((b0, (0x80 if masked else 0) | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((b0, (0x80 if masked else 0) | 127)) + n.to_bytes(8, "big")
    if masked:
        head += b"\x00\x00\x00\x00"
    return head + payload


def run(data, step=None, **kw):
    p = ws.Protocol(rng=lambda n: b"\x01\x02\x03\x04"[:n], **kw)
    events = []
    if step is None:
        p.receive_data(data)
    else:
        for i in range(0, len(data), step):
            p.receive_data(data[i : i + step])
    for ev in p.events():
        if ev[0] == ws.EV_MSG_DATA:
            ev = (ev[0], bytes(ev[1]), ev[2])
        events.append(ev)
    return p, events


def unmask_frames(buffers):
    """Decode client frames (masked) into (fin, opcode, payload) triples."""
    out = []
    data = b"".join(bytes(b) for b in buffers)
    pos = 0
    while pos < len(data):
        b0, b1 = data[pos], data[pos + 1]
        assert b1 & 0x80, "client frames must be masked"
        n = b1 & 0x7F
        pos += 2
        if n == 126:
            n = int.from_bytes(data[pos : pos + 2], "big")
            pos += 2
        elif n == 127:
            n = int.from_bytes(data[pos : pos + 8], "big")
            pos += 8
        key = data[pos : pos + 4]
        pos += 4
        payload = bytearray(data[pos : pos + n])
        mask.mask_plain(payload, 0, n, key)
        out.append((bool(b0 & 0x80), b0 & 0x0F, bytes(payload)))
        pos += n
    return out


def test_messages_whole_bytewise_and_split():
    stream = (frame(1, b"hello") + frame(2, b"\x00\xff" * 100, fin=False) + frame(9, b"p")
              + frame(0, b"tail") + frame(1, "κόσμε".encode()))
    want = [(ws.EV_TEXT, "hello", None), (ws.EV_PING, b"p", None),
            (ws.EV_BINARY, b"\x00\xff" * 100 + b"tail", None), (ws.EV_TEXT, "κόσμε", None)]
    for step in (None, 1, 2, 3, 5, 13):
        p, events = run(stream, step)
        assert events == want, (step, events)
        sent = unmask_frames(p.data_to_send())
        assert sent == [(True, 0xA, b"p")]  # the automatic PONG
    for cut in range(1, len(stream)):
        p = ws.Protocol()
        p.receive_data(stream[:cut])
        p.receive_data(stream[cut:])
        assert list(p.events()) == want, cut


def test_length_encodings_16_and_64_bit():
    for n in (0, 125, 126, 127, 8000):
        p, events = run(frame(2, b"x" * n), step=4096, max_message=None)
        assert events == [(ws.EV_BINARY, b"x" * n, None)], n
    # 16- and 64-bit lengths of big frames, streamed so a board-sized heap holds the test.
    for n in (65535, 65536, 200000):
        p = ws.Protocol(streaming=True, max_message=None)
        p.receive_data(frame(2, b"", length=n))
        assert list(p.events()) == [(ws.EV_MSG_START, False, n)]
        chunk = memoryview(b"y" * 4096)
        left = n
        got = 0
        kinds = set()
        while left:
            k = min(left, len(chunk))
            p.receive_data(chunk[:k])
            left -= k
            for e in p.events():  # drained as they come: data events are views of the input
                kinds.add(e[0])
                if e[0] == ws.EV_MSG_DATA:
                    got += len(e[1])
        assert got == n and ws.EV_MSG_END in kinds


def test_streaming_events():
    stream = frame(1, b"ab", fin=False) + frame(0, b"cd", fin=False) + frame(0, b"e")
    p, events = run(stream, step=1, streaming=True, max_message=None)
    assert events[0] == (ws.EV_MSG_START, True, None)
    assert b"".join(e[1] for e in events if e[0] == ws.EV_MSG_DATA) == b"abcde"
    assert events[-1] == (ws.EV_MSG_END, None, None)
    p, events = run(frame(2, b"xyz"), streaming=True)
    assert events[0] == (ws.EV_MSG_START, False, 3)


def expect_fail(data, code, step=None, **kw):
    p, events = run(data, step, **kw)
    assert p.failure is not None, "no failure for %r" % (data[:20],)
    assert p.failure.close_code == code, (p.failure, code)
    sent = unmask_frames(p.data_to_send())
    assert sent[-1][1] == 8 and int.from_bytes(sent[-1][2][:2], "big") == code
    assert p.state == ws.CLOSING
    return p


def test_protocol_faults_map_to_close_codes():
    cases = (
        (frame(1, b"x", rsv=0x40), 1002),
        (frame(3, b""), 1002),
        (frame(0xB, b""), 1002),
        (frame(9, b"x" * 126), 1002),
        (frame(9, b"", fin=False), 1002),
        (frame(0, b"x"), 1002),
        (frame(1, b"a", fin=False) + frame(1, b"b"), 1002),
        (frame(1, b"x", masked=True), 1002),
        (frame(8, b"\x03"), 1002),
        (frame(8, b"\x03\xe7"), 1002),  # 999
        (frame(8, b"\x03\xed"), 1002),  # 1005 may not be sent
        (frame(8, b"\x03\xe8\xff"), 1007),
        (frame(1, b"\xce\xba\xff"), 1007),
        (frame(1, b"\xce"), 1007),  # ends inside a sequence
        (bytes((0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1)), 1002),  # 2^63 and above
    )
    for data, code in cases:
        for step in (None, 1):
            expect_fail(data, code, step)


def test_invalid_utf8_detected_fast_mid_message():
    # The first fragment is already invalid: fail before the message (or even the frame) ends.
    p, events = run(frame(1, b"ok\xf4\x90", fin=False)[:6])
    assert p.failure is not None and p.failure.close_code == 1007
    # A sequence split across fragments is fine.
    p, events = run(frame(1, b"\xce", fin=False) + frame(0, b"\xba"))
    assert events == [(ws.EV_TEXT, "κ", None)]


def test_limits_checked_from_the_header():
    # Only the header of a 1 MiB frame arrives: the limit trips before any payload is stored.
    head = frame(2, b"", length=1 << 20)
    expect_fail(head, 1009, max_message=1024)
    expect_fail(frame(2, b"a" * 600, fin=False) + frame(0, b"", length=600), 1009, max_message=1000)
    expect_fail(frame(2, b"", length=5000), 1009, max_frame=4096, max_message=None)


def test_close_from_server_is_echoed():
    p, events = run(frame(8, b"\x03\xe8bye"))
    assert events == [(ws.EV_CLOSE, 1000, "bye")]
    assert unmask_frames(p.data_to_send()) == [(True, 8, b"\x03\xe8")]
    assert p.state == ws.CLOSED
    p, events = run(frame(8, b""))
    assert events == [(ws.EV_CLOSE, 1005, "")]
    assert unmask_frames(p.data_to_send()) == [(True, 8, b"")]


def test_close_from_client_and_eof():
    p = ws.Protocol()
    p.send_close(1000, "done")
    assert p.state == ws.CLOSING
    assert unmask_frames(p.data_to_send()) == [(True, 8, b"\x03\xe8done")]
    raises(Exception, p.send_text, "late")
    p.receive_data(frame(8, b"\x03\xe8"))
    assert list(p.events()) == [(ws.EV_CLOSE, 1000, "")]
    assert list(p.data_to_send()) == []  # no second Close
    p = ws.Protocol()
    p.receive_eof()
    assert list(p.events()) == [(ws.EV_CLOSE, 1006, "")]
    assert p.closed_error().code == 1006


def test_send_validation_and_fragmentation():
    p = ws.Protocol(rng=lambda n: b"\x10\x20\x30\x40")
    raises(UsageError, p.send_close, 1005)
    raises(UsageError, p.send_close, 999)
    raises(UsageError, p.send_ping, b"x" * 126)
    raises(UsageError, p.send_close, 1000, "r" * 124)
    raises(UsageError, p.send_close, 1000, b"bytes")
    if not MICROPYTHON:  # (MicroPython's str holds any bytes: "\udc80" is ED B2 80 there)
        raises(UsageError, p.send_close, 1000, "bye\udc80")  # (was UnicodeEncodeError)
    p.send_binary(b"abcdefghij", frame_size=4)
    out = p.data_to_send()
    assert len(out) == 1  # every frame of the message in one buffer
    assert unmask_frames(out) == [(False, 2, b"abcd"), (False, 0, b"efgh"), (True, 0, b"ij")]
    text = bytes(range(48, 123)) * 6  # frames of 200, 200 (16-bit lengths) and 50 bytes
    p.send_text(text.decode(), frame_size=200)
    out = p.data_to_send()
    assert len(out) == 1 and len(out[0]) == 450 + 8 + 8 + 6
    assert unmask_frames(out) == [(False, 1, text[:200]), (False, 0, text[200:400]), (True, 0, text[400:])]
    p.send_start(True)
    p.send_fragment(b"he")
    p.send_ping(b"between")
    p.send_end(b"llo")
    assert unmask_frames(p.data_to_send()) == [(False, 1, b"he"), (True, 9, b"between"), (True, 0, b"llo")]


def test_fresh_mask_per_frame():
    p = ws.Protocol()
    p.send_text("a")
    p.send_text("a")
    f1, f2 = p.data_to_send()
    assert f1[2:6] != f2[2:6] or f1[2:6] != b"\x00\x00\x00\x00"


def test_mask_kernels_agree():
    key = b"\x9a\x3c\x01\xfe"
    variants = [mask.mask_plain, mask.mask]
    if sys.implementation.name == "micropython":
        if mask.mask_viper is not None:  # machine code from _viper (a build with -march)
            variants.append(mask.mask_viper)
    else:  # CPython's kernels (never loaded on a board)
        from microhttpc import _cpython

        variants += [_cpython.mask_bigint, _cpython.mask_translate]
        # a memoryview (a lent frame buffer) has no translate(): the big-integer XOR does it
        variants.append(lambda b, s, e, k: _cpython.mask_translate(memoryview(b), s, e, k))
    for n in list(range(0, 34)) + [63, 64, 65, 127, 128, 129, 1000, 1023]:
        for start in (0, 1, 2, 3, 5, 6, 7):
            ref = None
            for fn in variants:
                b = bytearray(bytes(range(256)) * 5)
                fn(b, start, start + n, key)
                if ref is None:
                    ref = bytes(b)
                assert bytes(b) == ref, (fn, n, start)
    # a lent frame buffer is a memoryview, whose data may start anywhere: the native kernel aligns its
    # 32-bit words on the address, whatever the view's offset
    for off in (1, 2, 3):
        for n in (3, 4, 5, 17, 64, 1001):
            ref = None
            for fn in variants:
                b = bytearray(bytes(range(256)) * 5)
                fn(memoryview(b)[off:], 2, 2 + n, key)
                if ref is None:
                    ref = bytes(b)
                assert bytes(b) == ref, (fn, off, n)


def test_native_kernels_chosen_when_built():
    # On MicroPython the WebSocket core, mask and utf8 use _viper's machine code whenever it loads
    # (the tests build it for this machine's CPU when mpy-cross knows it); else the plain loops.
    if sys.implementation.name != "micropython":
        assert ws._mask is mask.mask and ws._valid is utf8.validate
        return
    try:
        from microhttpc import _viper
    except ImportError:
        assert mask.mask is mask.mask_plain and utf8.validate is utf8.validate_plain
        assert ws._mask is mask.mask_plain and ws._valid is utf8.validate_plain
        return
    assert mask.mask is _viper.mask and mask.mask_viper is _viper.mask and utf8.validate is _viper.validate
    assert ws._mask is _viper.mask and ws._valid is _viper.validate


def test_utf8_validators_agree():
    samples = [b"plain", "κόσμε".encode(), b"\xed\x9f\xbf", b"\xed\xa0\x80", b"\xf4\x8f\xbf\xbf",
               b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x90\x80\x80", b"\xff", b"\xc2",
               b"x" * 40 + b"\xed\xa0\x80" + b"y" * 9, "a€b".encode() * 7, b"x" * 30 + b"\xf0\x9f\x98"]
    for s in samples:
        for cut in range(len(s) + 1):
            a = utf8.validate_plain(s[:cut], 0)
            a = a if a == -1 else utf8.validate_plain(s[cut:], a)
            b = utf8.validate(s[:cut], 0)
            b = b if b == -1 else utf8.validate(s[cut:], b)
            assert (a == -1) == (b == -1) and (a == 0) == (b == 0), (s, cut, a, b)


def test_handshake_accept_value():
    # The example of RFC 6455 section 1.3.
    assert hs.accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    from microhttpc.sha1 import sha1

    assert sha1(b"abc").hex() == "a9993e364706816aba3e25717850c26c9cd0d89d"


def test_lent_tx_buffer_builds_frames_in_place():
    p = ws.Protocol(rng=lambda n: b"\x10\x20\x30\x40")
    p.tx_buffer = bytearray(64 + 14)
    p.send_text("small")
    (f,) = p.data_to_send()
    assert isinstance(f, memoryview)  # built in the lent buffer, no allocation
    assert unmask_frames([f]) == [(True, 1, b"small")]
    p.send_text("a")
    p.send_text("b")  # something is queued: the second frame gets its own buffer
    f1, f2 = p.data_to_send()
    assert isinstance(f1, memoryview) and isinstance(f2, bytearray)
    assert unmask_frames([f1, f2]) == [(True, 1, b"a"), (True, 1, b"b")]
    p.send_binary(b"x" * 100)  # larger than the lent buffer
    (f,) = p.data_to_send()
    assert isinstance(f, bytearray) and unmask_frames([f]) == [(True, 2, b"x" * 100)]
