"""`make bench`: microhttpc side by side with its peers, on the MicroPython unix port and on CPython.

    python tools/bench/run.py [--quick] [--rounds N] [--secs S] [--only SUITE,...] [--profile CASE]

Suites (each against local servers on 127.0.0.1 started here, tools/servers.py):
  mp-ws     MicroPython unix port, WebSocket echo against the `websockets` server: round trips/s with
            16 B and 1 KiB text messages, throughput with 32 KiB binary messages; heap cost of importing
            each client and of one open connection (gc.mem_alloc deltas after gc.collect)
  mp-http   MicroPython unix port, sequential GET /hello against aiohttp (keep-alive where the client can)
  cpy-ws    CPython, WebSocket echo: 16 B / 1 KiB text round trips/s, 1 MiB binary throughput
  cpy-http  CPython, keep-alive GET /hello requests/s and a 1 MiB body download

Every measurement runs one client in its own process (tools/bench/harness.py), so heaps and
runtimes are isolated; rounds interleave the clients (the order rotates each round) and the table
shows medians, with each peer's ratio to microhttpc (microhttpc = 1.00; for rates higher is faster,
for heap lower is smaller).  MicroPython: short trial runs first find the heap each client needs per
case (128 KiB, doubled after each failure up to 4 MiB: some peers swallow their MemoryError and fail
otherwise); every client of a case is then measured with the largest of these, so none gains by
fewer garbage collections.
Results also go to build/bench.json; the tables printed are those of docs/performance.md (paste them
there; the README keeps a summary).  Peers come from PyPI into .cache/peers/ (tools/bench/peers.py).

``--profile CASE`` (e.g. ``ws:16:text``, ``http:/hello``) instead runs microhttpc once on CPython
under cProfile and prints the functions with the most own time.
"""

import argparse
import json
import os
import platform
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
MP_HEAP_MAX = 4 * 1024 * 1024

# name shown -> (adapter module in clients/, MicroPython peer distribution or None)
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
]
MP_HTTP_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("micropython-urequests 0.9.1", "urequests", "micropython-urequests"),
    ("chumicro-requests 0.21.3", "chumicro_requests", "chumicro-requests"),
]
CPY_WS_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("websockets (sync)", "websockets_sync", None),
    ("websocket-client", "websocket_client", None),
]
CPY_HTTP_CLIENTS = [
    ("microhttpc", "microhttpc", None),
    ("http.client", "http_client", None),
    ("h11 + socket", "h11_socket", None),
]

# A case: (id for harness.py, column title, unit, bytes per operation for throughput or 0 for a rate)
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
            ("ws:32768:binary", "32 KiB binary, KiB/s echoed", 32768),
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
            ("ws:1048576:binary", "1 MiB binary, MiB/s echoed", 1048576),
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
    def __init__(self, addresses, mp_dirs, cpy_peers, secs):
        self.addresses = addresses
        self.mp_dirs = mp_dirs
        self.cpy_peers = cpy_peers
        self.secs = secs
        self.bin = os.path.dirname(sys.executable)
        self.needed = {}  # (adapter, case) -> smallest heap (power of two from 128K) that ran on MicroPython
        self.common = {}  # case -> heap every MicroPython client of that case is measured with

    def micropython(self):
        mp = os.path.join(self.bin, "micropython")
        return mp if os.path.exists(mp) else "micropython"

    def command(self, runtime, adapter, peer, case, server, heap, secs):
        harness = os.path.join(HERE, "harness.py")
        args = [adapter, case, self.addresses[server], "%g" % secs]
        env = dict(os.environ)
        if runtime == "micropython":
            path = [os.path.join(ROOT, "build", "mpy"), ".frozen"]
            if peer:
                path += peers.micropython_path(peer, self.mp_dirs)
            env["MICROPYPATH"] = os.pathsep.join(path)
            return [self.micropython(), "-X", "heapsize=%d" % heap, harness] + args, env
        env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "firmware"), self.cpy_peers])
        return [sys.executable, harness] + args, env

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
                self.common[case] = worst
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
                        runtime, adapter, peer, case, server, heap=runner.common.get(case, MP_HEAP)
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
                if rate is not None and nbytes:
                    rate = rate * nbytes / (1024.0 if nbytes < 1048576 else 1048576.0)
                s = summary.setdefault(name, {})
                s[case] = {
                    "value": rate,
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
                v, b = summary[name][case]["value"], base[case]["value"]
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
        out.append("### " + title + "\n")
        if runtime == "micropython":
            used = []
            for c, label, _ in cases:
                hs = [summary[n][c]["heapsize"] for n in names if summary[n][c]["heapsize"]]
                used.append("%s %dK" % (label.split(",")[0], max(hs) // 1024) if hs else label)
            out.append("Heap (`-X heapsize`, the same for every client of a case): %s.\n" % ", ".join(used))
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
        if spreads:
            out.append("")
            out.append(
                "Round-to-round spread of the rates, (max - min) / median: median %d%%, largest %d%%."
                % (round(100 * statistics.median(spreads)), round(100 * max(spreads)))
            )
        out.append("")
    return "\n".join(out)


def profile(case, secs, cpy_peers):
    """Run microhttpc once on CPython under cProfile; print the top functions by own time."""
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round of short runs (under a minute)")
    ap.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5, quick 1)")
    ap.add_argument(
        "--secs", type=float, default=None, help="seconds per measurement (default 1.0, quick 0.25)"
    )
    ap.add_argument("--only", default="", help="comma-separated suites: " + ",".join(s[0] for s in SUITES))
    ap.add_argument("--profile", metavar="CASE", help="profile microhttpc on CPython for one case instead")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench.json"))
    args = ap.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    secs = args.secs or (0.25 if args.quick else 1.0)

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
    srv = start_servers()
    try:
        runner = Runner(srv.addresses, mp_dirs, cpy_peers, secs)
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
        "peers": {"micropython": peers.MP_PEERS, "cpython": peers.bench_extra()},
    }
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "results": results, "tables": tables}, f, indent=1)
    print()
    print(
        "microhttpc vs peers: medians of %d interleaved round(s) x %g s; (ratio to microhttpc = 1.00)"
        % (rounds, secs)
    )
    print("CPython %s, %s; %s\n" % (meta["cpython"], mp_version or "", meta["machine"]))
    print(tables)
    print("written to %s in %.0f s" % (os.path.relpath(args.out, ROOT), time.time() - t0))


if __name__ == "__main__":
    main()
