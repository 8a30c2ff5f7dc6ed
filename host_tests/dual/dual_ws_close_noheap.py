"""A blocking and an asyncio WebSocket's close() with no heap for its Close frame: on_close (1006) comes
at once, not at the next call.  (A module of its own, from dual_ws_send_oom: a test module's code stays
in the heap while its test runs, and this test passed MicroPython's 128 KiB with 512 bytes to spare
there.)"""

import asyncio

from check import url
from microhttpc import aio, ws_connect
from microhttpc.rfc6455 import Protocol
from ws_nobuild import _after_gc_a_websocket_works, _oom, _without_heap


def test_blocking_close_without_heap_calls_on_close_at_once():
    # (on_close came only at the next call on the WebSocket, which may never come)
    closes = []
    w = ws_connect(url("ws", "http", "/ws"), timeout=10, on_close=lambda code, reason: closes.append(code))
    assert _without_heap(w.close) == "MemoryError"
    assert closes == [1006] and w.closed

    async def main():
        a = await aio.ws_connect(url("ws", "http", "/ws"), timeout=10,
                                 on_close=lambda code, reason: closes.append(("aio", code)))
        build = Protocol._build
        Protocol._build = _oom
        try:
            await a.close()
            return "returned"
        except MemoryError:
            return "MemoryError"
        finally:
            Protocol._build = build

    assert asyncio.run(main()) == "MemoryError"
    assert closes == [1006, ("aio", 1006)], closes
    _after_gc_a_websocket_works()
