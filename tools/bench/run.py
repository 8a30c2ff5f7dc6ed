"""`make bench`: microhttpc side by side with its peers, on the MicroPython unix port and on CPython.

    python tools/bench/run.py [--quick] [--rounds N] [--secs S] [--only SUITE,...] [--no-pin] [--write]
                              [--profile CASE]

Suites (each against local servers on 127.0.0.1 started here, tools/servers.py):
  mp-ws     MicroPython unix port, WebSocket echo against the `websockets` server: round trips/s with
            16 B and 1 KiB text messages, throughput with 4 KiB and 32 KiB binary messages, time to
            first message (connect + upgrade + one 16 B echo on a fresh connection, µs); heap cost of
            importing each client and of one open connection (gc.mem_alloc deltas after gc.collect)
  mp-http   MicroPython unix port, sequential GET /hello against aiohttp (keep-alive where the client can)
  cpy-ws    CPython, WebSocket echo: 16 B / 1 KiB text round trips/s, 32 KiB / 1 MiB / 4 MiB binary
            throughput, time to first message
  cpy-http  CPython, keep-alive GET /hello requests/s and a 1 MiB body download
  mp-stream MicroPython, microhttpc and the raw socket: 64 KiB and 1 MiB WebSocket messages through the
            streaming callbacks (on_msg_rx_data / on_msg_rx_complete, poll()) vs recv(), a 1 MiB body
            via readinto(4 KiB) vs read()
  cpy-aio   CPython: microhttpc's asyncio layer (timeout=10) vs its blocking one, and the asyncio limit
            (clients/raw_asyncio.py: the runtime's asyncio with minimal framing, no checks)
  mp-aio    MicroPython: the same (16 B and 64 KiB echo, a 1 MiB GET body)
Every WebSocket/HTTP suite has a row "raw socket (limit)" (clients/raw_socket.py: a plain socket,
hand-written minimal framing, no checks) and a line microhttpc / raw.

Every measurement runs one client in its own process (tools/bench/harness.py), so heaps and
runtimes are isolated; rounds interleave the clients (the order rotates each round) and the table
shows medians, with each client's ratio of rates to the first row (microhttpc = 1.00; higher is
faster, also for the µs columns; for heap lower is smaller).  Unless --no-pin, this process, the
server threads it starts and every client process run on one core (sched_setaffinity and `taskset
-c`): on a 2-core machine a wake-up across cores swings the rates 2-4x.  MicroPython: short trial
runs first find the heap each client needs per case (128 KiB, doubled after each failure up to 16 MiB:
some peers swallow their MemoryError and fail otherwise); every client of a case is then measured
with the largest of these, so none gains by fewer garbage collections.
Results also go to build/bench.json and a plot of throughput against message size to build/bench.svg
(matplotlib, from the `bench` extra); ``--write`` puts the tables between the bench markers of
docs/performance.md and the plot into docs/bench.svg (the README keeps a summary).  Peers come from
PyPI into .cache/peers/ (tools/bench/peers.py).

``--profile CASE`` (e.g. ``ws:16:text``, ``http:/hello``) instead runs microhttpc once on CPython
under cProfile and prints the functions with the most own time; ``--profile mp:CASE`` does it on the
MicroPython unix port, where every function of the package is timed by a wrapper
(tools/bench/mpprofile.py: calls, own and inclusive microseconds per operation).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, HERE)
sys.path.insert(0, TOOLS)

import build_mpy  # noqa: E402
import peers  # noqa: E402
import servers  # noqa: E402

MP_HEAP = 128 * 1024
MP_HEAP_MAX = 16 * 1024 * 1024  # whole 1 MiB messages need 8M on the unix port

# name shown -> (adapter module in clients/, MicroPython peer distribution or None)
RAW = ("raw socket (limit)", "raw_socket", None)  # plain socket, minimal framing, no checks
MP_WS_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("micropython-websocket 1.0.5", "micropython_websocket", "micropython-websocket"),
    (
        "micropython-async-websocket-client 0.3.4",
        "async_websocket_client",
        "micropython-async-websocket-client",
    ),
    ("micropython-websockets 0.1.0", "micropython_websockets", "micropython-websockets"),
    ("chumicro-websockets 0.27.3", "chumicro_websockets", "chumicro-websockets"),
    RAW,
]
MP_HTTP_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("micropython-urequests 0.9.1", "urequests", "micropython-urequests"),
    ("chumicro-requests 0.21.3", "chumicro_requests", "chumicro-requests"),
    RAW,
]
CPY_WS_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("websockets (sync)", "websockets_sync", None),
    ("websocket-client", "websocket_client", None),
    RAW,
]
CPY_HTTP_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("http.client", "http_client", None),
    ("h11 + socket", "h11_socket", None),
    RAW,
]
MP_STREAM_CLIENTS = [
    ("microhttpc, whole message / read()", "microhttpc", None),
    ("microhttpc, streaming callbacks / readinto(4 KiB)", "microhttpc_stream", None),
    RAW,
]
CPY_AIO_CLIENTS = [
    ("microhttpc, blocking", "microhttpc", None),
    ("microhttpc.aio (timeout=10)", "microhttpc_aio", None),
    # the event loop's own cost: minimal framing, no checks (clients/raw_asyncio.py: a buffered protocol
    # on CPython, streams on MicroPython)
    ("raw asyncio (limit)", "raw_asyncio", None),
]
# MicroPython suites whose clients each run with the smallest heap they need (not the largest of the case)
OWN_HEAP = ("mp-stream",)
TTFM = ("ttfm:16:text", "time to first message, µs", -1)  # connect + upgrade + one 16 B echo

# A case: (id for harness.py, column title, bytes per operation for throughput, 0 for a rate, -1 for
# microseconds per operation)
SUITES = [
    (
        "mp-ws",
        "MicroPython unix port: WebSocket echo (websockets server)",
        "micropython",
        "ws",
        MP_WS_CLIENTS,
        [
            ("ws:16:text", "16 B text, round trips/s", 0),
            ("ws:1024:text", "1 KiB text, round trips/s", 0),
            ("ws:4096:binary", "4 KiB binary, KiB/s echoed", 4096),
            ("ws:32768:binary", "32 KiB binary, KiB/s echoed", 32768),
            TTFM,
        ],
    ),
    (
        "mp-http",
        "MicroPython unix port: sequential GET /hello (aiohttp)",
        "micropython",
        "http",
        MP_HTTP_CLIENTS,
        [
            ("http:/hello", "GET /hello, requests/s", 0),
        ],
    ),
    (
        "cpy-ws",
        "CPython: WebSocket echo (websockets server)",
        "cpython",
        "ws",
        CPY_WS_CLIENTS,
        [
            ("ws:16:text", "16 B text, round trips/s", 0),
            ("ws:1024:text", "1 KiB text, round trips/s", 0),
            ("ws:32768:binary", "32 KiB binary, KiB/s echoed", 32768),
            ("ws:1048576:binary", "1 MiB binary, MiB/s echoed", 1048576),
            ("ws:4194304:binary", "4 MiB binary, MiB/s echoed", 4194304),
            TTFM,
        ],
    ),
    (
        "cpy-http",
        "CPython: keep-alive GET (aiohttp)",
        "cpython",
        "http",
        CPY_HTTP_CLIENTS,
        [
            ("http:/hello", "GET /hello, requests/s", 0),
            ("http:/bytes/1048576", "1 MiB body, MiB/s", 1048576),
        ],
    ),
    (
        "mp-stream",
        "MicroPython unix port: streaming vs whole messages (1 MiB)",
        "micropython",
        "ws",
        MP_STREAM_CLIENTS,
        [
            ("ws:65536:binary", "64 KiB WebSocket binary, KiB/s echoed", 65536),
            ("ws:1048576:binary", "1 MiB WebSocket binary, MiB/s echoed", 1048576),
            ("http:/bytes/1048576", "1 MiB HTTP body, MiB/s", 1048576),
        ],
    ),
    (
        "cpy-aio",
        "CPython: asyncio layer vs blocking layer",
        "cpython",
        "ws",
        CPY_AIO_CLIENTS,
        [
            ("ws:16:text", "WebSocket 16 B text, round trips/s", 0),
            ("ws:4194304:binary", "WebSocket 4 MiB binary, MiB/s echoed", 4194304),
            ("http:/bytes/1048576", "1 MiB GET body, MiB/s", 1048576),
        ],
    ),
    (
        "mp-aio",
        "MicroPython unix port: asyncio layer vs blocking layer",
        "micropython",
        "ws",
        CPY_AIO_CLIENTS,
        [
            ("ws:16:text", "WebSocket 16 B text, round trips/s", 0),
            ("ws:65536:binary", "WebSocket 64 KiB binary, KiB/s echoed", 65536),
            ("http:/bytes/1048576", "1 MiB GET body, MiB/s", 1048576),
        ],
    ),
]


_BODIES = {}


async def _fast_nbytes(request):
    """The same body as tools/servers.py's /bytes/N (byte i is i & 0xFF), built once per size: the
    original builds it byte by byte on every request (~30 ms per MiB), which would make the 1 MiB
    download measure the server instead of the clients."""
    from aiohttp import web

    n = int(request.match_info["n"])
    body = _BODIES.get(n)
    if body is None:
        body = _BODIES[n] = (bytes(range(256)) * (n // 256 + 1))[:n]
    return web.Response(body=body, content_type="application/octet-stream")


def start_servers():
    if hasattr(servers, "nbytes"):  # make_app() looks the handler up by name when the servers start
        servers.nbytes = _fast_nbytes
    return servers.start()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Runner:
    def __init__(self, addresses, mp_dirs, cpy_peers, secs, pin=()):
        self.pin = list(pin)  # ["taskset", "-c", CORE] or []
        self.addresses = addresses
        self.mp_dirs = mp_dirs
        self.cpy_peers = cpy_peers
        self.secs = secs
        self.bin = os.path.dirname(sys.executable)
        self.needed = {}  # (adapter, case) -> smallest heap (power of two from 128K) that ran on MicroPython
        self.common = {}  # (suite, case) -> heap every MicroPython client of that case is measured with

    def heap(self, sid, adapter, case):
        """The heap a MicroPython measurement runs with: the common one of the case, or in OWN_HEAP
        suites the smallest this client needs."""
        if sid in OWN_HEAP:
            return self.needed.get((adapter, case), MP_HEAP)
        return self.common.get((sid, case), MP_HEAP)

    def micropython(self):
        mp = os.path.join(self.bin, "micropython")
        return mp if os.path.exists(mp) else "micropython"

    def command(self, runtime, adapter, peer, case, server, heap, secs):
        harness = os.path.join(HERE, "harness.py")
        server = "http" if case.startswith("http:") else "ws"
        args = [adapter, case, self.addresses[server], "%g" % secs]
        env = dict(os.environ)
        if runtime == "micropython":
            path = [os.path.join(ROOT, "build", "mpy"), ".frozen"]
            if peer:
                path += peers.micropython_path(peer, self.mp_dirs)
            env["MICROPYPATH"] = os.pathsep.join(path)
            return self.pin + [self.micropython(), "-X", "heapsize=%d" % heap, harness] + args, env
        env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "firmware"), self.cpy_peers])
        return self.pin + [sys.executable, harness] + args, env

    def once(self, runtime, adapter, peer, case, server, heap=MP_HEAP, secs=None):
        """One measurement; on MicroPython, rerun with twice the heap while it runs out of memory."""
        secs = self.secs if secs is None else secs
        while True:
            cmd, env = self.command(runtime, adapter, peer, case, server, heap, secs)
            try:
                p = subprocess.run(
                    cmd, env=env, capture_output=True, text=True, timeout=60 + 4 * secs, cwd=ROOT
                )
                out = p.stdout
            except subprocess.TimeoutExpired as exc:
                out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
                out += '\nRESULT {"ok": false, "error": "no answer within the time limit"}'
                p = None
            lines = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
            if lines:
                res = json.loads(lines[-1][7:])
            else:
                err = (p.stderr if p else "").strip().splitlines()
                res = {
                    "ok": False,
                    "error": "exit %s: %s" % (p.returncode if p else "?", err[-1] if err else ""),
                }
            if runtime == "micropython":
                res["heapsize"] = heap
                # Any failure, not only a MemoryError: some peers swallow theirs (the async client's
                # handler for it raises a TypeError and recv() returns None).
                if not res["ok"] and heap < MP_HEAP_MAX:
                    heap *= 2
                    continue
            return res

    def discover(self, suites):
        """Find the heap each MicroPython client needs per case (short runs); every client of a case is
        then measured with the largest of these, so no client gains or loses by a bigger heap (a bigger
        heap means fewer garbage collections)."""
        for sid, _title, runtime, server, clients, cases in suites:
            if runtime != "micropython":
                continue
            for case, _, _ in cases:
                worst = MP_HEAP
                for name, adapter, peer in clients:
                    res = self.once(runtime, adapter, peer, case, server, secs=0.05)
                    if res["ok"]:
                        self.needed[(adapter, case)] = res["heapsize"]
                        worst = max(worst, res["heapsize"])
                    else:
                        log("  %s fails %s at %dK: %s" % (name, case, res["heapsize"] // 1024, res["error"]))
                self.common[(sid, case)] = worst
                log(
                    "heap %-8s %-20s %dK for every client (%s)"
                    % (
                        sid,
                        case,
                        worst // 1024,
                        ", ".join(
                            "%s %s"
                            % (
                                n,
                                "%dK" % (self.needed[(a, case)] // 1024)
                                if (a, case) in self.needed
                                else "fails",
                            )
                            for n, a, _ in clients
                        ),
                    )
                )


def median(xs):
    return statistics.median(xs) if xs else None


def fmt_num(x):
    if x is None:
        return "—"
    if x >= 100:
        return "%d" % round(x)
    if x >= 10:
        return "%.1f" % x
    return "%.2f" % x


def run_suites(runner, suites, rounds):
    results = {}
    for sid, title, runtime, _server, clients, cases in suites:
        results[sid] = {"title": title, "runtime": runtime, "cases": {}}
        for case, _, _ in cases:
            results[sid]["cases"][case] = {name: [] for name, _, _ in clients}
    for r in range(rounds):
        for sid, _title, runtime, server, clients, cases in suites:
            for case, _, _ in cases:
                order = clients[r % len(clients) :] + clients[: r % len(clients)]
                for name, adapter, peer in order:
                    t0 = time.time()
                    res = runner.once(
                        runtime, adapter, peer, case, server, heap=runner.heap(sid, adapter, case)
                    )
                    if runtime == "micropython":
                        res["heap_needed"] = runner.needed.get((adapter, case))
                    results[sid]["cases"][case][name].append(res)
                    log(
                        "round %d/%d %-8s %-20s %-42s %s (%.1fs)"
                        % (
                            r + 1,
                            rounds,
                            sid,
                            case,
                            name,
                            "%.0f ops/s" % (res["ops"] / res["secs"])
                            if res["ok"]
                            else "FAILED: " + res["error"],
                            time.time() - t0,
                        )
                    )
    return results


def summarise(results, suites):
    """Medians and ratios per suite, case and client; the tables as markdown text."""
    out = []
    for sid, title, runtime, _server, clients, cases in suites:
        suite = results[sid]
        names = [n for n, _, _ in clients]
        summary = {}
        for case, _label, nbytes in cases:
            for name in names:
                runs = suite["cases"][case][name]
                ok = [x for x in runs if x["ok"]]
                rate = median([x["ops"] / x["secs"] for x in ok])
                value = rate
                if rate is not None and nbytes > 0:
                    value = rate * nbytes / (1024.0 if nbytes < 1048576 else 1048576.0)
                elif rate and nbytes < 0:
                    value = 1e6 / rate  # microseconds per operation
                s = summary.setdefault(name, {})
                s[case] = {
                    "value": value,
                    "rate": rate,
                    "runs": len(runs),
                    "failed": [x.get("error") for x in runs if not x["ok"]],
                    "heapsize": max([x.get("heapsize", 0) for x in runs] or [0]) or None,
                    "heap_needed": ([x.get("heap_needed") for x in runs] or [None])[0],
                    "import_heap": median([x["import_heap"] for x in runs if "import_heap" in x]),
                    "conn_heap": median([x["conn_heap"] for x in runs if "conn_heap" in x]),
                }
        base = summary[names[0]]
        for name in names:
            for case, _, _ in cases:
                v, b = summary[name][case]["rate"], base[case]["rate"]  # of rates: above 1 is faster
                summary[name][case]["ratio"] = v / b if v is not None and b else None
        suite["summary"] = summary

        head = ["client"] + [label for _, label, _ in cases]
        if runtime == "micropython":
            head += ["import heap, KiB", "connection heap, KiB", "heap needed"]
        rows = []
        for name in names:
            row = [name]
            for case, _, _ in cases:
                c = summary[name][case]
                if c["value"] is None:
                    err = c["failed"][0] if c["failed"] else "no run"
                    row.append("fails: %s" % err[:60])
                else:
                    row.append("%s (%.2f)" % (fmt_num(c["value"]), c["ratio"]))
            if runtime == "micropython":
                first = summary[name][cases[0][0]]
                bfirst = base[cases[0][0]]
                for key in ("import_heap", "conn_heap"):
                    v, b = first[key], bfirst[key]
                    row.append(
                        "—"
                        if v is None
                        else "%.1f (%.2f)" % (v / 1024.0, v / b)
                        if b
                        else "%.1f" % (v / 1024.0)
                    )
                needed = [(label, summary[name][c]["heap_needed"]) for c, label, _ in cases]
                base_heap = needed[0][1]
                extra = [
                    "%s: %s" % (label.split(",")[0], "%dK" % (h // 1024) if h else "fails")
                    for label, h in needed[1:]
                    if h != base_heap
                ]
                row.append(", ".join(["%dK" % (base_heap // 1024) if base_heap else "fails"] + extra))
            rows.append(row)
        out.append("#### " + title + "\n")
        if runtime == "micropython":
            used = []
            for c, label, _ in cases:
                hs = [summary[n][c]["heapsize"] for n in names if summary[n][c]["heapsize"]]
                used.append("%s %dK" % (label.split(",")[0], max(hs) // 1024) if hs else label)
            if sid in OWN_HEAP:
                out.append(
                    "Heap (`-X heapsize`): each client with the smallest it needs (column heap needed): "
                    "streaming is what a small heap allows, and on the unix port a bigger heap made the "
                    "4 KiB reads slower, not faster.\n"
                )
            else:
                out.append(
                    "Heap (`-X heapsize`, the same for every client of a case): %s.\n" % ", ".join(used)
                )
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|")
        for row in rows:
            out.append("| " + " | ".join(row) + " |")
        spreads = []
        for case, _, _ in cases:
            for name in names:
                rates = [x["ops"] / x["secs"] for x in suite["cases"][case][name] if x["ok"]]
                if len(rates) > 1:
                    spreads.append((max(rates) - min(rates)) / statistics.median(rates))
        if RAW[0] in names:
            limits = []
            for case, label, _ in cases:
                r = summary[RAW[0]][case]["ratio"]
                limits.append("%s %s" % (label.split(",")[0], "%.2f" % (1 / r) if r else "—"))
            out.append("")
            out.append("microhttpc / raw socket (limit), rates: " + ", ".join(limits) + ".")
        if spreads:
            out.append("")
            out.append(
                "Round-to-round spread of the rates, (max - min) / median: median %d%%, largest %d%%."
                % (round(100 * statistics.median(spreads)), round(100 * max(spreads)))
            )
        out.append("")
    return "\n".join(out)


def pin_core(enable):
    """Pin this process (and so the server threads started after, and every client process) to one
    core; return the prefix for client commands and a sentence for the header.  On a 2-core machine a
    wake-up across cores swings the rates 2-4x; on one core server and client hand over directly."""
    if not enable:
        return [], "server and clients unpinned (--no-pin)"
    if not hasattr(os, "sched_setaffinity"):
        return [], "server and clients unpinned (no sched_setaffinity here)"
    cores = sorted(os.sched_getaffinity(0))
    core = cores[-1]
    os.sched_setaffinity(0, {core})  # threads started from here on inherit it
    taskset = shutil.which("taskset")
    if taskset:
        return [taskset, "-c", str(core)], "server and every client pinned to core %d (taskset -c %d)" % (
            core,
            core,
        )
    return [], "server and every client pinned to core %d (inherited affinity; no taskset)" % core


def plot(results, suites, path, cpy_peers):
    """Throughput against message size, per runtime: microhttpc, each peer and the raw limit (the
    WebSocket echo cases, bytes echoed per second; log-log).  Returns False if matplotlib is missing."""
    if cpy_peers not in sys.path:
        sys.path.append(cpy_peers)  # matplotlib comes with the bench extra
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        log("no plot: %s" % exc)
        return False
    panels = [s for s in suites if s[0] in ("mp-ws", "cpy-ws") and s[0] in results]
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.6), squeeze=False)
    for ax, (sid, title, _rt, _srv, clients, cases) in zip(axes[0], panels):
        summary = results[sid]["summary"]
        sizes = [(int(c.split(":")[1]), c) for c, _, _ in cases if c.startswith("ws:")]
        for name, _, _ in clients:
            xs, ys = [], []
            for size, case in sizes:
                rate = summary[name][case]["rate"]
                if rate:
                    xs.append(size)
                    ys.append(rate * size / 1048576.0)
            if xs:
                style = "k--" if name == RAW[0] else ("o-" if name == "microhttpc" else ".-")
                ax.plot(xs, ys, style, label=name, linewidth=2.2 if name == "microhttpc" else 1.2)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("message size, bytes")
        ax.set_ylabel("MiB/s echoed (median)")
        ax.set_title(title.split(":")[0] + ": WebSocket echo", fontsize=11)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None} if path.endswith(".svg") else None)
    plt.close(fig)
    return True


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_doc(path, text):
    """Replace what lies between the bench markers of ``path`` with ``text``."""
    with open(path) as f:
        doc = f.read()
    i, j = doc.find(BEGIN), doc.find(END)
    if i < 0 or j < i:
        raise SystemExit("%s has no %s ... %s markers" % (path, BEGIN, END))
    with open(path, "w") as f:
        f.write(doc[: i + len(BEGIN)] + "\n" + text.rstrip() + "\n" + doc[j:])


def profile(case, secs, cpy_peers):
    """Run microhttpc once on CPython under cProfile; print the top functions by own time.  ``mp:CASE``:
    on the MicroPython unix port instead, timed by wrappers (tools/bench/mpprofile.py)."""
    if case.startswith("mp:"):
        return profile_micropython(case[3:], secs)
    srv = start_servers()
    try:
        server = "ws" if case.startswith("ws:") else "http"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "firmware"), cpy_peers]))
        prof = os.path.join(ROOT, "build", "bench-%s.prof" % case.replace(":", "_").replace("/", "_"))
        cmd = [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            prof,
            os.path.join(HERE, "harness.py"),
            "microhttpc",
            case,
            srv.addresses[server],
            "%g" % secs,
        ]
        subprocess.run(cmd, env=env, timeout=120 + secs, cwd=ROOT, check=True)
    finally:
        srv.stop()
    import pstats

    st = pstats.Stats(prof)
    st.strip_dirs().sort_stats("tottime").print_stats(25)
    print("(profile saved to %s)" % os.path.relpath(prof, ROOT))


def profile_micropython(case, secs):
    """microhttpc on the MicroPython unix port for one case, every function of the package timed by a
    wrapper (MicroPython has no cProfile; see tools/bench/mpprofile.py)."""
    build_mpy.build(os.path.join(ROOT, "build", "mpy"), build_mpy.host_march(), quiet=True)
    srv = start_servers()
    try:
        server = "http" if case.startswith("http:") else "ws"
        env = dict(os.environ, MICROPYPATH=os.pathsep.join([os.path.join(ROOT, "build", "mpy"), ".frozen"]))
        mp = os.path.join(os.path.dirname(sys.executable), "micropython")
        cmd = [mp if os.path.exists(mp) else "micropython", "-X", "heapsize=8M",
               os.path.join(HERE, "mpprofile.py"), case, srv.addresses[server], "%g" % secs]
        subprocess.run(cmd, env=env, timeout=120 + 4 * secs, cwd=ROOT, check=True)
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round of short runs (under a minute)")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5, quick 1)")
    ap.add_argument(
        "--secs", type=float, default=None, help="seconds per measurement (default 1.0, quick 0.25)"
    )
    ap.add_argument("--only", default="", help="comma-separated suites: " + ",".join(s[0] for s in SUITES))
    ap.add_argument("--profile", metavar="CASE",
                    help="profile microhttpc on CPython for one case instead (mp:CASE: on MicroPython)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench.json"))
    ap.add_argument("--no-pin", action="store_true", help="leave server and clients unpinned")
    ap.add_argument(
        "--write",
        action="store_true",
        help="write the tables and the plot into docs/ (performance.md, bench.svg)",
    )
    args = ap.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    secs = args.secs or (0.2 if args.quick else 1.0)

    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    cpy_peers = peers.install_cpython(log=log)
    if args.profile:
        profile(args.profile, max(secs, 2.0), cpy_peers)
        return
    suites = [s for s in SUITES if not args.only or s[0] in args.only.split(",")]
    mp_dirs = {}
    if any(s[2] == "micropython" for s in suites):
        build_mpy.build(os.path.join(ROOT, "build", "mpy"), build_mpy.host_march(), quiet=True)
        mp_dirs = peers.install_micropython(build_mpy.mpy_cross(), log=log)

    t0 = time.time()
    pin, pinned = pin_core(not args.no_pin)
    log(pinned)
    srv = start_servers()
    try:
        runner = Runner(srv.addresses, mp_dirs, cpy_peers, secs, pin)
        runner.discover(suites)
        results = run_suites(runner, suites, rounds)
    finally:
        srv.stop()
    tables = summarise(results, suites)
    mp_version = (
        subprocess.run(
            [runner.micropython(), "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        if mp_dirs
        else None
    )
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "rounds": rounds,
        "secs_per_run": secs,
        "wall_secs": round(time.time() - t0, 1),
        "cpython": platform.python_version(),
        "micropython": mp_version,
        "machine": "%s, %s cores" % (platform.machine(), os.cpu_count()),
        "pinning": pinned,
        "peers": {"micropython": peers.MP_PEERS, "cpython": peers.bench_extra()},
    }
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "results": results, "tables": tables}, f, indent=1)
    header = (
        "The run below: %s, %d interleaved round(s) x %g s per measurement, medians; %s.  "
        "CPython %s; MicroPython unix port %s; %s.  In brackets: the ratio of rates to the first row (above 1.00 is faster; "
        "for µs columns too, so a peer at 2.00 needs half the time); heap: above 1.00 takes more.\n"
        % (
            meta["date"],
            rounds,
            secs,
            pinned,
            meta["cpython"],
            mp_version or "no MicroPython",
            meta["machine"],
        )
    )
    print()
    print(header)
    print(tables)
    svg = os.path.join(ROOT, "build", "bench.svg")
    if plot(results, suites, svg, cpy_peers):
        print("plot: %s" % os.path.relpath(svg, ROOT))
    if args.write:
        if len(suites) != len(SUITES):
            raise SystemExit("--write needs every suite (no --only)")
        doc_svg = os.path.join(ROOT, "docs", "bench.svg")
        if os.path.exists(svg):
            shutil.copyfile(svg, doc_svg)
        write_doc(
            os.path.join(ROOT, "docs", "performance.md"),
            header + "\n![throughput against message size](bench.svg)\n\n" + tables,
        )
        print("written to docs/performance.md and docs/bench.svg")
    print("written to %s in %.0f s" % (os.path.relpath(args.out, ROOT), time.time() - t0))


if __name__ == "__main__":
    main()
