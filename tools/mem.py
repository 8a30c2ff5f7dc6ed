"""`make mem`: what microhttpc costs in heap on MicroPython, measured on the 64-bit unix port with the
package compiled to `.mpy` (native kernels for this CPU) and loaded into RAM, as a board loads it.

    python tools/mem.py [--runs N]

Prints, for each way of using the package, the heap that importing it keeps (``gc.mem_alloc()``
after ``gc.collect()``), and for the demo session — a GET, the WebSocket upgrade of that connection,
a text and a binary echo, a ping and a clean close — the smallest ``-X heapsize`` in which it passes
in N fresh runs out of N (binary search in 1 KiB steps), through ``Connection`` + ``upgrade`` and
through ``ws_connect``.  Memory figures are deterministic to a few hundred bytes, so
host_tests/test_memory.py asserts budgets from the same functions.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import build_mpy  # noqa: E402

OUT = os.path.join(ROOT, "build", "mem")

# What an application of each kind imports (the WebSocket modules load at the first upgrade).
PATHS = {
    "blocking HTTP": ("microhttpc.client",),
    "blocking HTTP + WebSocket": ("microhttpc.client", "microhttpc.websocket"),
    "poll HTTP": ("microhttpc.poll",),
    "poll HTTP + WebSocket": ("microhttpc.poll", "microhttpc.pollws"),
    "aio HTTP": ("asyncio", "microhttpc.aio"),
    "aio HTTP + WebSocket": ("asyncio", "microhttpc.aio", "microhttpc.aiows"),
}

IMPORT_COST = """
import gc
%s
gc.collect(); gc.collect(); a = gc.mem_alloc()
for m in %r:
    __import__(m)
gc.collect(); gc.collect(); print("HEAP", gc.mem_alloc() - a)
"""

SESSION = """
import gc, os, microhttpc
host, port = os.getenv("MHC_HTTP").rsplit(":", 1)
if %r:
    ws = microhttpc.ws_connect("ws://%%s:%%s/ws" %% (host, port), timeout=10)
else:
    conn = microhttpc.Connection(host, int(port), timeout=10)
    conn.open()
    assert conn.request("GET", "/hello").read() == b"hello world"
    ws = conn.upgrade("/ws")
ws.send("hello, websocket")
assert ws.recv() == "hello, websocket"
data = bytes(range(256))
ws.send(data)
assert ws.recv() == data
ws.ping(b"hb")
ws.close()
assert ws.close_code == 1000
gc.collect()
print("OK")
"""


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else "micropython"


def build():
    """The package as this host's unix port runs it from .mpy (native kernels included)."""
    build_mpy.build(OUT, build_mpy.host_march(), quiet=True)
    return OUT


def run(code, heap="4M", env=None):
    e = dict(os.environ if env is None else env)
    e["MICROPYPATH"] = os.pathsep.join([OUT, ".frozen"])
    proc = subprocess.run([micropython(), "-X", "heapsize=" + heap, "-c", code], env=e, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)
    return proc.returncode, proc.stdout.decode(errors="replace")


def import_cost(mods):
    """Bytes of heap that importing ``mods`` keeps (asyncio, frozen into the port, is loaded first)."""
    pre = "import asyncio" if mods[0] == "asyncio" else ""
    rc, out = run(IMPORT_COST % (pre, tuple(m for m in mods if m != "asyncio")))
    for line in out.splitlines():
        if line.startswith("HEAP "):
            return int(line.split()[1])
    raise RuntimeError("import measurement failed:\n" + out)


def session_passes(kib, ws_connect, runs, env):
    for _ in range(runs):
        rc, out = run(SESSION % (ws_connect,), "%dK" % kib, env)
        if rc != 0 or not out.rstrip().endswith("OK"):
            return False
    return True


def smallest_session_heap(ws_connect, runs, env, lo=16, hi=512):
    """The smallest heap (KiB) in which the demo session passes ``runs`` times out of ``runs``."""
    if not session_passes(hi, ws_connect, runs, env):
        raise RuntimeError("the session fails even in %d KiB" % hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if session_passes(mid, ws_connect, runs, env):
            hi = mid
        else:
            lo = mid
    return hi


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh runs that must all pass at a heap size")
    args = ap.parse_args()
    build()
    import servers

    srv = servers.start()
    env = dict(os.environ)
    env.update(srv.env())
    try:
        print("Heap kept by importing each path (64-bit unix port, .mpy in RAM, bytes):")
        for name, mods in PATHS.items():
            print("  %-28s %7d" % (name, import_cost(mods)))
        print("Smallest -X heapsize for the demo session (%d of %d fresh runs pass):" % (args.runs, args.runs))
        for name, wsc in (("Connection + upgrade", False), ("ws_connect", True)):
            print("  %-28s %5d KiB" % (name, smallest_session_heap(wsc, args.runs, env)))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
