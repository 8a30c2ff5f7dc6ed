"""Sending (HTTPc_WebSockSend): whole messages, fragmentation at a frame size, streamed messages of
unknown length from an iterator or a callback (HTTPc's dynamic mode), control frames between
fragments, and one write per frame.  The websockets server reassembles and echoes; the raw server's
/record path describes every frame it got as "fin opcode length"."""

from microhttpc import ws_connect
from microhttpc.errors import UsageError
from check import raises, url


class CountingStream:
    """Wraps the real stream to count writes (the bytes still go to the real server)."""

    def __init__(self, stream):
        self.s = stream
        self.writes = []

    def sendall(self, data, timeout=-1):
        self.writes.append(len(data))
        self.s.sendall(data, timeout)

    def __getattr__(self, name):
        return getattr(self.s, name)


def frames_seen(ws, n):
    return [ws.recv() for _ in range(n)]


def test_fragmented_at_frame_size_one_write_per_frame():
    ws = ws_connect(url("ws", "wsraw", "/record"), timeout=10, frame_size=4)
    cs = CountingStream(ws.stream)
    ws.stream = cs
    ws.send(b"abcdefghij")
    assert frames_seen(ws, 3) == ["0 2 4", "0 0 4", "1 0 2"]
    assert cs.writes == [4 + 6, 4 + 6, 2 + 6]  # header (2) + mask key (4) + payload, one write each
    ws.send("hé", frame_size=100)  # per-call override
    assert frames_seen(ws, 1) == ["1 1 3"]
    ws.close()


def test_control_frames_between_fragments():
    pongs = []
    ws = ws_connect(url("ws", "wsraw", "/record"), timeout=10, on_pong=pongs.append)
    ws.send_start(is_text=True)
    ws.send_fragment("frag")
    ws.ping(b"between")
    ws.send_fragment(b"men")
    ws.pong(b"unsolicited")
    ws.send_end("ted")
    # The server answers the PING with a PONG (our on_pong) and reports the unsolicited PONG; /record
    # describes the data frames: the message went on around the control frames.
    got = frames_seen(ws, 4)
    assert got == ["0 1 4", "0 0 3", "got pong unsolicited", "1 0 3"], got
    assert pongs == [b"between"]
    ws.close()


def test_streamed_message_reassembled_by_the_reference_server():
    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    pieces = [b"one,", b"two,", b"three"]
    ws.send_stream(iter(pieces))
    assert ws.recv() == b"one,two,three"
    # A callback returning chunks until an empty one: HTTPc's dynamic mode.
    left = ["κό", "σμε", ""]
    ws.send_stream(lambda: left.pop(0).encode(), is_text=True)
    assert ws.recv() == "κόσμε"
    # A generator, split at frame_size.
    ws.frame_size = 3

    def gen():
        for i in range(5):
            yield b"%d-" % i

    ws.send_stream(gen())
    assert ws.recv() == b"0-1-2-3-4-"
    ws.frame_size = None
    ws.close()


def test_streamed_message_frames_on_the_wire():
    ws = ws_connect(url("ws", "wsraw", "/record"), timeout=10)
    ws.send_stream([b"ab", b"", b"cde"])  # empty chunks are skipped; the end is an empty FIN frame
    assert frames_seen(ws, 3) == ["0 2 2", "0 0 3", "1 0 0"]
    ws.close()


def test_large_message_fragmented_echoed():
    # Sizes stay small: on the 128 KiB MicroPython heap, after the package and this module, the largest
    # free block is only a few KiB (whole messages need one contiguous buffer; big ones are streamed).
    ws = ws_connect(url("ws", "ws", "/"), timeout=10, frame_size=300)
    data = bytes(range(256)) * 4
    ws.send(data)
    assert ws.recv() == data
    text = "ünïcödé " * 60
    ws.send(text)
    assert ws.recv() == text
    ws.close()


def test_send_usage_errors():
    ws = ws_connect(url("ws", "ws", "/"), timeout=10)
    raises(UsageError, ws.send_fragment, b"x")  # no send_start()
    ws.send_start()
    raises(UsageError, ws.send, "whole message while streaming")
    raises(UsageError, ws.send_start)
    ws.send_end(b"done")
    assert ws.recv() == b"done"
    raises(UsageError, ws.ping, b"x" * 126)
    raises(UsageError, ws.pong, b"x" * 126)
    ws.ping(b"x" * 125)
    ws.close()
