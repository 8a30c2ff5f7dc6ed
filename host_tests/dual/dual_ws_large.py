"""Messages larger than the layer's receive buffer, through the three I/O layers (pumps_ws): the rest
of a one-frame message is read straight into the message (rfc6455 ``payload_room``); the bytes and
the UTF-8 checks are the same as through the receive buffer."""

from check import raises
from pumps_ws import connect_ws, per_layer, raw_server, sent_close_code


def _large_echo(layer):
    # Text with 2-byte sequences split anywhere between reads, binary of every byte value, then a
    # small one: each comes back whole and equal (the raw server echoes each frame as it came).
    import gc

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/echo", max_message=1 << 16)
    # (Sizes over the 2 KiB receive buffers, small enough for a 128K heap on MicroPython; collected
    # before each send, so that the test's own garbage does not fragment that heap.)
    text = "\u00e9t\u00e9 \u20ac " * 180  # 1440 characters, 2160 bytes of UTF-8
    data = bytes(range(256)) * 9  # 2304 bytes
    for msg in (text, data, "small", data[:2100], text):
        gc.collect()
        ws.send(msg)
        got = ws.recv(10)
        assert got == msg, (layer, len(got), len(msg))
    ws.close()


def _large_bad_utf8(layer):
    # Invalid UTF-8 at byte 7000 of an 8000-byte text message that arrives in two writes: Close 1007
    # on the wire, ConnectionClosed with cause InvalidUTF8 (no message handed out).
    from microhttpc.errors import ConnectionClosed, InvalidUTF8

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/bigbadutf8", max_message=1 << 16)
    e = raises(ConnectionClosed, ws.recv, 10)
    assert e.sent_code == 1007 and isinstance(e.cause, InvalidUTF8), (layer, e.sent_code, e.cause)
    assert sent_close_code(layer, "/bigbadutf8") == 1007


def _frame_size_keyword(layer):
    # frame_size= on the upgrade is the default of send() on every layer (the Engine refused it with
    # UsageError, "unknown keyword"); a send's own frame_size overrides it.  /record describes each
    # frame it gets as "fin opcode length".
    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/record", frame_size=4)
    ws.send(b"abcdefghij")
    assert [ws.recv(10) for _ in range(3)] == ["0 2 4", "0 0 4", "1 0 2"], layer
    ws.send("h\u00e9", frame_size=100)
    assert ws.recv(10) == "1 1 3", layer
    ws.close()


def _wide_memoryview_message(layer):
    # A memoryview of an array of 2-byte items is sent as its bytes (the frame said 2 bytes and 4
    # followed: the server failed the connection with 1002; MicroPython raised ValueError).
    from array import array

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/echo")
    ws.send(memoryview(array("h", [0x4241, 0x4443])))
    assert ws.recv(10) == b"ABCD", layer
    ws.close()


per_layer(globals(), "frame_size_keyword", _frame_size_keyword)
per_layer(globals(), "wide_memoryview_message", _wide_memoryview_message)
per_layer(globals(), "large_echo", _large_echo)
per_layer(globals(), "large_message_bad_utf8_is_1007", _large_bad_utf8)


def test_large_messages_reuse_their_buffers_on_cpython():
    # CPython: a message of 64 KiB or more is received into the buffer of the last one that fits and
    # sent from a frame buffer kept for the next (no fresh, page-faulted buffers per message); what
    # recv() returns is a copy, so an earlier message is unchanged by the next.  MicroPython keeps no
    # buffer between messages (smaller messages there: a board's heap).
    import gc

    from microhttpc.rt import MICROPYTHON

    h, p = raw_server()
    ws = connect_ws("blocking", h, p, "/echo", max_message=1 << 18)
    n = 9 if MICROPYTHON else 390  # x 256 bytes: 2304 (over the 2 KiB receive buffer) or 99840
    first = bytes(range(256)) * n
    second = bytes(range(255, -1, -1)) * n
    got = []
    for msg in (first, second, first[: len(first) - 1000]):
        gc.collect()
        ws.send(msg)
        got.append(ws.recv(10))
    assert got[0] == first and got[1] == second and got[2] == first[: len(first) - 1000]
    proto = ws.protocol
    if MICROPYTHON:
        assert proto._spare is None and proto.tx_buffer is None
    else:
        assert len(proto._spare) == len(first) and len(proto.tx_buffer) == len(first) + 14
    ws.close()
