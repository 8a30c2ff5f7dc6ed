"""Heap-pressure sweep (MicroPython): the demo scenario of each layer (a GET, the WebSocket upgrade of
that connection, an echo, a close) runs at heaps stepping down from one where it passes to well below
it.  Every run must either complete, or end with its failure reported per the contract: a
MemoryError (or a microhttpc error) from the call in progress on the blocking and aio layers, through
on_err on the engine's; never a hang, a crash of the interpreter or another exception.  After a
failure the program goes on: gc.collect(), then a line that proves it.

The memory analogue of the hostile-server tests; bounded: each run has a time limit."""

import os
import subprocess

import pytest

import mem

SCENARIOS = {
    "blocking": """
c = None
try:
    import microhttpc
    c = microhttpc.Connection(HOST, PORT, timeout=10)
    c.open()
    assert c.request("GET", "/hello").read() == b"hello world"
    w = c.upgrade("/ws")
    w.send("hello"); assert w.recv() == "hello"
    w.send(bytes(300)); assert w.recv() == bytes(300)
    w.close()
    print("COMPLETED")
except Exception as exc:
    report(exc)
    assert c is None or c.stream is None, "the connection was left open after %r" % (exc,)
""",
    "aio": """
import asyncio
try:
    from microhttpc import aio
except MemoryError:
    print("IMPORT-FAILED")
    raise SystemExit
async def main():
    c = None
    try:
        c = aio.Connection(HOST, PORT, timeout=10)
        await c.connect()
        r = await c.request("GET", "/hello")
        assert await r.read() == b"hello world"
        w = await c.upgrade("/ws")
        await w.send("hello"); assert await w.recv() == "hello"
        await w.send(bytes(300)); assert await w.recv() == bytes(300)
        await w.close()
        print("COMPLETED")
    except Exception as exc:
        report(exc)
        if c is not None:
            await c.close()
asyncio.run(main())
""",
    "poll": """
try:
    from microhttpc.poll import Engine
    e = Engine()
except MemoryError:
    print("IMPORT-FAILED")
    raise SystemExit
errs = {}
def err(who):
    def f(*a):
        errs[who] = errs.get(who, 0) + 1
        report(a[-1], quiet=True)
    return f
done = []
c = None
try:
    c = e.connect(HOST, PORT, timeout=10, on_err=err("conn"), on_close=lambda c, x: done.append("close"))
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: None, on_err=err("req"))
    def opened(w):
        w.send("hello")
    def msg(m):
        done.append(m)
        e.close(c)
    e.upgrade(c, "/ws", on_open=opened, on_msg=msg, on_err=err("ws"))
    assert e.run(until=lambda: c.closed, timeout=10), "the engine did not finish"
except Exception as exc:  # a MemoryError out of the engine itself: reported to no callback
    report(exc)
assert all(n == 1 for n in errs.values()), "a fault reported more than once: %r" % (errs,)
assert done.count("close") <= 1
print("COMPLETED" if "hello" in done and not errs else "FAILED-REPORTED")
""",
}

PRELUDE = """
import gc, os
HOST, PORT = os.getenv("MHC_HTTP").rsplit(":", 1)
PORT = int(PORT)
def report(exc, quiet=False):
    from microhttpc.errors import HTTPCError
    ok = isinstance(exc, (MemoryError, HTTPCError))
    print("REPORTED" if ok else "WRONG-EXCEPTION %r" % (exc,))
"""

EPILOGUE = """
gc.collect()
print("WENT-ON")
"""

HEAPS = [160] + list(range(112, 64, -4)) + list(range(64, 47, -1))  # KiB (1 KiB steps where a layer starts to fail)


@pytest.mark.micropython
@pytest.mark.parametrize("layer", sorted(SCENARIOS))
def test_every_heap_completes_or_reports(layer, live_servers):
    env = dict(os.environ)
    out_dir = mem.build()
    script = PRELUDE + SCENARIOS[layer] + EPILOGUE
    results = {}
    for kib in HEAPS:
        try:
            proc = subprocess.run([mem.micropython(), "-X", "heapsize=%dK" % kib, "-c", script],
                                  env=dict(env, MICROPYPATH=mem.in_root(out_dir) + ":.frozen"), cwd=mem.ROOT,
                                  capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s at %d KiB: no end within 60 s (a hang)" % (layer, kib))
        out = proc.stdout + proc.stderr
        if "COMPLETED" in out and "WENT-ON" in out:
            results[kib] = "completed"
        elif ("REPORTED" in out or "FAILED-REPORTED" in out) and "WENT-ON" in out and "WRONG" not in out:
            results[kib] = "reported"
        elif "IMPORT-FAILED" in out and "Traceback" not in out:
            results[kib] = "too small to import"  # a MemoryError from the import (or Engine()) itself
        else:
            raise AssertionError("%s at %d KiB broke the contract:\n%s" % (layer, kib, out[-2000:]))
    print("%s: %s" % (layer, ", ".join("%dK %s" % (k, results[k]) for k in HEAPS)))
    # the sweep covers both sides: the largest heap completes, the smallest does not
    assert results[HEAPS[0]] == "completed", results
    assert results[HEAPS[-1]] != "completed", results
