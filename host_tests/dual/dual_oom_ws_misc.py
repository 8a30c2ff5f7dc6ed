"""MicroPython: out of memory on two WebSocket paths (found by an outside out-of-memory hunt).  The
blocking send_stream() that met the heap's end while its module loaded left the connection open.  The
poll engine, after an engine call raised a MemoryError (a send), made new objects while it ended the
connection in its next round, on a heap still full: that second MemoryError went to on_err and
on_close in place of the one the call raised (README: on_close(conn, it), no on_err), and MicroPython's
emergency exception, shared by every exception made with no heap, could turn the kept one into an
OSError.  Each call is set up first, then the heap is filled, then it runs.  A module of its own: it
fills the heap."""

import gc
import sys

from check import server
from dual_lines_oom import _fill

MP = sys.implementation.name == "micropython"
HOLD = [None] * 600


def _fill_one_block(free):
    """Take the heap but one block of about ``free`` bytes (the blocks held in HOLD, made beforehand)."""
    gc.collect()
    spare = bytearray(free) if free else None
    i, n = 0, 1 << 17
    while n and i < 600:
        try:
            HOLD[i] = bytearray(n)
            i += 1
        except MemoryError:
            n //= 2
    spare = None  # noqa: F841
    gc.collect()


def _release():
    for i in range(600):
        HOLD[i] = None
    gc.collect()


def test_send_stream_out_of_memory_loading_its_module_ends_the_connection():
    from microhttpc import ws_connect

    h, p = server("http")
    hits = 0
    for free in range(0, 1500, 16) if MP else ():
        sys.modules.pop("microhttpc.wsstream", None)  # (loaded at the first send_stream: each round)
        ws = ws_connect("ws://%s:%d/ws" % (h, p), timeout=5)
        keep = _fill(free)
        try:
            ws.send_stream([b"abc", b"def"])
        except MemoryError:
            hits += 1
            keep = None  # noqa: F841
            assert ws.closed, "a MemoryError left the connection open (%d bytes free)" % free
        keep = None  # noqa: F841
        ws.close()
        gc.collect()
    assert hits or not MP, "no level met a MemoryError"
    ws = ws_connect("ws://%s:%d/ws" % (h, p), timeout=5)
    ws.send_stream([b"abc", b"def"])
    assert ws.recv(timeout=5) == b"abcdef"
    ws.close()


def test_poll_engine_call_out_of_memory_is_told_once_as_itself():
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    msg = bytes(256)
    hits = 0
    for free in range(0, 1000, 8) if MP else ():
        errs, closes, opened, raised = [], [], [], []
        c = e.connect(h, p, on_err=lambda c, x: errs.append(x), on_close=lambda c, x: closes.append(x))
        w = e.upgrade(c, "/ws", on_open=opened.append, on_msg=lambda m: None)
        e.run(until=lambda: opened, timeout=5)
        errs.append(0)  # (room for the reports: the lists grow before the heap is filled)
        closes.append(0)
        raised.append(0)
        del errs[:], closes[:], raised[:]
        _fill_one_block(free)
        try:
            w.send(msg, frame_size=100)
        except MemoryError as x:
            raised.append(x)
        for _ in range(10):  # the application goes on polling, the heap still full
            try:
                e.poll(20)
            except Exception as x:  # noqa: BLE001 - (what comes out is looked at)
                raised.append(x)
        _release()
        ended = c.closed  # (not: the MemoryError came while Python set the call up, before the package ran)
        e.close(c)
        e.run(until=lambda: not e.connections, timeout=5)
        if raised and isinstance(raised[0], MemoryError) and ended:
            hits += 1
            assert len(raised) == 1 and not errs, (free, raised, errs)
            assert closes and closes[0] is raised[0] and isinstance(closes[0], MemoryError), (free, closes)
    assert hits or not MP, "no level met a MemoryError"
