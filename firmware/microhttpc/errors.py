"""The one exception tree (HTTPc's ``HTTPc_ERR_*`` groups, as classes).

    HTTPCError                 CPython: an Exception; MicroPython: an OSError (see below)
    ├── UsageError             the caller asked for something impossible (bad header, wrong state ...)
    │   └── HeaderNotAllowed   a header the module owns (Host, Upgrade, Sec-WebSocket-Key ...)
    ├── ConnectError           name resolution or TCP/TLS connect failed       (CPython: ConnectionError)
    │   └── TLSError           certificate verification impossible, or failed
    ├── TimeoutError           no progress within the configured timeout       (CPython: builtin TimeoutError)
    ├── ConnectionLost         the peer closed the TCP connection unexpectedly (CPython: ConnectionError)
    ├── ProtocolError          the peer broke HTTP/1.1 or RFC 6455; ``close_code`` says what to send
    │   ├── LimitExceeded      over a limit: ``.limit`` (its keyword), ``.value``, ``.size`` (seen)
    │   ├── InvalidUTF8        text or close reason that is not UTF-8 (close code 1007)
    │   └── HandshakeError     a 101 answer to an upgrade that breaks RFC 6455 (``.response``)
    ├── UpgradeRefused         the server answered an upgrade with another status (``.response``)
    ├── HTTPStatusError        ``raise_for_status()`` on a 4xx or 5xx response (``.response``)
    ├── JSONDecodeError        ``json()`` on a body that is not JSON (CPython: a ValueError too)
    ├── TooManyRedirects       more redirects than ``follow_redirects`` allows (``.response``: the last)
    └── ConnectionClosed       the WebSocket is closed (``.code``, ``.reason``, ``.cause``)

So ``except OSError`` (MicroPython's way to catch network failures) catches ConnectError, TLSError,
TimeoutError and ConnectionLost on both runtimes, and on CPython ``except TimeoutError`` (the builtin)
and ``except ConnectionError`` catch them as they do for the standard library.  MicroPython allows one
built-in base per class, so there HTTPCError itself is an OSError (``except OSError`` catches every
microhttpc error); CPython adds the built-in base to the three classes only.  Every message says what
was expected and what came (in the ``.mpy`` build its text comes from a catalog loaded only while the
error is raised: see ``message``).  The classes that only TLS, WebSocket, redirect, status and header-rule
code raise live in ``errors2`` (HTTPStatusError in ``extras``, JSONDecodeError in ``jsonbody``, found through
``extras``) and are loaded on first use;
``microhttpc.errors.X`` finds every one.
"""

from .rt import MICROPYTHON


class HTTPCError(OSError if MICROPYTHON else Exception):
    """Base class of every error this package raises."""


if MICROPYTHON:  # one built-in base per class: the root is the OSError

    class ConnectError(HTTPCError):
        """Name resolution, TCP connect or the TLS handshake failed."""

    class TimeoutError(HTTPCError):  # noqa: A001 - shadows the builtin name inside the package on purpose
        """An operation made no progress within its timeout."""

    class ConnectionLost(HTTPCError):
        """The peer closed (or reset) the TCP connection when more data was expected."""

else:  # these three with the builtin base CPython code catches (ConnectionError, TimeoutError)
    from ._cpython import ConnectError, ConnectionLost, TimeoutError  # noqa: A004


class UsageError(HTTPCError):
    """The caller asked for something this object cannot do (bad argument, wrong state)."""


class ProtocolError(HTTPCError):
    """The peer violated the protocol.  ``close_code`` is the WebSocket close code it maps to."""

    close_code = 1002


class LimitExceeded(ProtocolError):
    """Something the peer sent is over a limit (close code 1009 for WebSocket): ``limit`` names it (the
    keyword, e.g. "max_line", "max_body", "max_message"), ``value`` its setting (None when the heap,
    not the setting, was too small) and ``size`` what was seen (None when unknown)."""

    close_code = 1009

    def __init__(self, message, limit=None, value=None, size=None):
        super().__init__(message)
        self.limit = limit
        self.value = value
        self.size = size


def __getattr__(name):
    # The classes raised only by TLS, WebSocket, redirect, status and header-rule code are defined in
    # ``errors2`` (HTTPStatusError: ``extras``, which finds ``jsonbody``'s JSONDecodeError too) and load
    # with the first use of one of them (a board pays for them only then).
    if name in ("HeaderNotAllowed", "TLSError", "InvalidUTF8", "HandshakeError", "TooManyRedirects",
                "ConnectionClosed", "UpgradeRefused"):
        from . import errors2

        return getattr(errors2, name)
    if name.endswith("Error"):  # HTTPStatusError, JSONDecodeError: with raise_for_status() and json()
        from . import extras

        return getattr(extras, name)
    raise AttributeError(name)


def message(n, args=...):
    """Error message ``n`` of the ``.mpy`` build, ``% args`` when given.

    tools/build_mpy.py moves the text of each message an error is raised with out of the compiled
    module into a catalog (``_t0``, ``_t1``, ...: 32 texts each) and calls this instead: a catalog loads
    while an error is raised and is dropped after, so a board keeps no message text in RAM.  The
    sources (and CPython) keep every message inline and never call this.  When the catalog cannot load
    (no heap, not deployed) the message says so, and the error is still the one raised: everything
    that takes heap is inside the ``try``, the import of ``rt`` too, and the call itself takes none (no
    ``*args`` tuple: its frame falls back to the C stack when the heap has no room for it)."""
    import sys  # (loaded: no heap taken)

    t = name = ""
    try:
        from .rt import load

        t = "_t%d" % (n >> 5)
        name = "microhttpc." + t
        text = load(t).text[n & 31]  # (rt.load: a thread found it half loaded, or dropped, with threads)
        if args is not ...:
            text = text % args
    except Exception as e:  # noqa: BLE001 - whatever stops the text must not replace the error
        try:
            text = "(message %d of microhttpc: %s)%s" % (n, e.__class__.__name__, "" if args is ... else " %r" % (args,))
        except MemoryError:
            text = e.__class__.__name__  # (a name: it takes no heap)
    # (not in a ``finally``: on MicroPython an exception met there while another was on its way out
    # left past the ``except`` meant for it: a KeyError came out of a full heap instead of the error)
    if name:
        sys.modules.pop(name, None)
        sys.modules["microhttpc"].__dict__.pop(t, None)
    return text
