"""`make mem`: what microhttpc costs in heap on MicroPython, side by side with its peers, on the 64-bit
unix port and on the 32-bit WebAssembly port.

    python tools/mem.py [--runs N] [--write] [--skip peers,wasm,conns]

64-bit (the unix port; the package compiled to `.mpy` with this CPU's native kernels):
- **import**: the heap that importing each way of using the package keeps (``gc.mem_alloc()`` after
  ``gc.collect()``), with the `.mpy` files loaded into RAM as a board loads them from its filesystem;
- **ROMFS**: the same from a ROMFS image (``mpremote romfs build``) mounted with ``vfs.VfsRom``, where
  bytecode runs in place: the image's bytes sit in the heap on the unix port, so the baseline is taken
  after the mount and only what the imports add is counted;
- **session**: the smallest ``-X heapsize`` in which the demo session (a GET, the WebSocket upgrade of
  that connection, a text and a binary echo, a ping and a clean close) passes N fresh runs out of N
  (binary search in 1 KiB steps), through ``Connection`` + ``upgrade`` and through ``ws_connect``, and
  ``gc.mem_alloc()`` after ``gc.collect()`` at each of its stages;
- **soak**: the same search for a long session (``SOAK``: 5,000 echoes of 1-2048 bytes, then 50
  reconnect cycles), which passes only without any ``MemoryError``: what fragmentation adds;
- **cores**: what one response parse and one WebSocket round trip allocate, garbage included:
  ``gc.mem_alloc()`` before and after with the collector disabled (``gc.disable()``) in between, on a
  warmed-up parser / Protocol fed with bytes recorded from the local server;
- **peers**: the same session (as far as each peer can do it) and import heap for the MicroPython clients
  users would pick instead, installed from PyPI into .cache/peers/ by tools/bench/peers.py.
- **conns** (tools/mem_conns.py): how many connections of each layer fit at once in a 128K and a 256K
  heap, each doing 20 exchanges, the heap per extra connection, and the smallest heap that receives a
  10 MiB WebSocket message (streaming callbacks) and a 10 MiB HTTP body (``readinto()``).
32-bit (MicroPython's WebAssembly port under node, tools/mem_wasm.py; bytecode-only `.mpy`, the same
files on both ports for the ratio): import heap of each path and of the peers, the ROMFS import, and the
cores (the port has no sockets: recorded bytes only).

Memory figures are deterministic to a few hundred bytes, so host_tests/test_memory.py asserts budgets
from the same functions.  Results go to build/mem.json; ``--write`` also regenerates the memory table of
README.md and boards/*/NOTES.md (between ``<!-- mem:begin -->`` and ``<!-- mem:end -->``), and the
connections table (between ``<!-- conns:begin -->`` and ``<!-- conns:end -->``).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import build_mpy  # noqa: E402

OUT = os.path.join(ROOT, "build", "mem")  # .mpy with this CPU's native kernels (the 64-bit figures)
OUT_BC = os.path.join(ROOT, "build", "mem-bytecode")  # bytecode only: the same files on both ports
ROMFS_DIR = os.path.join(ROOT, "build", "mem-romfs")
ROMFS_IMG = os.path.join(ROOT, "build", "mem-romfs.img")
JSON_OUT = os.path.join(ROOT, "build", "mem.json")

# What an application of each kind imports (the WebSocket modules load at the first upgrade; ``request``
# at the first request, so an application of WebSockets only, through ``ws_connect``, never loads it).
PATHS = {
    "blocking HTTP": ("microhttpc.client", "microhttpc.request"),
    "blocking HTTP + WebSocket": ("microhttpc.client", "microhttpc.request", "microhttpc.websocket"),
    "blocking WebSocket only": ("microhttpc.wsconnect", "microhttpc.client", "microhttpc.websocket"),
    "poll HTTP": ("microhttpc.poll", "microhttpc.request"),
    "poll HTTP + WebSocket": ("microhttpc.poll", "microhttpc.request", "microhttpc.pollws"),
    "aio HTTP": ("asyncio", "microhttpc.aio", "microhttpc.request"),
    "aio HTTP + WebSocket": ("asyncio", "microhttpc.aio", "microhttpc.request", "microhttpc.aiows"),
    "aio WebSocket only": ("asyncio", "microhttpc.aio", "microhttpc.aiows"),
}

IMPORT_COST = """
import gc
%s
gc.collect(); gc.collect(); a = gc.mem_alloc()
for m in %r:
    __import__(m)
gc.collect(); gc.collect(); print("HEAP", gc.mem_alloc() - a)
"""

# The same from a ROMFS image: read it, mount it, and only then take the baseline.
ROMFS_COST = """
import gc, sys, vfs
%s
f = open(%r, "rb")
img = f.read()
f.close()
vfs.mount(vfs.VfsRom(img), "/rom")
sys.path.insert(0, "/rom/lib")
gc.collect(); gc.collect(); a = gc.mem_alloc()
for m in %r:
    __import__(m)
gc.collect(); gc.collect(); n = gc.mem_alloc() - a
assert sys.modules[%r].__file__.startswith("/rom/"), "not imported from the ROMFS image"
print("HEAP", n)
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

# A long session (issue: "soak"): 5,000 echoes of 1-2048 bytes, text and binary in turn, each checked,
# then 50 cycles of ws_connect + echo + close.  It passes only with no MemoryError at all (a heap that
# fragments fails here long before it runs out): the smallest heap it passes in says what a board needs
# to keep a WebSocket going, beside the demo session's one-shot figure.
SOAK = """
import os, microhttpc
url = "ws://%s/ws" % os.getenv("MHC_HTTP")
pattern = bytes(range(256)) * 8
seed = 12345
ws = microhttpc.ws_connect(url, timeout=10)
for i in range(5000):
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
    n = 1 + seed % 2048
    msg = pattern[:n] if i & 1 else "x" * n
    ws.send(msg)
    assert ws.recv() == msg
ws.close()
for i in range(50):
    ws = microhttpc.ws_connect(url, timeout=10)
    ws.send("hello")
    assert ws.recv() == "hello"
    ws.close()
print("OK")
"""

# The demo session again, with gc.mem_alloc() after gc.collect() at each stage (in a roomy heap).
STAGES = """
import gc, os
def m(what):
    gc.collect(); gc.collect()
    print("STAGE %s %d" % (what, gc.mem_alloc()))
m("start")
import microhttpc
microhttpc.Connection
m("import")
host, port = os.getenv("MHC_HTTP").rsplit(":", 1)
conn = microhttpc.Connection(host, int(port), timeout=10)
conn.open()
m("connect")
r = conn.request("GET", "/hello")
assert r.read() == b"hello world"
del r
m("GET")
ws = conn.upgrade("/ws")
m("upgrade")
ws.send("hello, websocket")
assert ws.recv() == "hello, websocket"
data = bytes(range(256))
ws.send(data)
assert ws.recv() == data
ws.ping(b"hb")
del data
m("echo")
ws.close()
assert ws.close_code == 1000
conn.close()
del ws, conn
m("close")
"""
STAGE_NAMES = ("start", "import", "connect", "GET", "upgrade", "echo", "close")

# The sans-I/O cores fed with recorded bytes (runs unchanged on both ports): the heap their import
# keeps, the heap a parser / Protocol object keeps, and what one parse / round trip allocates.  An
# allocation is gc.mem_alloc() before and after with the collector disabled: every block handed out in
# between counts, garbage included (MicroPython has no allocation counter; mem_info() shows the same
# blocks).  The parser and the Protocol are warmed up by one response / round trip first, as on a
# connection in use; the second one is measured.
CORES = """
import gc
R200, R101, KEY, ECHO_T, ECHO_B, PONG = %r
def kept():
    gc.collect(); gc.collect()
    return gc.mem_alloc()
def alloc(f):
    gc.collect(); gc.disable()
    a = gc.mem_alloc()
    f()
    b = gc.mem_alloc()
    gc.enable()
    return b - a
a = kept()
from microhttpc import http11
b = kept()
from microhttpc import rfc6455
c = kept()
print("CORE import http11 %%d" %% (b - a))
print("CORE import rfc6455 %%d" %% (c - b))
p = http11.ResponseParser()
print("CORE parser object %%d" %% (kept() - c))
def get():
    p.start("GET")
    p.feed(R200)
    ev = p.next_event()
    assert ev[0] == http11.RESPONSE and ev[1].status == 200
    ev = p.next_event()
    assert ev[0] == http11.DATA and bytes(ev[1]) == b"hello world", ev
    assert p.next_event()[0] == http11.END
head = None
def up():
    global head
    p.start("GET")
    p.feed(R101)
    ev = p.next_event()
    assert ev[0] == http11.RESPONSE and ev[1].status == 101
    head = ev[1]
def check():
    from microhttpc import handshake
    handshake.check_handshake_response(head, KEY)
get()
print("CORE parse 200 %%d" %% alloc(get))
up()
print("CORE parse 101 %%d" %% alloc(up))
check()
print("CORE check 101 %%d" %% alloc(check))
head = None
d = kept()
def rng(n):
    return b"\\x01\\x02\\x03\\x04" * (n // 4 + 1)
ws = rfc6455.Protocol(rng=rng)
print("CORE protocol object %%d" %% (kept() - d))
TEXT = "hello, websocket"
BIN = bytes(range(256))
def rt_text():
    ws.send_text(TEXT)
    ws.data_to_send()
    ws.receive_data(ECHO_T)
    ev = ws.events()
    assert ev[0][1] == TEXT
def rt_bin():
    ws.send_binary(BIN)
    ws.data_to_send()
    ws.receive_data(ECHO_B)
    ev = ws.events()
    assert ev[0][1] == BIN
def ping():
    ws.send_ping(b"hb")
    ws.data_to_send()
    ws.receive_data(PONG)
    assert ws.events()[0][0] == rfc6455.EV_PONG
rt_text()
print("CORE ws text 16 B %%d" %% alloc(rt_text))
rt_bin()
print("CORE ws binary 256 B %%d" %% alloc(rt_bin))
ping()
print("CORE ws ping %%d" %% alloc(ping))
try:
    from hashlib import sha1
    print("CORE hashlib.sha1 1")
except ImportError:  # the handshake check then runs microhttpc.sha1 (pure Python)
    print("CORE hashlib.sha1 0")
"""

# -- the peers ---------------------------------------------------------------------------------------
# name -> (peer distributions (tools/bench/peers.py), modules a session imports, session script or
# None, what the session leaves out).  The session scripts do what SESSION does, as far as each peer
# can; the MHC_HTTP server (aiohttp) serves both the GET and the WebSocket echo.
PEER_WS_URL = 'host = os.getenv("MHC_HTTP")\n'
PEERS = {
    "micropython-websocket 1.0.5 + urequests 0.9.1": (
        ("micropython-websocket", "micropython-urequests"),
        ("urequests", "micropython_websocket"),
        """
import gc, os
import urequests, micropython_websocket as mws
""" + PEER_WS_URL + """
r = urequests.get("http://%s/hello" % host)
assert r.content == b"hello world"
r.close()
del r
ws = mws.create_connection("ws://%s/ws" % host, timeout=10)
ws.send("hello, websocket")
assert ws.recv() == "hello, websocket"
data = bytes(range(256))
ws.send(data)
assert ws.recv() == data
ws.ping(b"hb")
ws.close()
gc.collect()
print("OK")
""",
        "GET on its own HTTP/1.0 connection (urequests); the PONG is not awaited (recv() would block); "
        "close() sends the Close and drops TCP without waiting for the server's",
    ),
    "chumicro-websockets 0.27.3 + chumicro-requests 0.21.3": (
        ("chumicro-websockets", "chumicro-requests"),
        ("chumicro_requests", "chumicro_sockets.sockets_factory", "chumicro_timing", "chumicro_websockets"),
        """
import gc, os
from chumicro_requests import HttpClient
from chumicro_sockets.sockets_factory import connector_factory
from chumicro_timing import ticks_ms
from chumicro_websockets import WebSocketClient, WebSocketState
""" + PEER_WS_URL + """
http = HttpClient(transport_factory=connector_factory())
h = http.get("http://%s/hello" % host)
while not h.done:
    http.handle(ticks_ms())
assert bytes(h.result.body) == b"hello world", h.result
del h, http
client = WebSocketClient(connector_factory())
got = []
client.on_text = got.append
client.on_binary = got.append
client.on_pong = got.append
client.connect("ws://%s/ws" % host)
while client.state == WebSocketState.CONNECTING:
    client.handle(ticks_ms())
assert client.state == WebSocketState.OPEN, client.state
def wait():
    while not got:
        client.handle(ticks_ms())
        assert client.state == WebSocketState.OPEN, client.state
    m = got.pop()
    return bytes(m) if isinstance(m, (bytearray, memoryview)) else m
client.send_text("hello, websocket")
assert wait() == "hello, websocket"
data = bytes(range(256))
client.send_binary(data)
assert wait() == data
client.send_ping(b"hb")
assert wait() == b"hb"
client.close()
while client.state != WebSocketState.CLOSED:
    client.handle(ticks_ms())
assert client.last_close_code == 1000, client.last_close_code
gc.collect()
print("OK")
""",
        "GET on its own connection (one per request)",
    ),
    "micropython-lib aiohttp": (
        (), (), None,
        "not measured: micropython-lib's aiohttp is published only on micropython.org's own package "
        "index, not on PyPI (the one registry these tools install from)",
    ),
}


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else "micropython"


def build():
    """The package as this host's unix port runs it from .mpy (native kernels included)."""
    build_mpy.build(OUT, build_mpy.host_march(), quiet=True)
    return OUT


def build_bytecode():
    """The package as bytecode only (loads on every port of the same .mpy version)."""
    build_mpy.build(OUT_BC, None, quiet=True)
    return OUT_BC


def in_root(p):
    """``p`` relative to the checkout when inside it: MicroPython interns the file name of every module it
    loads, so absolute paths would make the heap figures depend on where the checkout lies."""
    return os.path.relpath(p, ROOT) if os.path.isabs(p) and p.startswith(ROOT + os.sep) else p


def run(code, heap="4M", env=None, path=None, timeout=60):
    """Run ``code`` on the unix port, in the checkout's folder; (returncode, output).  ``path``:
    MICROPYPATH folders (default: the package's .mpy build and the port's frozen modules)."""
    e = dict(os.environ if env is None else env)
    e["MICROPYPATH"] = os.pathsep.join(in_root(p) for p in (path if path is not None else [OUT, ".frozen"]))
    try:
        proc = subprocess.run([micropython(), "-X", "heapsize=" + heap, "-c", code], env=e, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        return -1, (exc.stdout or b"").decode(errors="replace") + "\n(timed out)"
    return proc.returncode, proc.stdout.decode(errors="replace")


def _heap_line(out, what):
    for line in out.splitlines():
        if line.startswith("HEAP "):
            return int(line.split()[1])
    raise RuntimeError("%s failed:\n%s" % (what, out))


def _pre(mods):
    return "import asyncio" if mods and mods[0] == "asyncio" else ""


def import_cost(mods, path=None):
    """Bytes of heap that importing ``mods`` keeps (asyncio, frozen into the port, is loaded first)."""
    rc, out = run(IMPORT_COST % (_pre(mods), tuple(m for m in mods if m != "asyncio")), path=path)
    return _heap_line(out, "import measurement")


def romfs_image():
    """A ROMFS image of the compiled package (lib/microhttpc/*.mpy), built by mpremote; its path."""
    build()
    shutil.rmtree(ROMFS_DIR, ignore_errors=True)
    shutil.copytree(os.path.join(OUT, "microhttpc"), os.path.join(ROMFS_DIR, "lib", "microhttpc"))
    mpremote = os.path.join(os.path.dirname(sys.executable), "mpremote")
    cmd = [mpremote if os.path.exists(mpremote) else "mpremote", "romfs", "-o", ROMFS_IMG, "build", ROMFS_DIR]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=120)
    return ROMFS_IMG


def romfs_script(mods, image):
    names = tuple(m for m in mods if m != "asyncio")
    return ROMFS_COST % (_pre(mods), image, names, names[-1])


def romfs_import_cost(mods, image=ROMFS_IMG):
    """Bytes of heap that importing ``mods`` from the mounted ROMFS image keeps (the image's own bytes,
    read into the heap before the baseline, not counted)."""
    rc, out = run(romfs_script(mods, image), path=[".frozen"])  # the package only from /rom/lib
    return _heap_line(out, "ROMFS import measurement")


last_failure = ""  # what the last run that failed printed (session_passes), for the tests' messages


def session_passes(kib, ws_connect, runs, env, code=None, path=None):
    """Does the session (the demo one, or ``code``) print OK in a ``kib`` KiB heap ``runs`` times?"""
    global last_failure
    for i in range(runs):
        rc, out = run(code or SESSION % (ws_connect,), "%dK" % kib, env, path=path, timeout=20)
        if rc != 0 or not out.rstrip().endswith("OK"):
            last_failure = "run %d of %d, rc %d: %s" % (i + 1, runs, rc, out[-600:])
            return False
    return True


ABOVE = 12  # KiB above the binary search's answer that must pass too (see smallest_session_heap)


def smallest_session_heap(ws_connect, runs, env, lo=16, hi=512, code=None, path=None, above=ABOVE):
    """The smallest heap (KiB) in which the demo session passes ``runs`` times out of ``runs``, and in
    every size up to ``above`` KiB larger: what fails is fragmentation, which does not grow with the
    size (the soak once passed at 88 KiB and failed at 90-92 and 94), so the binary search's answer is
    checked upwards and the figure is the size above the largest that failed."""
    if not session_passes(hi, ws_connect, runs, env, code, path):
        raise RuntimeError("the session fails even in %d KiB" % hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if session_passes(mid, ws_connect, runs, env, code, path):
            hi = mid
        else:
            lo = mid
    for kib in range(hi + above, hi, -1):
        if not session_passes(kib, ws_connect, runs, env, code, path):
            return kib + 1
    return hi


def stages(env, runs=3):
    """{stage: gc.mem_alloc() after gc.collect()} along the demo session (Connection + upgrade): the
    least of ``runs`` fresh runs per stage (one may differ by a GC block or two, as reads split)."""
    best = {}
    for _ in range(runs):
        rc, out = run(STAGES, "512K", env)
        got = {}
        for line in out.splitlines():
            if line.startswith("STAGE "):
                _, name, n = line.split()
                got[name] = int(n)
        if rc != 0 or tuple(got) != STAGE_NAMES:
            raise RuntimeError("stage measurement failed:\n" + out)
        for k, v in got.items():
            best[k] = min(v, best.get(k, v))
    return best


def parse_cores(out):
    got = {}
    for line in out.splitlines():
        if line.startswith("CORE "):
            name, n = line[5:].rsplit(" ", 1)
            got[name] = int(n)
    if len(got) != 11:
        raise RuntimeError("core measurement failed:\n" + out)
    return got


# -- recorded bytes for the cores ------------------------------------------------------------------
WS_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's example key: the server's Accept is checked


def _masked(op, payload):
    import servers

    return servers.raw_frame(op, payload, masked=True)


def record(http_addr):
    """Record, with a plain CPython socket against the local aiohttp server: the response to GET /hello,
    the 101 of an upgrade on the same connection, and the server's frames echoing a 16 B text message
    and a 256 B binary one, and its PONG to a PING."""
    host, port = http_addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    buf = b""

    def until(pred):
        nonlocal buf
        while True:
            n = pred(buf)
            if n:
                out, buf = buf[:n], buf[n:]
                return out
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("server closed while recording")
            buf += chunk

    def head_end(b):
        i = b.find(b"\r\n\r\n")
        return i + 4 if i >= 0 else 0

    def frame_end(b):
        if len(b) < 2:
            return 0
        n, pos = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return 0
            n, pos = int.from_bytes(b[2:4], "big"), 4
        return pos + n if len(b) >= pos + n else 0

    try:
        hp = "Host: %s\r\n" % http_addr
        s.sendall(("GET /hello HTTP/1.1\r\n%s\r\n" % hp).encode())
        r200 = until(head_end)
        r200 += until(lambda b: 11 if len(b) >= 11 else 0)
        s.sendall(("GET /ws HTTP/1.1\r\n%sUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n" % (hp, WS_KEY)).encode())
        r101 = until(head_end)
        s.sendall(_masked(1, b"hello, websocket"))
        echo_t = until(frame_end)
        s.sendall(_masked(2, bytes(range(256))))
        echo_b = until(frame_end)
        s.sendall(_masked(9, b"hb"))
        pong = until(frame_end)
        s.sendall(_masked(8, (1000).to_bytes(2, "big")))
    finally:
        s.close()
    return r200, r101, WS_KEY, echo_t, echo_b, pong


def cores_script(recorded):
    return CORES % (recorded,)


# -- the peers ---------------------------------------------------------------------------------------


def install_peers(log):
    sys.path.insert(0, os.path.join(HERE, "bench"))
    import peers

    return peers.install_micropython(build_mpy.mpy_cross(), log=log)


def peer_path(dists, mpy_dirs):
    import peers

    dirs = []
    for d in dists:
        for p in peers.micropython_path(d, mpy_dirs):
            if p not in dirs:
                dirs.append(p)
    return dirs + [".frozen"]


def measure_peers(env, runs, log):
    out = {}
    mpy_dirs = install_peers(log)
    for name, (dists, mods, code, note) in PEERS.items():
        row = {"note": note}
        out[name] = row
        if code is None:
            continue
        path = peer_path(dists, mpy_dirs)
        row["path"] = path
        row["import"] = import_cost(mods, path=path)
        try:
            row["session_kib"] = smallest_session_heap(None, runs, env, code=code, path=path)
        except RuntimeError as exc:
            rc, o = run(code, "4M", env, path=path, timeout=30)
            row["session_error"] = "%s: %s" % (exc, o.strip().splitlines()[-1:] if o.strip() else "")
    return out


# -- 32-bit: the WebAssembly port ------------------------------------------------------------------


def measure_wasm(recorded, peer_rows, log):
    """Import heaps, ROMFS imports, peers' imports and the cores on the 32-bit port, and the same
    scripts on the 64-bit unix port from the same bytecode-only files (the ratio)."""
    import mem_wasm

    build_bytecode()
    files = mem_wasm.tree_files(OUT_BC, "/lib")
    # ROMFS image of the bytecode build, for both ports
    bc_rom_dir = ROMFS_DIR + "-bytecode"
    bc_img = ROMFS_IMG.replace(".img", "-bytecode.img")
    shutil.rmtree(bc_rom_dir, ignore_errors=True)
    shutil.copytree(os.path.join(OUT_BC, "microhttpc"), os.path.join(bc_rom_dir, "lib", "microhttpc"))
    mpremote = os.path.join(os.path.dirname(sys.executable), "mpremote")
    subprocess.run([mpremote if os.path.exists(mpremote) else "mpremote", "romfs", "-o", bc_img, "build",
                    bc_rom_dir], check=True, stdout=subprocess.DEVNULL, timeout=120)
    with open(bc_img, "rb") as f:
        files["/romfs.img"] = f.read()
    jobs = []  # (section, name, script for wasm, script for unix, unix MICROPYPATH)
    for name, mods in PATHS.items():
        code = IMPORT_COST % (_pre(mods), tuple(m for m in mods if m != "asyncio"))
        jobs.append(("import", name, code, code, [OUT_BC, ".frozen"]))
    for name, mods in PATHS.items():
        jobs.append(("romfs", name, romfs_script(mods, "/romfs.img"), romfs_script(mods, bc_img), [".frozen"]))
    core = cores_script(recorded)
    jobs.append(("cores", "cores", core, core, [OUT_BC, ".frozen"]))
    for name, row in peer_rows.items():
        if "path" not in row:
            continue
        mods = PEERS[name][1]
        code = IMPORT_COST % ("", mods)
        for d in row["path"]:
            if d != ".frozen":
                files.update(mem_wasm.tree_files(d, "/lib"))
        jobs.append(("peers", name, code, code, row["path"]))
    results = mem_wasm.run([j[2] for j in jobs], files, log=log)
    out = {"import": {}, "romfs": {}, "peers": {}, "port": "%s@%s" % (mem_wasm.PACKAGE, mem_wasm.VERSION)}
    b64 = {"import": {}, "romfs": {}, "peers": {}}
    for (section, name, _, ucode, upath), (ok, text) in zip(jobs, results):
        if section == "cores":
            out["cores"] = parse_cores(text) if ok else None
            rc, utext = run(ucode, path=upath)
            out["cores_64"] = parse_cores(utext)
            if not ok:
                out["cores_error"] = text.strip().splitlines()[-1:]
            continue
        try:
            out[section][name] = _heap_line(text, "wasm") if ok else None
        except RuntimeError:
            out[section][name] = None
        if out[section][name] is None:
            out.setdefault("errors", {})["%s: %s" % (section, name)] = text.strip().splitlines()[-1:]
        rc, utext = run(ucode, path=upath)
        b64[section][name] = _heap_line(utext, "unix %s %s" % (section, name))
    out["bytecode_64"] = b64
    return out


# -- the tables --------------------------------------------------------------------------------------


def _kb(n):
    return "%.1f" % (n / 1024.0) if n is not None else "n/a"


def _ratio(a, b):
    return "%.2f" % (float(a) / b) if a is not None and b else "n/a"


def tables(res):
    """The markdown tables (README and NOTES) from the results."""
    lines = []
    imp, rom = res["import"], res.get("romfs", {})
    w = res.get("wasm")
    lines.append("Heap kept by importing each path, KiB (`gc.mem_alloc()` after `gc.collect()`); 64-bit: "
                 "the unix port, `.mpy` with native kernels; 32-bit: the WebAssembly port, bytecode-only "
                 "`.mpy`; ratio 32/64 from the same bytecode-only files on both ports.")
    lines.append("")
    lines.append("| path | 64-bit, .mpy in RAM | 64-bit, ROMFS in place | 32-bit, .mpy in RAM | 32-bit, ROMFS "
                 "in place | ratio 32/64 (RAM) |")
    lines.append("|---|---|---|---|---|---|")
    for name in PATHS:
        if w:
            w32, r32 = w["import"].get(name), w["romfs"].get(name)
            ratio = _ratio(w32, w["bytecode_64"]["import"].get(name))
        else:
            w32 = r32 = None
            ratio = "n/a"
        lines.append("| %s | %s | %s | %s | %s | %s |" % (name, _kb(imp[name]), _kb(rom.get(name)), _kb(w32),
                                                        _kb(r32), ratio))
    lines.append("")
    st = res.get("stages")
    if st:
        lines.append("The demo session (`Connection` + `upgrade`, 64-bit): heap in use at each stage, KiB, and "
                     "the smallest `-X heapsize` in which it passes %d fresh runs of %d, as in every size up to %d KiB "
                     "above it (fragmentation does not shrink as the heap grows):" % (res["runs"], res["runs"], ABOVE))
        lines.append("")
        lines.append("| " + " | ".join(STAGE_NAMES[1:]) + " | smallest heap, `Connection` + `upgrade` | "
                     "smallest heap, `ws_connect` |")
        lines.append("|" + "---|" * (len(STAGE_NAMES) + 1))
        lines.append("| " + " | ".join(_kb(st[s]) for s in STAGE_NAMES[1:]) + " | %d KiB | %d KiB |"
                     % (res["session"]["Connection + upgrade"], res["session"]["ws_connect"]))
        lines.append("")
        if res.get("soak"):
            lines.append("A long session (`ws_connect`, then 5,000 echoes of 1-2048 B, text and binary in turn, "
                         "each checked, then 50 cycles of `ws_connect` + echo + close) passes with no "
                         "`MemoryError` in %d fresh runs of %d in every heap from %d KiB to %d KiB above it (the goal "
                         "is 80 KiB: the echoes pass in 80, and the first reconnect needs the rest, its HTTP modules loading "
                         "again beside the closed WebSocket's, which the application's `ws` still holds)."
                         % (res["runs"], res["runs"], res["soak"], ABOVE))
            lines.append("")
    c64 = w.get("cores_64") if w else res.get("cores")
    c32 = w.get("cores") if w else None
    if c64:
        lines.append("The sans-I/O cores fed with recorded bytes (%s; bytes). "
                     % ("bytecode-only `.mpy`" if w else "64-bit: `.mpy` with native kernels") +
                     "\"allocates\": every block handed out by one call sequence on a warmed-up object, "
                     "garbage included (collector disabled in between):")
        lines.append("")
        lines.append("| what | 64-bit | 32-bit | ratio 32/64 |")
        lines.append("|---|---|---|---|")
        labels = [
            ("import http11", "`http11` import keeps"),
            ("import rfc6455", "`rfc6455` import keeps (after http11)"),
            ("parser object", "a `ResponseParser` keeps"),
            ("parse 200", "parse of `200` head + 11 B body allocates"),
            ("parse 101", "parse of the `101` head allocates"),
            ("check 101", "check of the `101` (Sec-WebSocket-Accept: SHA-1, base64) allocates"),
            ("protocol object", "a `Protocol` keeps"),
            ("ws text 16 B", "16 B text round trip allocates"),
            ("ws binary 256 B", "256 B binary round trip allocates"),
            ("ws ping", "PING + PONG allocates"),
        ]
        for key, label in labels:
            a = c64.get(key)
            b = c32.get(key) if c32 else None
            if key == "check 101" and c32 and not c32.get("hashlib.sha1"):
                label += " (32-bit: that port's `hashlib` has no SHA-1, so the pure-Python fallback runs)"
            lines.append("| %s | %s | %s | %s |" % (label, a, b if b is not None else "n/a", _ratio(b, a)))
        lines.append("")
    peers_ = res.get("peers")
    if peers_:
        lines.append("Peers, the same session as far as each can (GET /hello, WebSocket to /ws, text and binary "
                     "echo, ping, close; all `.mpy` in RAM): import heap KiB and smallest heap KiB (as above: every "
                     "size up to %d KiB larger passes too), with "
                     "the ratio microhttpc / peer (below 1.00: microhttpc takes less):" % ABOVE)
        lines.append("")
        lines.append("| client | import, 64-bit | import, 32-bit | smallest heap, 64-bit | ratio import (64) | "
                     "ratio heap | notes |")
        lines.append("|---|---|---|---|---|---|---|")
        mi = imp["blocking HTTP + WebSocket"]
        ms = res["session"]["Connection + upgrade"]
        mw = w["import"].get("blocking HTTP + WebSocket") if w else None
        lines.append("| microhttpc (blocking HTTP + WebSocket) | %s | %s | %d | 1.00 | 1.00 | the demo session "
                     "on one connection |" % (_kb(mi), _kb(mw), ms))
        for name, row in peers_.items():
            pw = w["peers"].get(name) if w else None
            if "import" not in row:
                lines.append("| %s | n/a | n/a | n/a | n/a | n/a | %s |" % (name, row["note"]))
                continue
            heap = row.get("session_kib")
            note = row["note"] + ("; session failed: %s" % row["session_error"] if "session_error" in row else "")
            lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                name, _kb(row["import"]), _kb(pw), heap if heap else "n/a", _ratio(mi, row["import"]),
                _ratio(ms, heap), note))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def board_table(res):
    """The memory table of boards/*/NOTES.md: 64-bit measured; 32-bit measured on the WebAssembly port
    where it can run it (imports), else derived from the 64-bit figure and the measured 32/64 ratio of
    the code it has loaded (marked so)."""
    w = res.get("wasm")
    st = res["stages"]
    http, both = "blocking HTTP", "blocking HTTP + WebSocket"

    def ratio(path):
        if w and w["import"].get(path) and w["bytecode_64"]["import"].get(path):
            return float(w["import"][path]) / w["bytecode_64"]["import"][path]
        return None

    def measured(n):
        return "%s KiB (measured)" % _kb(n) if n else "n/a"

    def derived(n, r, unit="KB"):
        if r is None:
            return "n/a"
        if unit == "KiB":
            return "~%d KiB (64-bit x %.2f)" % (round(n * r), r)
        return "~%s KiB (64-bit x %.2f)" % (_kb(n * r), r)

    lines = ["| what | 64-bit unix port (measured) | 32-bit (WebAssembly port) |", "|---|---|---|"]
    rows = [
        ("code of blocking HTTP loaded from `.mpy` (import)", "%s KiB" % _kb(res["import"][http]),
         measured(w and w["import"].get(http))),
        ("code of HTTP + WebSocket loaded from `.mpy` (import)", "%s KiB" % _kb(res["import"][both]),
         measured(w and w["import"].get(both))),
        ("the same from a ROMFS image (bytecode runs in place)", "%s KiB" % _kb(res["romfs"][both]),
         measured(w and w["romfs"].get(both))),
        ("HTTP connection open after a GET", "%s KiB" % _kb(st["GET"]), derived(st["GET"], ratio(http))),
        ("+ WebSocket upgraded on it", "%s KiB" % _kb(st["upgrade"]), derived(st["upgrade"], ratio(both))),
        ("smallest heap that runs the demo session", "%d KiB" % res["session"]["Connection + upgrade"],
         derived(res["session"]["Connection + upgrade"], ratio(both), "KiB")),
    ]
    for r in rows:
        lines.append("| %s | %s | %s |" % r)
    return "\n".join(lines) + "\n"


def _replace(path, text, name="mem"):
    with open(path) as f:
        doc = f.read()
    b, e = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    if b not in doc or e not in doc:
        raise RuntimeError("%s has no %s ... %s markers" % (path, b, e))
    head, rest = doc.split(b, 1)
    _, tail = rest.split(e, 1)
    new = head + b + "\n" + text + e + tail
    if new != doc:
        with open(path, "w") as f:
            f.write(new)
        return True
    return False


def write_docs(res, name="mem"):
    """Regenerate the ``name`` tables ("mem": the memory tables; "conns": the connections table)."""
    import mem_conns

    changed = []
    if name == "mem":
        readme, board = tables(res), board_table(res)
    else:
        readme = board = mem_conns.table(res["conns"])
    if _replace(os.path.join(ROOT, "README.md"), readme, name):
        changed.append("README.md")
    for b in ("esp32", "rp2-pico-w"):
        p = os.path.join(ROOT, "boards", b, "NOTES.md")
        if _replace(p, board, name):
            changed.append(os.path.relpath(p, ROOT))
    return changed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="fresh runs that must all pass at a heap size")
    ap.add_argument("--write", action="store_true", help="regenerate the memory tables in README.md and boards/")
    ap.add_argument("--skip", default="", help="comma-separated parts to leave out: peers, wasm, conns")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    t0 = time.time()
    build()
    import servers

    def log(msg):
        print(msg, flush=True)

    srv = servers.start()
    env = dict(os.environ)
    env.update(srv.env())
    res = {"runs": args.runs, "micropython": run("import sys; print(sys.version)")[1].strip()}
    try:
        log("Heap kept by importing each path (64-bit unix port, .mpy in RAM / ROMFS in place, bytes):")
        res["import"], res["romfs"] = {}, {}
        romfs_image()
        for name, mods in PATHS.items():
            res["import"][name] = import_cost(mods)
            res["romfs"][name] = romfs_import_cost(mods)
            log("  %-28s %7d %7d" % (name, res["import"][name], res["romfs"][name]))
        log("Smallest -X heapsize for the demo session (%d of %d fresh runs pass):" % (args.runs, args.runs))
        res["session"] = {}
        for name, wsc in (("Connection + upgrade", False), ("ws_connect", True)):
            res["session"][name] = smallest_session_heap(wsc, args.runs, env)
            log("  %-28s %5d KiB" % (name, res["session"][name]))
        res["soak"] = smallest_session_heap(None, args.runs, env, lo=64, hi=256, code=SOAK)
        log("  %-28s %5d KiB (5,000 echoes of 1-2048 B, then 50 reconnects; no MemoryError)" % ("soak",
                                                                                                res["soak"]))
        res["stages"] = stages(env)
        log("Heap in use along the demo session (bytes): " + ", ".join(
            "%s %d" % (s, res["stages"][s]) for s in STAGE_NAMES))
        recorded = record(srv.addresses["http"])
        rc, out = run(cores_script(recorded))
        res["cores"] = parse_cores(out)
        log("Cores (64-bit, native kernels; bytes): " + ", ".join("%s %d" % kv for kv in res["cores"].items()))
        res["peers"] = {}
        if "peers" in skip:
            log("Peers: skipped (--skip peers)")
        else:
            try:
                res["peers"] = measure_peers(env, args.runs, log)
                for name, row in res["peers"].items():
                    log("  %-55s import %s, session %s" % (name, row.get("import", "n/a"),
                                                           row.get("session_kib", row.get("session_error", "n/a"))))
            except Exception as exc:  # no registry here, say why and go on
                log("Peers: not measured (%s: %s)" % (type(exc).__name__, exc))
        if "wasm" in skip:
            log("32-bit WebAssembly port: skipped (--skip wasm)")
        else:
            import mem_wasm

            try:
                res["wasm"] = measure_wasm(recorded, res["peers"], log)
            except mem_wasm.Unavailable as exc:
                log("32-bit WebAssembly port: not measured (%s)" % exc)
            except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
                log("32-bit WebAssembly port: not measured (%s: %s)" % (type(exc).__name__, exc))
        if "conns" in skip:
            log("Connections and larger-than-heap streams: skipped (--skip conns)")
        else:
            import mem_conns

            res["conns"] = mem_conns.measure(env, args.runs, log)
    finally:
        srv.stop()
    res["seconds"] = round(time.time() - t0, 1)
    os.makedirs(os.path.dirname(JSON_OUT), exist_ok=True)
    with open(JSON_OUT, "w") as f:
        json.dump(res, f, indent=1)
    print()
    print(tables(res))
    if "conns" in res:
        import mem_conns

        print(mem_conns.table(res["conns"]))
    if args.write:
        if "wasm" not in res or not res["peers"]:
            print("--write: memory tables not written, the run lacks the 32-bit or the peers' figures")
        else:
            print("written: %s" % (", ".join(write_docs(res)) or "nothing changed"))
        if "conns" in res:
            print("written (connections): %s" % (", ".join(write_docs(res, "conns")) or "nothing changed"))
    print("(%.0f s; results in %s)" % (res["seconds"], os.path.relpath(JSON_OUT, ROOT)))


if __name__ == "__main__":
    main()
