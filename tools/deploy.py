"""Deploy microhttpc onto a board with mpremote (optionally as .mpy compiled for the board's CPU).

    python tools/deploy.py --port /dev/ttyUSB0 --board esp32 --mpy --main
    python tools/deploy.py --port /dev/ttyACM0 --board rp2 --mpy          # Pico W (RP2040)
    python tools/deploy.py --port /dev/ttyACM0 --board rp2350 --mpy       # Pico 2 W
    python tools/deploy.py --port /dev/pts/7 --board unix --mpy --main    # a virtual board (tools/vboard.py)
    python tools/deploy.py --board esp32 --mpy --dry-run                  # print the steps only
    python tools/deploy.py --write-package-json     # after adding a module: refresh package.json (mip)

Steps: (1) with --mpy, compile every module with mpy-cross for the board's architecture
(tools/build_mpy.py); (2) ask the board who it is and how much flash is free (counting what an earlier
deploy holds there, in whole blocks), and create ``lib/microhttpc``; (3) remove what an earlier deploy
left there (e.g. ``.py`` sources that would shadow new ``.mpy`` files; only once the check passed: a
refused deploy leaves the board as it was) and copy the package to ``:lib/microhttpc/``; (4) with --main, copy the board's example
``boards/<board>/main.py`` and the user's ``config.py`` (never the template); (5) check that
``import microhttpc`` works on the board and reports this checkout's version.

Uses the mpremote installed next to this Python (the project's venv).  For the unix port every
mpremote call says ``resume``: a soft reset ends that port's process.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import build_mpy  # noqa: E402

PKG = os.path.join(ROOT, "firmware", "microhttpc")

# --board -> (folder under boards/, mpy-cross architecture).  The unix port (a virtual board on this
# machine) gets this host's architecture, so its native kernels are machine code too.
BOARDS = {
    "esp32": ("esp32", "xtensawin"),  # ESP32, ESP32-S2/S3 (Xtensa LX6/LX7); C3/C6 are RISC-V: --march rv32imc
    "rp2": ("rp2-pico-w", "armv6m"),  # RP2040: Pico W
    "rp2350": ("rp2-pico-w", "armv7emsp"),  # RP2350 (Arm cores): Pico 2 W
    "unix": ("unix", build_mpy.host_march()),
}
MARCHES = ("xtensa", "xtensawin", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp", "x86", "x64",
           "rv32imc", "rv64imc")  # (mpy-cross 1.29's -march values)
# Modules MicroPython never imports (CPython's fast paths and asyncio transport): not copied to a board.
CPYTHON_ONLY = ("_cpython.py", "_cpyaio.py")

STEP_TIMEOUT = 120  # seconds for any one mpremote call
PROBE_TIMEOUT = 15  # seconds for the first contact: a board's raw REPL answers within one

_PROBE = """\
import os, sys
def _mk(p):
    try:
        os.mkdir(p)
    except OSError:
        pass
_mk('lib')
_mk('lib/microhttpc')
try:
    _s = os.statvfs('lib')
    _bs, _free = _s[0], _s[0] * _s[4]
except Exception:
    _bs, _free = 1, -1
_keep = %r
_old = 0
for _n in os.listdir('lib/microhttpc'):
    try:
        _old += -(-os.stat('lib/microhttpc/' + _n)[6] // _bs) * _bs  # whole blocks, freed by the deploy
    except OSError:
        pass
print('BOARD', sys.implementation.name, sys.platform, '.'.join(str(x) for x in sys.implementation.version))
print('FREE', _free, _old, _bs)
"""

# Run once the check passed (a refused deploy leaves the board's install as it was): what an older deploy
# left in lib/microhttpc and this one does not replace goes, folders too (a __pycache__ that
# `mpremote cp -r` brought along).
_CLEAN = """\
import os
def _rm(p):
    try:
        os.remove(p)
    except OSError:
        for _m in os.listdir(p):
            _rm(p + '/' + _m)
        os.rmdir(p)
_keep = %r
for _n in os.listdir('lib/microhttpc'):
    if _n not in _keep:
        _rm('lib/microhttpc/' + _n)
"""

_VERIFY = "import microhttpc; print('VERSION', microhttpc.__version__)"


class DeployError(Exception):
    pass


def mpremote():
    here = os.path.join(os.path.dirname(sys.executable), "mpremote")
    return here if os.path.exists(here) else "mpremote"


def local_version():
    with open(os.path.join(PKG, "__init__.py")) as f:
        for line in f:
            if line.startswith("__version__"):
                return line.split("=", 1)[1].strip().strip("\"'")
    raise DeployError("no __version__ in firmware/microhttpc/__init__.py")


def package_files(mpy, march):
    """[(local path, name on the board)] for the package, compiling first when ``mpy``."""
    if not mpy:
        names = sorted(n for n in os.listdir(PKG) if n.endswith(".py") and n != "manifest.py" and n not in CPYTHON_ONLY)
        return [(os.path.join(PKG, n), n) for n in names]
    out = os.path.join(ROOT, "build", "mpy-" + (march or "bytecode"))
    print("compiling with mpy-cross%s into %s:" % (" -march=" + march if march else "", os.path.relpath(out, ROOT)),
          flush=True)
    try:
        sizes = build_mpy.build(out, march)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DeployError("mpy-cross failed: %s" % (exc,))
    return [(os.path.join(out, "microhttpc", n), n) for n, _ in sizes if n[:-4] + ".py" not in CPYTHON_ONLY]


class Board:
    """Runs mpremote against one port; every call is bounded by STEP_TIMEOUT."""

    def __init__(self, port, resume, dry_run):
        self.port = port
        self.resume = resume
        self.dry_run = dry_run

    def run(self, *args, timeout=STEP_TIMEOUT):
        cmd = [mpremote(), "connect", self.port] + (["resume"] if self.resume else []) + list(args)
        if self.dry_run:
            print("  $ " + " ".join(_quote(c) for c in cmd), flush=True)
            return ""
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        except FileNotFoundError:
            raise DeployError("mpremote is not installed next to %s (pip install mpremote)" % sys.executable)
        except subprocess.TimeoutExpired:
            raise DeployError("the board on %s does not answer the raw REPL within %d s: is it running "
                              "MicroPython, and no other program (Thonny, screen) using the port? Press reset "
                              "and try again" % (self.port, timeout))
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != 0:
            raise DeployError(explain(out, self.port))
        return out


def explain(out, port):
    """Turn mpremote's output into a one-line reason the user can act on."""
    low = out.lower()
    if "enospc" in low or "errno 28" in low or "no space" in low:
        return "the board's flash is full (ENOSPC): remove files or deploy with --mpy (smaller)\n" + out
    if "failed to access" in low or "could not open port" in low or ("no such file" in low and port in out):
        return "cannot open %s: is the board plugged in and the port right? (mpremote devs lists ports)\n%s" % (
            port, out)
    if "could not enter raw repl" in low or "device disconnected" in low or "timeout" in low:
        return ("the board on %s does not answer the raw REPL: press reset, close other serial terminals "
                "(Thonny, screen), and try again\n%s" % (port, out))
    return "mpremote failed on %s:\n%s" % (port, out)


def _quote(s):
    return s if s and all(c.isalnum() or c in "/._-:=+" for c in s) else "'" + s.replace("'", "'\\''") + "'"


def deploy(port, board, mpy=False, main=False, dry_run=False, march=None):
    folder, default_march = BOARDS[board]
    march = march or default_march
    version = local_version()
    if not dry_run:
        if not port:
            raise DeployError("no --port given: plug the board in and find it with `mpremote devs` "
                              "(Linux /dev/ttyUSB0 or /dev/ttyACM0, macOS /dev/cu.usbserial-*, Windows COM3)")
        if port.startswith("/dev/") and not os.path.exists(port):
            raise DeployError("%s does not exist: is the board plugged in? (`mpremote devs` lists ports)" % port)
    dev = Board(port or "PORT", resume=board == "unix", dry_run=dry_run)

    print("[1/5] package microhttpc %s for --board %s (%s)" % (
        version, board, ".mpy for " + (march or "any port (bytecode)") if mpy else ".py sources"), flush=True)
    files = package_files(mpy, march)
    if not mpy:
        print("      note: compiling .py on the board needs far more heap than running it; prefer --mpy")
    total = sum(os.path.getsize(p) for p, _ in files)

    print("[2/5] asking the board on %s" % (port or "PORT"), flush=True)
    out = dev.run("exec", _PROBE % ([n for _, n in files],), timeout=PROBE_TIMEOUT)
    for line in out.splitlines():
        if line.startswith("BOARD "):
            print("      " + line[6:], flush=True)
        elif line.startswith("FREE "):
            free, old, bs = (int(x) for x in line.split()[1:4])
            if free >= 0:
                # The files there now go (replaced, or removed); each file takes whole blocks (LittleFS: 4 KiB).
                need = sum(-(-os.path.getsize(p) // bs) * bs for p, _ in files)
                print("      %d bytes free (and %d in the files there now), the package needs %d"
                      % (free, old, need), flush=True)
                if free + old < need + 4096:
                    raise DeployError("not enough flash on the board: %d bytes free, %d needed (remove files%s)"
                                      % (free + old, need, "" if mpy else ", or use --mpy"))

    print("[3/5] copying %d files (%d bytes) to :lib/microhttpc/" % (len(files), total), flush=True)
    dev.run("exec", _CLEAN % ([n for _, n in files],))
    args = ["fs", "cp"] + [p for p, _ in files] + [":lib/microhttpc/"]
    dev.run(*args)

    if main:
        bdir = os.path.join(ROOT, "boards", folder)
        extra = [os.path.join(bdir, "main.py")]
        config = os.path.join(bdir, "config.py")
        if os.path.exists(config):
            extra.append(config)
        else:
            print("      note: %s is missing: copy config_template.py to config.py and fill it in"
                  % os.path.relpath(config, ROOT))
        print("[4/5] copying %s to :" % ", ".join(os.path.relpath(p, ROOT) for p in extra), flush=True)
        args = []
        for p in extra:
            args += ["fs", "cp", p, ":" + os.path.basename(p), "+"]
        dev.run(*args[:-1])
    else:
        print("[4/5] no --main: leaving main.py alone", flush=True)

    print("[5/5] checking `import microhttpc` on the board", flush=True)
    out = dev.run("exec", _VERIFY)
    if not dry_run:
        got = [line.split()[1] for line in out.splitlines() if line.startswith("VERSION ")]
        if got != [version]:
            raise DeployError("`import microhttpc` on the board did not report version %s:\n%s" % (version, out))
        print("      microhttpc %s imports on the board: done" % version, flush=True)
    return 0


def package_json():
    """package.json for ``mip``: every module of the package a board imports, URLs relative to the repository root."""
    import json

    names = sorted(n for n in os.listdir(PKG) if n.endswith(".py") and n != "manifest.py" and n not in CPYTHON_ONLY)
    urls = ",\n".join("    " + json.dumps(["microhttpc/" + n, "firmware/microhttpc/" + n]) for n in names)
    return '{\n  "urls": [\n%s\n  ],\n  "deps": [],\n  "version": %s\n}\n' % (
        urls, json.dumps(local_version()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", help="serial port of the board (see `mpremote devs`), or a virtual board's pty")
    ap.add_argument("--board", choices=sorted(BOARDS))
    ap.add_argument("--mpy", action="store_true", help="compile to .mpy for the board's architecture first")
    ap.add_argument("--march", choices=MARCHES, help="override the architecture chosen by --board")
    ap.add_argument("--main", action="store_true", help="also copy boards/<board>/main.py and config.py")
    ap.add_argument("--dry-run", action="store_true", help="print the mpremote commands, touch no board")
    ap.add_argument("--write-package-json", action="store_true", help="rewrite package.json from firmware/")
    args = ap.parse_args(argv)
    if args.write_package_json:
        with open(os.path.join(ROOT, "package.json"), "w") as f:
            f.write(package_json())
        print("wrote package.json")
        return 0
    if not args.board:
        ap.error("--board is required")
    try:
        return deploy(args.port, args.board, mpy=args.mpy, main=args.main, dry_run=args.dry_run, march=args.march)
    except DeployError as exc:
        print("deploy failed: %s" % (exc,), file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
