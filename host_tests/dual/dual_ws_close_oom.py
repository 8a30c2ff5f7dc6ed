"""close() with no heap left to take the server's Close frame: it raises the MemoryError once the
socket is closed, and on_close says 1006 (README, "Out of memory").  The protocol turned that
MemoryError into a 1009 fault of its own (LimitExceeded, "message of 0+ bytes"), which close() took for
one already reported: close() returned as if all went well, close_code 1006 (found by an outside check
of the README's memory figures: the demo session failed at its own heap size; blocking and asyncio
layers, 13-24 free-heap levels of 250).  Here the Close frame's buffer raises it, on both runtimes."""

from check import raises, server


def _no_heap_for_the_servers_close(ws_protocol):
    from microhttpc import rfc6455

    def no_heap(*a):
        if not a and ws_protocol().state != rfc6455.OPEN:  # (the buffer of a control frame, once closing)
            raise MemoryError
        return bytearray(*a)

    rfc6455.bytearray = no_heap


def test_blocking_close_with_no_heap_for_the_servers_close_raises_it():
    import microhttpc
    from microhttpc import rfc6455

    h, p = server("http")
    closes = []
    ws = microhttpc.ws_connect("ws://%s:%d/ws" % (h, p), timeout=5, on_close=lambda c, r: closes.append(c))
    ws.send("hi")
    assert ws.recv(5) == "hi"
    _no_heap_for_the_servers_close(lambda: ws.protocol)
    try:
        raises(MemoryError, ws.close)
    finally:
        del rfc6455.bytearray
    assert ws.closed and ws.close_code == 1006 and closes == [1006], (ws.close_code, closes)


def test_aio_close_with_no_heap_for_the_servers_close_raises_it():
    import asyncio

    from microhttpc import aio, rfc6455

    async def main():
        h, p = server("http")
        closes = []
        ws = await aio.ws_connect("ws://%s:%d/ws" % (h, p), timeout=5, on_close=lambda c, r: closes.append(c))
        await ws.send("hi")
        assert await ws.recv(5) == "hi"
        _no_heap_for_the_servers_close(lambda: ws.protocol)
        try:
            try:
                await ws.close()
                raise AssertionError("close() returned")
            except MemoryError:
                pass
        finally:
            del rfc6455.bytearray
        assert ws.closed and ws.close_code == 1006 and closes == [1006], (ws.close_code, closes)

    asyncio.run(main())


# The blocking close(): a MemoryError met as the wait for the server's Close begins (its deadline, or on
# a board its call frame: outside that wait's own handler) came out of close() after on_close(1006),
# with the socket still open (an outside hunt).  The socket is closed before it comes out now.


def test_close_out_of_memory_as_its_wait_begins_closes_the_socket():
    import microhttpc.websocket as wsmod
    from microhttpc import ws_connect

    seen = []
    h, p = server("ws")
    w = ws_connect("ws://%s:%d/" % (h, p), timeout=5, on_close=lambda code, reason: seen.append(code))
    w.send("a")
    assert w.recv(3) == "a"
    real = wsmod.deadline
    calls = [0]

    def deadline(t):
        calls[0] += 1
        if calls[0] == 2:  # (the first: close()'s own, for the Close's writes; the second: the wait's)
            raise MemoryError
        return real(t)

    wsmod.deadline = deadline
    try:
        raises(MemoryError, w.close)
    finally:
        wsmod.deadline = real
    assert w.closed and seen == [1006], (w.closed, seen)
    w.close()  # (told once: nothing more)
    assert seen == [1006], seen


def test_aio_close_out_of_memory_as_its_wait_begins_closes_the_socket():
    # The same on asyncio: there the wait is a coroutine, whose object (on a board, from the heap) is
    # made when close() calls it, outside the wait's own handler; close() raised the MemoryError after
    # on_close(1006) with the socket still open (a second close() closed it).
    import asyncio

    from microhttpc import aio, aiows

    seen = []

    def no_heap(*a, **kw):
        raise MemoryError

    async def main():
        h, p = server("ws")
        w = await aio.ws_connect("ws://%s:%d/" % (h, p), timeout=5, on_close=lambda code, reason: seen.append(code))
        await w.send("a")
        assert await w.recv(3) == "a"
        real = aiows.WebSocket._wind_down
        aiows.WebSocket._wind_down = no_heap
        try:
            await w.close()
            got = None
        except MemoryError as exc:
            got = exc
        finally:
            aiows.WebSocket._wind_down = real
        assert isinstance(got, MemoryError) and w.closed and seen == [1006], (got, w.closed, seen)
        await w.close()  # (told once: nothing more)
        assert seen == [1006], seen

    asyncio.run(main())
