"""A message given as a memoryview of 1-byte items that are not unsigned bytes (``array('b')``, CPython's
``cast('c')``) goes out as its bytes on every path: a lent buffer (``tx_buffer_size``) and, on CPython,
the messages of 64 KiB or more built in a buffer of their own raised a bare ValueError there (a frame is
built by assignment into a view of bytes).  Both runtimes."""

from array import array

from check import server


def _echo(ws_send, ws_recv, msg):
    ws_send(msg)
    return ws_recv()


def test_signed_bytes_through_lent_buffer():
    from microhttpc import ws_connect

    h, p = server("ws")
    ws = ws_connect("ws://%s:%d/" % (h, p), timeout=10, tx_buffer_size=256)
    try:
        assert _echo(ws.send, ws.recv, memoryview(array("b", [1, -2, 3]))) == b"\x01\xfe\x03"
        ws.send_start()
        ws.send_fragment(memoryview(array("b", [4])))
        ws.send_end(memoryview(array("b", [5])))
        assert ws.recv() == b"\x04\x05"
    finally:
        ws.close()


def test_large_char_view_cpython_buffers():
    import asyncio

    from microhttpc import aio, ws_connect
    from microhttpc.rt import MICROPYTHON

    if MICROPYTHON:  # (no cast(); its large messages are not built whole: the lent-buffer test covers it)
        return
    h, p = server("ws")
    big = memoryview(bytes(range(256)) * 300).cast("c")  # 76,800 bytes
    ws = ws_connect("ws://%s:%d/" % (h, p), timeout=10, max_message=1 << 20)
    try:
        assert _echo(ws.send, ws.recv, big) == big.tobytes()
    finally:
        ws.close()

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/" % (h, p), timeout=10, max_message=1 << 20)
        try:
            await ws.send(big)
            assert await ws.recv() == big.tobytes()
        finally:
            await ws.close()

    asyncio.run(main())


def test_send_stream_none_chunk_ends_it():
    # A None (or 0, []) among the chunks went by unsaid, the message sent without it; it is no str or
    # bytes: UsageError, and the connection ends (the message cannot be finished).  Empty ones: no frame.
    from microhttpc import ws_connect
    from microhttpc.errors import ConnectionClosed, UsageError

    h, p = server("ws")
    ws = ws_connect("ws://%s:%d/" % (h, p), timeout=10)
    ws.send_stream([b"a", b"", "", b"b"])
    assert ws.recv() == b"ab"
    for bad in (None, 0, []):
        try:
            ws.send_stream([b"a", bad, b"b"])
            raise AssertionError("no UsageError for %r" % (bad,))
        except UsageError:
            pass
        try:
            ws.send("after")
            raise AssertionError("still open")
        except ConnectionClosed:
            pass
        ws.close()
        ws = ws_connect("ws://%s:%d/" % (h, p), timeout=10)
    ws.close()


def test_odd_shaped_views_cpython():
    # A view of no dimension, or of zeros in its shape, or of two dimensions: its bytes (a bare TypeError
    # from the indexing before, or from the cast to bytes).
    from microhttpc import ws_connect
    from microhttpc.rt import MICROPYTHON

    if MICROPYTHON:  # (no cast() with a shape there)
        return
    h, p = server("ws")
    ws = ws_connect("ws://%s:%d/" % (h, p), timeout=10)
    try:
        for view, want in ((memoryview(bytearray(6)).cast("b", shape=[2, 3])[0:0], b""),
                           (memoryview(bytearray(b"a")).cast("B", shape=[]), b"a"),
                           (memoryview(bytearray(b"abcd")).cast("B", shape=[2, 2]), b"abcd")):
            ws.send(view)
            assert ws.recv() == want, want
    finally:
        ws.close()


def test_close_reason_with_a_lone_surrogate():
    # MicroPython encodes a lone surrogate (its "\ud800") as the bytes ED A0 80: the Close went out
    # with a reason that is not UTF-8 (CPython refused it).  Both refuse it now, and the connection
    # stays open (nothing was sent).
    from microhttpc.errors import UsageError
    from microhttpc.wsession import make_protocol

    from check import raises

    p = make_protocol()
    raises(UsageError, p.send_close, 1000, "ok\ud800")
    assert not p.data_to_send() and p.state == 1
    p.send_close(1000, "ok \u00e9")  # (valid text still goes)
    assert bytes(p.data_to_send()[0][:2]) == b"\x88\x87"  # (FIN + Close; masked, 2 + 5 bytes)
