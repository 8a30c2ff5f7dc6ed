"""MicroPython: the package's first lazy name (``microhttpc.Connection``, ``get``, ``Engine`` ...) looked up
in a full heap.  Its ``__getattr__`` imports ``rt`` first, with an import statement: when the port ran
out of heap as it made that module's object, ``microhttpc.rt`` stayed in ``sys.modules`` with no module
behind it (see dual_oom_import), and the next lookup, the heap back, crashed the port (SIGSEGV): the
repair lives in ``rt.load``, the module that was missing (found by an outside out-of-memory hunt; a
``microhttpc.get()`` in a full heap, then ``close_all()``).  The sweep steps the free heap 16 bytes at a
time across the import; each lookup ends in a MemoryError or the name, and the one after it, the heap
back, gives the name."""

import gc
import sys

MP = sys.implementation.name == "micropython"


def _fill(free):
    """Take the heap but ``free`` bytes, to the last block: a chain of blocks, largest first, then of the
    smallest objects, and the room left given back."""
    gc.collect()
    spare = bytearray(free) if free else None
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


def test_first_lazy_name_after_a_memoryerror_in_its_import():
    import microhttpc

    hits = 0
    for free in range(0, 1200, 16) if MP else (0,):
        for k in ("microhttpc.rt", "microhttpc.client"):  # (as after `import microhttpc` alone)
            sys.modules.pop(k, None)
        for k in ("rt", "client", "Connection"):
            microhttpc.__dict__.pop(k, None)
        keep = _fill(free) if MP else None
        try:
            microhttpc.Connection  # noqa: B018 - the lookup is what is tested
        except MemoryError:
            hits += 1
        keep = None  # noqa: F841 - (the heap back)
        gc.collect()
        assert microhttpc.Connection.__name__ == "Connection", free  # (it crashed the port here)
    assert hits or not MP, "no level met a MemoryError"
