"""MicroPython, a blocking WebSocket over TLS: recv()'s first read, where a TLS socket's recv() allocates
its buffer before it reads, met the heap's end and raised MemoryError with the WebSocket left open (over
TCP, whose reads allocate nothing, it ended: 1006).  Out of memory is a fault like a reset (README, "Out
of memory"): the WebSocket ends, on every transport (an outside hunt; every level from 0 to 672 bytes
free in a 128K heap).  The heap is filled around one hole of ``free`` bytes, on a warm WebSocket with a
message waiting.  A module of its own: it fills the heap."""

import gc
import sys
import time

from check import server, tls_ca

MP = sys.implementation.name == "micropython"
LEVELS = range(0, 1200, 48) if MP else ()
_HELD = [None] * 1200


def _free():
    h = _HELD
    for i in range(len(h)):
        h[i] = None
    gc.collect()


def _fill(free):
    """Take the heap but one hole of about ``free`` bytes (as dual_oom_recv_head's)."""
    _free()
    h = _HELD
    try:
        hole = bytearray(free) if free else None
    except MemoryError:
        hole = None
    n = 0
    for size in (8192, 2048, 512, 128, 32, 8, 1):
        try:
            while n < len(h):
                h[n] = bytearray(size)
                n += 1
        except MemoryError:
            pass
    hole = None  # noqa: F841 - (given back: the room left)
    gc.collect()


def _ws():
    from microhttpc import Connection

    c = Connection(*server("tls"), timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    c.open()
    return c, c.upgrade("/ws")


def test_a_memory_error_in_recv_over_tls_ends_the_websocket():
    c, w = _ws()
    outs = []
    try:
        for free in LEVELS:
            w.send("A" * 200)
            time.sleep(0.05)  # (the echo waits in the socket)
            _fill(free)
            try:
                got = w.recv(3)
                res = "ok" if got == "A" * 200 else "wrong"
            except MemoryError:
                res = "oom, closed" if w.closed else "oom, open"
            _free()  # (the heap back first)
            outs.append((free, res))
            if res != "ok":
                c.close()
                c, w = _ws()
    finally:
        c.close()
    assert not [o for o in outs if o[1] not in ("ok", "oom, closed")], outs
    assert not MP or [o for o in outs if o[1] == "oom, closed"], outs  # (the sweep met the heap's end)
