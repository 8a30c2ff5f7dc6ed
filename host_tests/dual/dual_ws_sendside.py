"""The WebSocket's sending side and its end, the same on every layer (found by an outside hunt of the
send side): ``frame_size`` splits send_fragment()/send_end() too (asyncio and poll sent each piece as
one frame); a message larger than a lent buffer (``tx_buffer_size``) whose write failed ends the
connection (a bare TypeError, and the connection stayed open on a torn frame); a send_stream() callable
that raises StopIteration ends the message (a bare RuntimeError); poll: a close() in on_msg drops the
messages that came in the same read, and after a callback raised the WebSocket is CLOSED (sends went
on).  /record answers each frame it gets with "fin op len"; /noread reads nothing; /abc sends three
messages in one write."""

from check import raises
import pumps_ws

N = 5  # frames of 120 then 70 bytes at frame_size=50 (50 50 20, then 20 50 or 50 20)


def _check(got):
    """``got``: the "fin op len" of each frame: at most 50 bytes each, 190 in all, one message."""
    frames = [tuple(int(x) for x in g.split()) for g in got]
    assert len(frames) == N and all(n <= 50 for _, _, n in frames) and sum(n for _, _, n in frames) == 190, got
    assert [op for _, op, _ in frames] == [2, 0, 0, 0, 0] and [f for f, _, _ in frames] == [0, 0, 0, 0, 1], got


def _url(path):
    h, p = pumps_ws.raw_server()
    return "ws://%s:%d%s" % (h, p, path)


def test_frame_size_splits_fragments_blocking():
    from microhttpc import ws_connect

    ws = ws_connect(_url("/record"), timeout=5, frame_size=50)
    ws.send_start(False)
    ws.send_fragment(b"a" * 120)
    ws.send_end(b"b" * 70)
    _check([ws.recv(timeout=5) for _ in range(N)])
    ws.close()


def test_frame_size_splits_fragments_aio():
    import asyncio

    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(_url("/record"), timeout=5, frame_size=50)
        await ws.send_start(False)
        await ws.send_fragment(b"a" * 120)
        await ws.send_end(b"b" * 70)
        got = []
        for _ in range(N):  # (MicroPython: no await in a comprehension)
            got.append(await ws.recv(timeout=5))
        await ws.close()
        return got

    _check(asyncio.run(main()))


def test_frame_size_splits_fragments_poll():
    from microhttpc.poll import Engine

    h, p = pumps_ws.raw_server()
    e = Engine(timeout=5)
    got = []

    def on_open(ws):
        ws.send_start(False)
        ws.send_fragment(b"a" * 120)
        ws.send_end(b"b" * 70)

    ws = e.upgrade(e.connect(h, p), "/record", on_open=on_open, on_msg=got.append, frame_size=50)
    e.run(until=lambda: len(got) >= N, timeout=5)
    ws.close()
    e.run(timeout=5)
    _check(got)


def test_send_stream_callable_that_raises_stop_iteration_ends_the_message():
    from microhttpc import ws_connect

    ws = ws_connect(_url("/echo"), timeout=5)
    pieces = iter([b"from ", b"a callable"])
    ws.send_stream(lambda: next(pieces))  # (no empty last chunk)
    assert ws.recv(timeout=5) == b"from a callable"
    ws.close()


def test_failed_write_of_a_message_larger_than_the_lent_buffer_ends_the_connection():
    from microhttpc import ws_connect
    from microhttpc.errors import ConnectionClosed, TimeoutError

    ws = ws_connect(_url("/noread"), timeout=1, tx_buffer_size=256, close_timeout=1)
    data = bytes(20000)
    try:
        for _ in range(400):  # (the server reads nothing: the socket buffers fill, a write times out)
            ws.send(data)
        raise AssertionError("every send went out")
    except TimeoutError:
        pass
    assert ws.closed, "the connection stayed open on a torn frame"
    raises(ConnectionClosed, ws.send, b"x")


def test_poll_close_in_on_msg_drops_the_rest_of_the_read():
    from microhttpc.poll import Engine

    h, p = pumps_ws.raw_server()
    e = Engine(timeout=5)
    log = []
    ref = []

    def on_msg(m):
        log.append(m)
        ref[0].close()

    ref.append(e.upgrade(e.connect(h, p), "/abc", on_msg=on_msg, close_timeout=1,
                         on_close=lambda code, reason: log.append(code)))
    e.run(timeout=5)
    assert log[0] == "a" and "b" not in log and "c" not in log, log


def test_poll_websocket_closed_after_a_callback_raised():
    from microhttpc.errors import ConnectionClosed
    from microhttpc.poll import Engine

    h, p = pumps_ws.raw_server()
    e = Engine(timeout=5)
    errs = []

    def on_msg(m):
        raise ValueError("the application's bug")

    c = e.connect(h, p)
    ws = e.upgrade(c, "/echo", on_open=lambda w: w.send("hi"), on_msg=on_msg, on_err=errs.append)
    e.run(timeout=5)
    assert c.closed and len(errs) == 1 and isinstance(errs[0], ValueError), errs
    assert ws.state == 3 and ws.close_code == 1006, "the WebSocket stayed OPEN (%r)" % (ws.state,)
    raises(ConnectionClosed, ws.send, "x")
