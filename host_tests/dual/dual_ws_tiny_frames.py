"""A message sent in tiny frames through the three I/O layers (pumps_ws).  (A module of its own, from
dual_ws_large: a test module's code stays in the heap while its test runs, and poll's case passed
MicroPython's 128 KiB with 256 bytes to spare there.)"""

from pumps_ws import connect_ws, per_layer, raw_server


def _tiny_frames(layer):
    # A 4,000-byte message in frames of 3 bytes, then of 16: the layers that queue a whole message
    # (poll, aio) built a buffer per frame, ~100 bytes of heap each (MemoryError on MicroPython, the
    # connection dropped); the frames are in one buffer now (9 bytes per 3), and the blocking layer
    # writes one at a time.  /pause reads them (after a second), checks each frame and answers each
    # message with its size; the frames' bytes are dual_ws_core's test.
    import gc

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/pause", max_message=1 << 16)
    data = bytes(range(250)) * 16
    for fs in (3, 16):
        gc.collect()
        ws.send(data, frame_size=fs)
        assert ws.recv(10) == "got 4000", (layer, fs)
    ws.close()


per_layer(globals(), "message_in_tiny_frames", _tiny_frames)
