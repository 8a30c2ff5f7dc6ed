"""A source check of the package's exception handlers, for out of memory on MicroPython.

There, ``except (A, B):`` builds the tuple of classes on the heap each time it is matched.  With no heap
left the match raises a MemoryError of its own, which skips every later handler of the same ``try``:
a close() that left the connection open with no on_close, a request body that left its connection
mid-request (an outside out-of-memory sweep).  So a tuple clause may not come before a handler that
would take a MemoryError (MemoryError, Exception, BaseException, a bare ``except``), nor name
MemoryError itself: one class per clause, or isinstance() checks in one clause (a class in a name
allocates nothing)."""

import ast
import os

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware", "microhttpc")
_TAKES_OOM = ("MemoryError", "Exception", "BaseException")


def _names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node is not None else {"<bare>"}


def offending_clauses(source):
    """(line, text) of each tuple clause a MemoryError with no heap would break."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Try):
            continue
        for i, h in enumerate(node.handlers):
            if not isinstance(h.type, ast.Tuple):
                continue
            later = set()
            for x in node.handlers[i + 1 :]:
                later |= _names(x.type)
            if "MemoryError" in _names(h.type) or later & set(_TAKES_OOM + ("<bare>",)):
                out.append((h.lineno, ast.unparse(h.type)))
    return out


def test_the_check_finds_what_it_looks_for():
    src = ("try:\n    f()\nexcept (A, B):\n    pass\nexcept BaseException:\n    g()\n"
           "try:\n    f()\nexcept (MemoryError, C):\n    pass\n"
           "try:\n    f()\nexcept (A, B):\n    pass\nexcept C:\n    pass\n"
           "try:\n    f()\nexcept MemoryError:\n    pass\nexcept (A, B):\n    pass\n")
    assert offending_clauses(src) == [(3, "(A, B)"), (9, "(MemoryError, C)")]


def test_no_tuple_clause_before_a_handler_of_memoryerror():
    found = []
    for name in sorted(os.listdir(PKG)):
        if name.endswith(".py"):
            with open(os.path.join(PKG, name)) as f:
                found += ["%s:%d except %s" % (name, line, text) for line, text in offending_clauses(f.read())]
    assert not found, "\n".join(found)
