"""Runtime shims for the sans-I/O cores: ``const``, entropy, header text decoding; and ``load``, how the
package imports its larger parts on first use.  The I/O side of the runtime differences (ticks, socket
errors, TCP_NODELAY) is in ``rtio``, which the cores never import.
No protocol logic lives here.  (SHA-1 and base64 for the WebSocket handshake are in ``rfc6455``.)
"""

import sys

MICROPYTHON = sys.implementation.name == "micropython"

try:
    from micropython import const  # noqa: F401  (re-exported)
except ImportError:  # CPython

    def const(x):
        return x


# urandom(n): n bytes from the runtime's CSPRNG.  There is deliberately no fallback to ``random``:
# WebSocket keys and masks must be unpredictable (RFC 6455 section 5.3), and a port without
# ``os.urandom`` should fail loudly rather than quietly use a predictable generator.  Pass ``rng=`` to
# the protocol objects (and forms) to supply your own source.
try:
    from os import urandom  # noqa: F401  (re-exported)
except ImportError:  # a port built without os.urandom

    def urandom(n):
        raise OSError("this port has no os.urandom; pass rng= to supply an entropy source")


def seconds(t, name):
    """A time setting as given, checked: None (no bound) or seconds from 0 to 500,000 (MicroPython's
    ticks wrap at 2**30 ms: a longer wait could not be told from a short one); else UsageError, at the
    call that took it (nan, "5" or -1 failed later, in the middle of a request).  (Here, not in
    ``session``: a WebSocket checks its timeouts too, and must not keep the HTTP modules, see
    ``wsconnect``.)"""
    if t is None or (type(t) is int or type(t) is float) and 0 <= t <= 500000:  # (nan: both False)
        return t
    from .errors import UsageError

    raise UsageError("%s must be None or from 0 to 500000, not %r" % (name, t))


def decode_text(raw):
    """Decode header bytes: UTF-8 when valid, else byte-for-byte (latin-1), which MicroPython lacks.
    MicroPython's decoder checks the structure only: there, text that is not ASCII is refused as CPython
    refuses it when it holds an overlong form, an encoded surrogate or a code point over U+10FFFF."""
    try:
        s = str(raw, "utf-8")
        if MICROPYTHON and len(s) != len(raw):
            for i in range(len(raw) - 1):
                b, c = raw[i], raw[i + 1]
                if b == 0xC0 or b == 0xC1 or b >= 0xF5 or (b == 0xE0 and c < 0xA0) or (b == 0xED and c >= 0xA0) \
                        or (b == 0xF0 and c < 0x90) or (b == 0xF4 and c >= 0x90):
                    raise UnicodeError
        return s
    except UnicodeError:
        from .textbody import latin1

        return latin1(raw)


_SHORT = const(262144)  # bytes free: at most this, holes matter (``load``, ``handshake._unload``)

lock = None  # MicroPython with threads, whose imports take no lock (see ``load``): [the lock, the thread
if MICROPYTHON:  # that holds it (loads nest: ``from . import x`` asks the package's __getattr__), get_ident]
    try:
        import _thread

        lock = [_thread.allocate_lock(), None, _thread.get_ident]
        del _thread
    except ImportError:
        pass


def load(name=None):
    """``microhttpc.<name>``, imported on first use.  On MicroPython, when at most 256 KiB of heap is
    free, the garbage is collected first and then every 2 KB allocated while it loads
    (``gc.threshold``): a module's code then fills the holes its own loading leaves as they appear
    instead of spreading around them, and the heap keeps its free space in one piece (the demo session
    passes in about 6 KiB less heap, the 5,000-echo soak in 8 KiB less).  A few milliseconds more, once.

    And first, on MicroPython: a MemoryError while the port made a module's object (``mp_obj_new_module``)
    leaves its name in ``sys.modules`` with no module, and every later import of it crashed the port (a
    NULL module) or was a bare NameError, heap or not.  Such names are dropped (the module loads again)
    before a module loads here, and, ``name`` None, when a connection ends (``Session.lost``, after a
    MemoryError too: it allocates nothing).

    With threads on MicroPython, whose imports take no lock, a load holds ``lock``: a thread found a
    module that another was still loading (an AttributeError, an ImportError; in a short heap every
    ``ws_connect`` and upgrade loads some again, see ``handshake`` and ``wsconnect``).  So the package
    imports a module that may have been dropped through here, not with an import statement.
    """
    m = sys.modules
    mod = name and "microhttpc." + name
    was = None
    me = name and lock and lock[2]()  # (before the lock is taken: a call might allocate)
    held = me and lock[1] != me  # (not for ``name`` None: it allocates nothing, see above)
    if held:
        lock[0].acquire()
        lock[1] = me
    try:
        if MICROPYTHON and m.get(mod) is None:  # (not loaded yet, or name None)
            for k in m:  # (a name with no module: in ``m``, but get() gives None)
                if m.get(k) is None:
                    m.pop(k, None)
            import gc

            # (A port may be built without the allocation threshold.  With more than 256 KiB free, PSRAM,
            # no packing: holes matter little there, and collections cost more: ``websocket`` took 75 ms
            # to load instead of 3 on the unix port with 3.8 MB in use.)
            if mod and hasattr(gc, "threshold") and gc.mem_free() <= _SHORT:
                was = gc.threshold()
                gc.collect()
                gc.threshold(2048)
        if mod:  # (None: gc is a module of the port's, already there)
            return __import__(mod, None, None, ("__name__",))
    finally:
        if mod and mod not in m:
            # The load failed.  MicroPython takes the module out of sys.modules but leaves it in the freed
            # slot, held until that slot is used again: 25 KB of a handshake whose load met a MemoryError,
            # the HTTP modules it imported with it, and each ws_connect loaded those again beside them.  The
            # same slot, taken (the one freed: no allocation) and given back by pop(), which clears it.
            m[mod] = None
            m.pop(mod)
        if was is not None:
            import gc

            gc.threshold(was)
        if held:
            lock[1] = None
            lock[0].release()

