"""Which functions of the package get their call frame from the heap on MicroPython.

MicroPython's VM keeps a function's state (its locals and value stack, and 3 words per nested
``try``) on the C stack only when it fits in 11 machine words (``VM_MAX_STATE_ON_STACK`` in
py/objfun.c); a larger frame is allocated from the heap at every call and freed at its return.  That
costs an allocation per call, and with much uncollected garbage in the heap the allocator's search
for the frame grows with it: a streamed WebSocket message read through functions with heap frames
ran 14 times slower in a 32 MiB heap than in a 4 MiB one.  The per-read paths are kept to small
frames; ``host_tests/test_frames.py`` holds them to it.

The frame size is read from the bytecode prelude of each function in a bytecode-only ``.mpy`` (the
format of MicroPython 1.22+, ``.mpy`` version 6): ``n_state`` (locals + stack) and ``n_exc_stack``.

    python tools/mpyframes.py [--all] [MODULE ...]   # the functions of firmware/microhttpc
"""

import ast
import os
import subprocess
import sys
import tempfile

import build_mpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "firmware", "microhttpc")
STACK_WORDS = 11  # VM_MAX_STATE_ON_STACK / sizeof(mp_uint_t)
EXC_WORDS = 3  # sizeof(mp_exc_stack_t) in words: handler, value stack pointer, saved exception


def words(n_state, n_exc):
    """The frame's state in machine words (the same count on 32- and 64-bit ports)."""
    return n_state + EXC_WORDS * n_exc


def on_heap(n_state, n_exc):
    return words(n_state, n_exc) > STACK_WORDS


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def vuint(self):
        """A variable-length unsigned integer: 7 bits per byte, most significant group first."""
        n = 0
        while True:
            b = self.byte()
            n = (n << 7) | (b & 0x7F)
            if not b & 0x80:
                return n

    def skip(self, n):
        self.pos += n


# Constant object kinds of .mpy version 6 (py/persistentcode.h, MP_PERSISTENT_OBJ_*).
_OBJ_NO_DATA = (0, 1, 2, 3, 4)  # fun table, None, False, True, Ellipsis
_OBJ_STR, _OBJ_BYTES, _OBJ_TUPLE = 5, 6, 10  # int, float, complex (7-9): a length and their repr


def _skip_obj(r):
    kind = r.byte()
    if kind in _OBJ_NO_DATA:
        return
    if kind == _OBJ_TUPLE:
        for _ in range(r.vuint()):
            _skip_obj(r)
        return
    n = r.vuint()
    r.skip(n + (1 if kind in (_OBJ_STR, _OBJ_BYTES) else 0))  # str and bytes end with a NUL


def _signature(r):
    """The prelude signature: (n_state, n_exc_stack)."""
    z = r.byte()
    s = (z >> 3) & 0xF
    e = (z >> 2) & 0x1
    n = 0
    while z & 0x80:
        z = r.byte()
        s |= (z & 0x30) << (2 * n)
        e |= (z & 0x02) << n
        n += 1
    return s + 1, e


def _size(r):
    """The prelude size: (bytes of the info part, bytes of the cell part)."""
    i = c = n = 0
    while True:
        z = r.byte()
        c |= (z & 0x1) << n
        i |= ((z & 0x7E) >> 1) << (6 * n)
        if not z & 0x80:
            return i, c
        n += 1


def read(path):
    """[(qualified name, n_state, n_exc_stack)] of every bytecode function in the .mpy at ``path``."""
    with open(path, "rb") as f:
        r = _Reader(f.read())
    if r.byte() != ord("M") or r.byte() != 6:
        raise ValueError("%s: not a version 6 .mpy" % path)
    flags = r.byte()
    r.byte()  # small int bits
    if flags & 0x40:
        r.vuint()  # architecture flags
    qstrs = []
    n_qstr = r.vuint()
    n_obj = r.vuint()
    for _ in range(n_qstr):
        v = r.vuint()
        if v & 1:  # a static qstr of the runtime: only its number is stored
            qstrs.append("<static %d>" % (v >> 1))
        else:
            n = v >> 1
            qstrs.append(r.data[r.pos : r.pos + n].decode())
            r.skip(n + 1)
    for _ in range(n_obj):
        _skip_obj(r)
    out = []
    _raw_code(r, qstrs, "", out)
    return out


def _raw_code(r, qstrs, outer, out):
    head = r.vuint()
    kind = head & 0x3
    children = head & 0x4
    size = head >> 3
    start = r.pos
    if kind != 0:
        raise ValueError("native code in the .mpy: compile bytecode only (no -march)")
    n_state, n_exc = _signature(r)
    _size(r)
    name = qstrs[r.vuint()]
    qual = name if not outer or outer == "<module>" else outer + "." + name
    out.append((qual, n_state, n_exc))
    r.pos = start + size
    if children:
        for _ in range(r.vuint()):
            _raw_code(r, qstrs, qual, out)


_SCOPE_NAMES = {"Lambda": "<lambda>", "ListComp": "<listcomp>", "SetComp": "<setcomp>",
                "DictComp": "<dictcomp>", "GeneratorExp": "<genexpr>"}


def _ast_scopes(node, out):
    """The scopes of ``node``'s body in the order the compiler emits their code (parent first):
    their names, from the source, for the names a .mpy stores as the runtime's static qstrs."""
    for child in ast.iter_child_nodes(node):
        kind = type(child).__name__
        if kind in ("FunctionDef", "AsyncFunctionDef", "ClassDef"):
            out.append(child.name)
            for stmt in child.body:
                _ast_scopes_of(stmt, out)
        elif kind in _SCOPE_NAMES:
            out.append(_SCOPE_NAMES[kind])
            _ast_scopes(child, out)
        else:
            _ast_scopes(child, out)


def _ast_scopes_of(stmt, out):
    _ast_scopes(ast.Module(body=[stmt], type_ignores=[]), out)


def named(path, source):
    """read(path) with the functions named from ``source`` where the .mpy has only a static qstr
    number (``__init__``, ``read`` ...); the other names must agree with the source."""
    names = ["<module>"]
    _ast_scopes(ast.parse(source), names)
    funcs = read(path)
    if len(names) != len(funcs):
        raise ValueError("%s: %d code objects, %d scopes in the source" % (path, len(funcs), len(names)))
    out = []
    for (qual, s, e), name in zip(funcs, names):
        parts = qual.split(".")
        if not parts[-1].startswith("<static ") and parts[-1] != name:
            raise ValueError("%s: code object %r where the source has %r" % (path, qual, name))
        out.append((parts, name, s, e))
    # qualified names again, now that every part has its name
    result = []
    stack = []
    for parts, name, s, e in out:
        del stack[len(parts) - 1 :]
        stack.append(name)
        result.append((".".join(n for n in stack if n != "<module>") or "<module>", s, e))
    return result


def compile_package(out_dir, mpy_cross=None):
    """Bytecode-only .mpy of every module of the package into ``out_dir``: {module: path}."""
    mpy_cross = mpy_cross or build_mpy.mpy_cross()
    paths = {}
    for fn in sorted(os.listdir(PKG)):
        if not fn.endswith(".py") or fn.startswith("_viper"):  # _viper: native code by design
            continue
        mod = fn[:-3]
        dst = os.path.join(out_dir, mod + ".mpy")
        subprocess.run([mpy_cross, "-o", dst, "-s", build_mpy.source_name(fn)] + build_mpy.OPTS + [os.path.join(PKG, fn)],
                       check=True)
        paths[mod] = dst
    return paths


def frames(mpy_cross=None):
    """{(module, qualified function name): (n_state, n_exc_stack)} for the whole package."""
    with tempfile.TemporaryDirectory() as d:
        result = {}
        for mod, path in compile_package(d, mpy_cross).items():
            with open(os.path.join(PKG, mod + ".py")) as f:
                source = f.read()
            for qual, s, e in named(path, source):
                result[(mod, qual)] = (s, e)
        return result


def main(argv):
    show_all = "--all" in argv
    mods = [a for a in argv if not a.startswith("-")]
    for (mod, qual), (s, e) in sorted(frames().items()):
        if mods and mod not in mods:
            continue
        if show_all or on_heap(s, e):
            print("%-10s %-34s n_state %2d  try %d  words %2d%s" % (mod, qual, s, e, words(s, e),
                                                                  "  heap" if on_heap(s, e) else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
