"""MicroPython: a MemoryError while a module the package loads on first use is being made.  The port's
``mp_obj_new_module`` puts the name in ``sys.modules`` before it allocates the module: when that fails
the name stays with no module, and every later import of it crashed the port (an import from a NULL
module) or was a bare NameError (``rt.load`` returned it), with the heap free again: the process could
open no WebSocket, or crashed at the next multipart POST.  ``rt.load`` drops such names before a module
loads, and so does every connection's end (``Session.lost``).  The sweep steps the free heap across
the levels where the load meets a MemoryError; every run must end in a MemoryError or a microhttpc
error (or succeed), never another exception or a crash, and once the heap is back the call works.

A module of its own, in a 104 KiB heap: there the opening handshake (``handshake``) is unloaded after
each upgrade and loads again at the next one, and the sweep meets the window (in this module's layout:
100-104 KiB; not at 128 KiB, nor with no request between the levels).  The multipart POST's crash (its
``bodies``, imported inside ``forms``) was found by the same sweep in a process of its own; in this
module's layout no level met it."""

import gc
import sys

from check import server
from dual_lines_oom import _fill

MICROPYTHON_HEAP = "104K"
MP = sys.implementation.name == "micropython"


def test_upgrades_after_a_memoryerror_in_a_module_load():
    from microhttpc import Connection, ws_connect

    host, port = server("http")
    conn = Connection(host, port, timeout=10)

    def upgrade():
        conn.open()
        ws = conn.upgrade("/ws")
        ws.send("hi")
        assert ws.recv() == "hi"
        ws.close()

    def get():  # between the levels, a request on a connection of its own (the heap as an application's)
        c = Connection(host, port, timeout=10)
        assert c.request("GET", "/hello").read() == b"hello world"
        c.close()

    upgrade()
    get()
    hits = 0
    for free in range(2000, 4400, 16) if MP else ():
        keep = _fill(free)
        try:
            upgrade()
        except MemoryError:
            hits += 1
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        if not conn.is_open:
            try:
                conn.request("GET", "/hello").read()
            except Exception:  # noqa: BLE001 - (the connection's state after the fault: not what is tested)
                pass
        get()
        gc.collect()
    assert hits or not MP, "no level met a MemoryError"
    upgrade()  # (a bare NameError here, for good, before)
    ws = ws_connect("ws://%s:%d/ws" % (host, port), timeout=10)
    ws.close()
