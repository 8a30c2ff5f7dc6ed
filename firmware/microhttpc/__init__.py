"""microhttpc: an HTTP/1.1 and WebSocket (RFC 6455) client for MicroPython boards and CPython.

    from microhttpc import Connection
    with Connection("example.com") as conn:
        r = conn.request("GET", "/")
        print(r.status, r.read())
        ws = conn.upgrade("/ws")          # on the same, persistent connection
        ws.send("hello"); print(ws.recv()); ws.close()

The names below are imported on first use, so ``import microhttpc`` costs little heap on a board.
"""

__version__ = "0.1.0"

# The names below, each group followed by the module it comes from, imported on first use; the error
# classes (``errors``) are found there.  One string: a table of them cost a board 1 KB of heap.
_LAZY = (" Connection Response parse_url :client"
         " ws_connect :wsconnect"
         " Request :request"
         " reconnect :backoff"
         " WebSocket :websocket"
         " Engine :poll"
         " get post put patch delete head close_all :api ")


def __getattr__(name):
    from .rt import load  # (loaded with the package, below)

    i = _LAZY.find(" %s " % name)
    if i >= 0 and name[:1] != ":":
        i = _LAZY.find(":", i) + 1
        value = getattr(load(_LAZY[i : _LAZY.find(" ", i)]), name)
    elif name == "__all__":  # ``from microhttpc import *`` (MicroPython's asks, and failed on an AttributeError)
        value = load("_all").names(_LAZY)
    elif not name or name.startswith("__"):
        raise AttributeError(name)
    else:
        # An error class first, with no exception raised here: MicroPython let an ImportError caught here
        # out of an ``except microhttpc.TimeoutError:`` clause that named it first, instead of the
        # MemoryError that clause was matching.  (Its classes are the errors; not ``message``, its imports.)
        value = getattr(load("errors"), name, None)
        if not isinstance(value, type):
            try:  # MicroPython asks the package first for ``from . import submodule``: load the submodule
                value = load(name)
            except (ImportError, NameError):  # (NameError: a CPython-only module, _cpython, on MicroPython,
                raise AttributeError(name)  # whose dir() asks for every name it knows)
    globals()[name] = value
    return value


# ``rt`` loads with the package: every module imports it first, with an import statement.  On MicroPython a
# MemoryError as the port made a module's object left its name in sys.modules with no module behind it,
# and importing that name again crashed the port (SIGSEGV): ``rt.load`` drops such names before it loads a
# module, but when rt's own name was the one left (a first ``microhttpc.Connection``, or ``from
# microhttpc.poll import Engine``, in a full heap), nothing could.  Such names go here first, and a failed
# import of the package is tried whole again.  (Code that runs once here is not kept.)
import sys  # noqa: E402  (names the program has already: a new one costs heap on a board)

if sys.implementation.name == "micropython":
    k = None
    for k in list(sys.modules):
        if sys.modules.get(k) is None:
            sys.modules.pop(k, None)
    del k
from . import rt  # noqa: E402, F401

del sys
