"""``except microhttpc.TimeoutError:`` (a name the package loads at its first use) while a MemoryError is
on its way, the heap full: the MemoryError comes out of it.  On MicroPython the package's ``__getattr__``
tried the name as a submodule first, and the ImportError it caught there came out instead (an outside
hunt: the README's reconnect loop catches ``microhttpc.HTTPCError`` so; it depends on the heap's layout,
so the first test checks the cause: error classes are now looked up first, with no exception raised or
module tried on the way)."""


def test_a_lazy_error_name_tries_no_module():
    import sys

    import microhttpc
    from microhttpc import rt

    tried = []
    real = rt.load

    def load(name=None):
        tried.append(name)
        return real(name)

    rt.load = load
    try:
        for name in ("TimeoutError", "HTTPCError", "ConnectionClosed"):
            microhttpc.__dict__.pop(name, None)  # (its first use: through __getattr__)
            assert getattr(microhttpc, name).__name__ == name
        microhttpc.__dict__.pop("session", None)
        assert getattr(microhttpc, "session").Session  # (a submodule: loaded, as MicroPython's import asks)
        for name in ("NoSuchName", "_cpython" if sys.implementation.name == "micropython" else "NoSuchName2"):
            try:  # (MicroPython: a CPython-only module raised a bare NameError, from hasattr() and dir() too)
                getattr(microhttpc, name)
                raise AssertionError("an unknown name was found: %s" % name)
            except AttributeError:
                pass
    finally:
        rt.load = real
    assert "TimeoutError" not in tried and "HTTPCError" not in tried and "ConnectionClosed" not in tried, tried


def test_a_lazy_error_name_in_an_except_clause_keeps_the_error():
    import microhttpc
    from microhttpc.rt import MICROPYTHON

    got = []
    for name in ("TimeoutError", "HTTPCError"):
        microhttpc.__dict__.pop(name, None)  # (its first use: through __getattr__)
        hog = []
        try:
            try:
                if MICROPYTHON:  # the heap full, to the last small block
                    for size in (1024, 64, 16):
                        try:
                            while True:
                                hog.append(bytearray(size))
                        except MemoryError:
                            pass
                hog.append(bytearray(4096))  # (the allocator's own MemoryError)
                raise MemoryError
            except getattr(microhttpc, name):
                got.append("caught as " + name)
        except BaseException as exc:  # noqa: BLE001 - what came out is the point
            hog = None
            got.append(type(exc).__name__)
        hog = None
    assert got == ["MemoryError", "MemoryError"], got
