"""MicroPython: the package's first names in a full heap, as at a board's boot.  Its ``__getattr__`` (a
first ``microhttpc.Connection``, ``get``, ``Engine`` ...) and every module import ``rt`` first, with an
import statement: when the port ran out of heap as it made that module's object, ``microhttpc.rt``
stayed in ``sys.modules`` with no module behind it (see dual_oom_import), and the next lookup or import,
the heap back, crashed the port (SIGSEGV): the repair lives in ``rt.load``, the module that was missing
(found by an outside out-of-memory hunt, a ``microhttpc.get()`` in a full heap then ``close_all()``, and
an outside review).  The package loads rt with itself, after dropping such names.  The sweeps step the
free heap 16 bytes at a time across the first import; each ends in a MemoryError or the name, and the
one after it, the heap back, gives the name."""

import gc
import sys

MP = sys.implementation.name == "micropython"


def _fill(free):
    """Take the heap but ``free`` bytes, to the last block: a chain of blocks, largest first, then of the
    smallest objects, and the room left given back."""
    gc.collect()
    try:
        spare = bytearray(free) if free else None
    except MemoryError:
        spare = None  # (no such block: the level is what is left)
    chain = None
    size = 1 << 16
    while size:
        try:
            chain = (bytearray(size), chain)
        except MemoryError:
            size >>= 1
    while True:
        try:
            chain = (None, chain)
        except MemoryError:
            break
    spare = None  # noqa: F841 - (given back)
    gc.collect()
    return chain


def _fresh():
    """As a fresh boot: the package and its modules gone."""
    for k in list(sys.modules):
        if k == "microhttpc" or k.startswith("microhttpc."):
            sys.modules.pop(k, None)


def test_first_lazy_name_after_a_memoryerror_in_its_import():
    hits = 0
    for free in range(0, 4000, 16) if MP else (0,):
        if MP:  # (CPython: its classes would change under the other test modules of this process)
            _fresh()
        keep = _fill(free) if MP else None
        try:
            import microhttpc

            microhttpc.Connection  # noqa: B018 - the lookup is what is tested
        except MemoryError:
            hits += 1
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        import microhttpc

        assert microhttpc.Connection.__name__ == "Connection", free  # (it crashed the port here)
    assert hits or not MP, "no level met a MemoryError"


def test_direct_import_after_a_memoryerror_in_it():
    # The README's ``from microhttpc.poll import Engine`` at a board's boot, in a full heap: poll's first
    # statement imports rt, and when the port's making of rt's module met the MemoryError the same
    # import, the heap back, crashed the port (found by an outside review).  The package loads rt
    # itself, after dropping names with no module; a failed import of the package is tried whole again.
    hits = 0
    for free in range(0, 30000, 16) if MP else (0,):  # (poll's code loads before its first import runs)
        if MP:  # (CPython: its classes would change under the other test modules of this process)
            _fresh()
        keep = _fill(free) if MP else None
        try:
            from microhttpc.poll import Engine  # noqa: F401
        except MemoryError:
            hits += 1
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        from microhttpc.poll import Engine

        assert Engine.__name__ == "Engine", free  # (it crashed the port here)
    assert hits or not MP, "no level met a MemoryError"
