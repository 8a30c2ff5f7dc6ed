"""MicroPython: a MemoryError while a module the package loads on first use is being made.  The port's
``mp_obj_new_module`` puts the name in ``sys.modules`` before it allocates the module: when that fails
the name stays with no module, and every later import of it crashed the port (an import from a NULL
module) or was a bare NameError (``rt.load`` returned it), with the heap free again: the process could
open no WebSocket, or crashed at the next multipart POST.  ``rt.load`` drops such names before a module
loads, and so does every connection's end (``Session.lost``).  The sweep steps the free heap across
the levels where the load meets a MemoryError; every run must end in a MemoryError or a microhttpc
error (or succeed), never another exception or a crash, and once the heap is back the call works.

The opening handshake's module (``handshake``) is unloaded after an upgrade when the heap is short
and loads again at the next one: the sweep unloads it before each level as ``handshake._unload`` does,
so each upgrade meets its load at that level, and at least one level must meet the MemoryError inside
that load.  (The sweep ran in a 104 KiB heap, where the package unloads it itself; the heap left for the
request between the levels was then fragmented past use in some runs' layouts, by a few hundred bytes:
a MemoryError where the heap should be back.  In the package's layout since, no level meets the port's
window itself: with the names no longer dropped this test passes too; it stays for the contract above.)
The multipart POST's crash (its ``bodies``, imported inside ``forms``) was found by the same sweep in a
process of its own."""

import gc
import io
import sys

from check import server
from dual_lines_oom import _fill

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

    def unload():  # (as handshake._unload does in a short heap: the next upgrade loads it again)
        import microhttpc

        sys.modules.pop("microhttpc.handshake", None)
        microhttpc.__dict__.pop("handshake", None)

    upgrade()
    get()
    hits = loads = 0
    met = None
    for free in range(2000, 4400, 16) if MP else ():
        unload()
        keep = _fill(free)
        try:
            upgrade()
        except MemoryError as e:
            hits += 1
            met = e
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        if met:
            buf = io.StringIO()
            sys.print_exception(met, buf)  # (MicroPython's: the sweep runs there only)
            loads += 'File "microhttpc.handshake"' in buf.getvalue() or "in load\n" in buf.getvalue()
            met = buf = None
        if not conn.is_open:
            try:
                conn.request("GET", "/hello").read()
            except Exception:  # noqa: BLE001 - (the connection's state after the fault: not what is tested)
                pass
        get()
        gc.collect()
    assert loads or not MP, "no level met a MemoryError in the module's load (%d met one)" % hits
    upgrade()  # (a bare NameError here, for good, before)
    ws = ws_connect("ws://%s:%d/ws" % (host, port), timeout=10)
    ws.close()
