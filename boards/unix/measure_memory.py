"""Measure what the board examples need, on the MicroPython unix port (64-bit), for NOTES.md.

    python boards/unix/measure_memory.py        # from the repository root, with the project's venv

Starts the local servers (tools/servers.py), compiles the package to .mpy (as deployed with --mpy),
then for each scenario:
- ``gc.mem_alloc()`` after ``gc.collect()`` at each stage, in a 256 KiB heap;
- the smallest ``-X heapsize`` (in KiB) with which the scenario still completes, as in every size up
  to 12 KiB above it (fragmentation, not size, is what fails: the stages passed in 108-111 KiB and
  failed in 112-114, where the 8 KiB message found no block): the figure that says whether a
  board's free heap is enough.

The package's code counts here because .mpy files are loaded into the heap; frozen into the firmware
(boards/*/manifest.py) the code stays in flash and only the data below counts.  On 32-bit boards
(ESP32, RP2040, RP2350) pointers and object headers are half the size but bytecode is not: the code
costs about as much (`make mem` measures it on the 32-bit WebAssembly port), the data about half;
plus TLS (mbedTLS buffers, ~16-40 KB, outside the MicroPython heap on ESP32).
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import build_mpy  # noqa: E402
import servers  # noqa: E402

STAGES = r'''
import gc, sys
def m(what):
    gc.collect()
    print("STAGE %-34s %7d" % (what, gc.mem_alloc()))
m("start (nothing imported)")
import microhttpc
m("import microhttpc")
host, port = sys.argv[1].rsplit(":", 1)
conn = microhttpc.Connection(host, int(port), timeout=10)
conn.open()
r = conn.request("GET", "/hello")
body = r.read()
m("connection open, GET /hello done")
ws = conn.upgrade("/ws")
m("upgraded to WebSocket")
for i in range(20):
    ws.send("message %d" % i)
    assert ws.recv(timeout=10) == "message %d" % i
ws.send(bytes(8192))
assert len(ws.recv(timeout=10)) == 8192
m("after text echoes + one 8 KiB echo")
ws.close(1000)
conn.close()
del ws, conn, r, body
m("closed")
print("OK")
'''

IMPORT_ONLY = "import microhttpc\nmicrohttpc.Connection\nmicrohttpc.WebSocket\nprint('OK')\n"


def run(script, heap, env, args=(), cwd=None):
    mp = os.path.join(os.path.dirname(sys.executable), "micropython")
    cmd = [mp if os.path.exists(mp) else "micropython", "-X", "heapsize=%dK" % heap, script] + list(args)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, cwd=cwd)
    out = proc.stdout.decode(errors="replace")
    return proc.returncode == 0 and ("OK" in out.split() or "done:" in out), out


def smallest_heap(script, env, args=(), cwd=None, lo=8, hi=256, above=12):
    ok, out = run(script, hi, env, args, cwd)
    if not ok:
        raise SystemExit("does not run even with %d KiB:\n%s" % (hi, out))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if run(script, mid, env, args, cwd)[0]:
            hi = mid
        else:
            lo = mid
    for kib in range(hi + above, hi, -1):  # every size up to ``above`` KiB larger must pass too
        if not run(script, kib, env, args, cwd)[0]:
            return kib + 1
    return hi


def main():
    srv = servers.start()
    addr = srv.addresses["http"]
    out_dir = os.path.join(ROOT, "build", "mpy")
    build_mpy.build(out_dir, quiet=True)
    env = dict(os.environ, MICROPYPATH=out_dir, MHC_SERVER=addr)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stages = os.path.join(tmp, "stages.py")
            with open(stages, "w") as f:
                f.write(STAGES)
            imp = os.path.join(tmp, "import_only.py")
            with open(imp, "w") as f:
                f.write(IMPORT_ONLY)
            ok, out = run(stages, 256, env, [addr])
            print("gc.mem_alloc() by stage (64-bit unix port, package as .mpy):")
            for line in out.splitlines():
                if line.startswith("STAGE "):
                    print("  " + line[6:])
            if not ok:
                raise SystemExit(out)
            print("smallest heap that works (KiB):")
            print("  import microhttpc + Connection + WebSocket classes  %4d" % smallest_heap(imp, env))
            print("  stages above (GET, upgrade, echoes, 8 KiB message)  %4d" % smallest_heap(stages, env, [addr]))
            # The unix board's example as deployed: main.py + config.py in the board's directory.
            with open(os.path.join(HERE, "main.py")) as f:
                main_py = f.read()
            with open(os.path.join(HERE, "config_template.py")) as f:
                cfg = f.read().replace("INTERVAL = 1", "INTERVAL = 0")
            with open(os.path.join(tmp, "main.py"), "w") as f:
                f.write(main_py)
            with open(os.path.join(tmp, "config.py"), "w") as f:
                f.write(cfg)
            print("  boards/unix/main.py (GET + WebSocket session)        %4d" % smallest_heap(
                os.path.join(tmp, "main.py"), dict(env, MICROPYPATH=out_dir + ":" + tmp), cwd=tmp))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
