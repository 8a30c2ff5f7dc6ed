"""A send cancelled with part of its frame written (MicroPython's asyncio layer: the connection ends,
nothing may follow a torn frame) closes the socket with a FIN, after the bytes the kernel still holds:
it reads what waits unread first.  A socket closed with input waiting is reset, and a reset drops
what the kernel had not sent yet, the frames of messages whose send() had returned (found by an
outside hunt: a 1 MB message sent before the torn one never reached the server).  CPython's
transport never tears a frame: the cancelled message goes whole, the connection goes on."""

MICROPYTHON_HEAP = "1M"  # the 300 KB message whose send is torn, and its frame
MICROPYTHON_HEAPS = {"test_a_torn_fragment_ends_the_websocket_at_once": "8M"}  # (a 3 MB fragment and its frame)

import time

from check import server
from pumps_ws import seen


def test_a_torn_send_ends_the_connection_with_a_fin():
    _torn({})


def test_a_torn_send_ends_the_connection_with_a_fin_with_a_keepalive():
    # (a keepalive writes a frame in pieces: a cancel between two closed the socket without the reads)
    _torn({"ping_interval": 20})


def _torn(kw):
    try:
        import asyncio
    except ImportError:
        import uasyncio as asyncio
    from microhttpc import aio
    from microhttpc.errors import HTTPCError

    h, p = server("wsraw")

    async def main():
        # /torn: a message 0.05 s after the 101 (left unread), and nothing read for a second
        ws = await aio.ws_connect("ws://%s:%d/torn" % (h, p), timeout=10, **kw)
        w = ws.conn._writer
        if hasattr(w, "setsockopt"):  # (MicroPython: the socket; a small send buffer, so the frame waits)
            w.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers)
        await asyncio.sleep(0.2)
        await ws.send(bytes(1000))
        try:
            await asyncio.wait_for(ws.send(bytes(300000)), 0.3)
        except asyncio.TimeoutError:
            pass
        try:
            await ws.close()
        except HTTPCError:
            pass

    asyncio.run(main())
    time.sleep(1.5)  # the server reads after its second
    got = seen("blocking", "/torn")
    assert got[:1] == ["2:1000"] and "end:reset" not in got, got  # (before: ["end:reset"], the 1000 bytes lost)


def test_lost_on_a_reset_socket_allocates_nothing():
    """aio's Connection.lost() reads what waits before it closes the socket: on a socket the server reset
    that read raises, and its handler made a tuple of exception classes (MicroPython builds one at the
    raise): with no heap, a MemoryError escaped before the socket was closed.  MicroPython: under
    heap_lock; CPython: the same call, the socket closed all the same."""
    try:
        import asyncio
    except ImportError:
        import uasyncio as asyncio
    import gc
    import sys

    from microhttpc import aio

    h, p = server("wsraw")

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=10)
        await asyncio.sleep(0.5)  # five messages, a Close and the reset, all in our socket
        conn = ws.conn
        gc.collect()
        if sys.implementation.name == "micropython":
            import micropython

            micropython.heap_lock()
            try:
                conn.lost()
            finally:
                micropython.heap_unlock()
        else:
            conn.lost()
        assert conn._reader is None and conn._writer is None

    asyncio.run(main())


def test_a_torn_fragment_ends_the_websocket_at_once():
    # A send_fragment() cancelled with part of its frame written (MicroPython) ended the connection, but
    # the WebSocket learnt of it at its next read: closed was False, and the next send() raised UsageError
    # ("a streamed message is being sent") for a connection already gone, not ConnectionClosed 1006 (an
    # outside cancellation hunt).  CPython's transport takes the frame whole: the message can be finished.
    try:
        import asyncio
    except ImportError:
        import uasyncio as asyncio
    import sys

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    h, p = server("wsraw")
    mp = sys.implementation.name == "micropython"

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/torn" % (h, p), timeout=10)
        w = ws.conn._writer
        if hasattr(w, "setsockopt"):
            w.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers)
        await ws.send_start()
        await ws.send_fragment(b"frag:")
        try:
            await asyncio.wait_for(ws.send_fragment(bytes(3000000)), 0.3)  # (300 KB went whole, at times)
        except asyncio.TimeoutError:
            pass
        if mp:
            assert ws.closed, "a torn frame left the WebSocket open"
            try:
                await ws.send("x")
                raise AssertionError("sent after a torn frame")
            except ConnectionClosed as exc:
                assert exc.code == 1006, exc
        else:
            assert not ws.closed
            await ws.send_end(b"end")
        await ws.close()

    asyncio.run(main())
