"""The poll Engine's head timer fires with the heap full (MicroPython): the request, the connection's
on_err and on_close get the TimeoutError, once each, and nothing is loaded for it.  A first version of
this session's move of the timer verdicts into pollhop loaded that module at every timeout, and a full
heap turned the TimeoutError into a MemoryError (an outside review).  CPython: the same without the
fill."""

import sys

from check import server

MICROPYTHON = sys.implementation.name == "micropython"


def test_head_timer_in_a_full_heap():
    import gc

    from microhttpc.poll import Engine

    h, p = server("raw")
    log = []
    e = Engine(timeout=1)
    c = e.connect(h, p, on_err=lambda c, x: log.append(("conn_err", type(x).__name__)),
                  on_close=lambda c, x: log.append(("close", type(x).__name__)))
    e.request(c, "GET", "/raw/mute", on_err=lambda x: log.append(("req_err", type(x).__name__)),
              on_complete=lambda r, ok: log.append(("done", r.status)))
    e.poll(0)
    e.poll(100)
    e.poll(100)
    hog = []
    if MICROPYTHON:  # the heap filled to its last 16 bytes
        gc.collect()
        sz = 4096
        while sz >= 16:
            try:
                hog.append(bytearray(sz))
            except MemoryError:
                sz //= 2
    try:
        done = e.run(until=lambda: c.closed, timeout=3)
    finally:
        del hog[:]
    assert done and c.closed, log
    assert log == [("req_err", "TimeoutError"), ("conn_err", "TimeoutError"), ("close", "TimeoutError")], log
