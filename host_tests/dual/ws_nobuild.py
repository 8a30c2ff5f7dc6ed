"""Helpers of the tests where no WebSocket frame can be built (dual_ws_send_oom, dual_ws_close_noheap):
the MemoryError is raised on purpose in ``Protocol._build``, where every outgoing frame gets its buffer."""

import gc

from check import url
from microhttpc import ws_connect
from microhttpc.rfc6455 import Protocol


def _oom(*args, **kw):
    raise MemoryError


def _without_heap(fn, *args):
    """``fn(*args)`` while no frame can be built: "MemoryError", or what it returned."""
    build = Protocol._build
    Protocol._build = _oom
    try:
        fn(*args)
        return "returned"
    except MemoryError:
        return "MemoryError"
    finally:
        Protocol._build = build


def _after_gc_a_websocket_works():
    gc.collect()
    w = ws_connect(url("ws", "http", "/ws"), timeout=10)
    w.send("again")
    assert w.recv() == "again"
    w.close()
