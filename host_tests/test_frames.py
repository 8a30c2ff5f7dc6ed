"""Call frames off the heap on the per-read paths (MicroPython).

MicroPython allocates a function's frame from the heap, at every call, when its state (locals, value
stack, 3 words per ``try``) is over 11 words; with much uncollected garbage in the heap that
allocation searches long.  A streamed WebSocket message goes through the functions below once per
read (a 1 MiB message: 512 reads of 2 KiB), so each of them must keep its frame on the C stack:
with them on the heap, the same 1 MiB echo took 26 ms in a 4 MiB heap and 127 ms in a 32 MiB one;
with them off it, 9 ms in both.  The sizes come from the bytecode of the compiled ``.mpy``
(tools/mpyframes.py; ``python tools/mpyframes.py`` lists every function with a heap frame)."""

import mpyframes

# the blocking WebSocket's poll()/recv() read step with streaming callbacks, one read each
PER_READ = {
    "websocket": ("WebSocket.poll", "WebSocket._read_once", "WebSocket._read", "WebSocket._recv",
                  "WebSocket._flush"),
    "wsession": ("WSCore._feed", "WSCore._piece", "WSCore._dispatch"),
    "rfc6455": ("Protocol.receive_piece", "Protocol.payload_room", "Protocol.more_input", "Protocol.events",
                "Protocol.data_to_send"),
    "net": ("Stream.recv_some", "Stream._readinto", "Stream._wait", "Stream.settimeout"),
    "rtio": ("remaining", "deadline"),
}

# the blocking WebSocket's recv() of a small message (its one-read path, Protocol.single), and of its
# send() the functions that catch nothing (those that catch what a write or a frame's allocation
# raises, the frame builder and the write of the stream keep theirs on the heap, one allocation each
# per message: splitting them took ~450 bytes more code for ~2 % of a 16-byte echo's rate)
SMALL_MESSAGE = {
    "websocket": ("WebSocket.send", "WebSocket.recv", "WebSocket._recv"),
    "wsession": ("payload",),
    "rfc6455": ("Protocol.frame", "Protocol.single", "_single", "Protocol.more_input"),
    "net": ("Stream.settimeout", "Stream.recv_some", "Stream._wait", "Stream._readinto"),
    "rtio": ("deadline",),
    "rt": ("seconds",),
}


def _heap_frames(table):
    frames = mpyframes.frames()
    big = {}
    for mod, names in table.items():
        for name in names:
            assert (mod, name) in frames, "no function %s.%s in the compiled package" % (mod, name)
            s, e = frames[(mod, name)]
            if mpyframes.on_heap(s, e):
                big["%s.%s" % (mod, name)] = mpyframes.words(s, e)
    return big


def test_per_read_functions_keep_their_frames_off_the_heap():
    big = _heap_frames(PER_READ)
    assert not big, "frames over %d words (from the heap at every call): %r" % (mpyframes.STACK_WORDS, big)


def test_small_message_functions_keep_their_frames_off_the_heap():
    big = _heap_frames(SMALL_MESSAGE)
    assert not big, "frames over %d words (from the heap at every call): %r" % (mpyframes.STACK_WORDS, big)


def test_the_frame_reader_sees_heap_frames():
    # The reader itself: functions known to need more than 11 words are reported as such (a reader
    # that read nothing would pass the test above).
    frames = mpyframes.frames()
    s, e = frames[("rfc6455", "Protocol.receive_data")]  # a try with ``except ... as``: 2 levels
    assert e == 2 and mpyframes.on_heap(s, e)
    s, e = frames[("websocket", "WebSocket.__init__")]  # 22 parameters
    assert s >= 22 and mpyframes.on_heap(s, e)
    s, e = frames[("rfc6455", "Protocol.more_input")]
    assert e == 0 and 2 <= s <= 4
