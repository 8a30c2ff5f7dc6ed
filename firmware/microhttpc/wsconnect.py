"""``ws_connect(url)``: the one-call WebSocket client of the blocking layer, in a module of its own so
that the HTTP modules it loads for the handshake can leave the heap before the WebSocket's load.

A WebSocket needs none of them once its 101 is checked: they are about 30 KB of code (``client``,
``session``, ``http11``, ``urlsplit``, and ``handshake``), as much as the WebSocket's own modules.  So
ws_connect goes in two steps: the connection and the upgrade's HTTP part (``Connection._handshake``;
no WebSocket module is loaded yet), then the WebSocket (``websocket.after_101``: its modules load
there).  In between, on MicroPython, when fewer than ``_ROOM`` bytes would be free once the WebSocket
is open, the HTTP modules that this call loaded itself (the application had not imported them:
nothing of theirs can be held elsewhere) are dropped from ``sys.modules`` and from the package, as
``handshake`` is (see there), and the WebSocket's ``response`` (the 101, an object of theirs) is
None.  The two groups of modules are then never in the heap together: a ws_connect session passed in
60 KiB instead of 78 on the 64-bit unix port, and the WebSocket keeps 48 KB instead of 77.  The next
connection loads them again: a ws_connect to a local server took 2.3 ms instead of 0.65 in a 96 KiB
heap on the unix port, and a loop of reconnects needs a little more heap than when they stayed (82
KiB instead of 80: they load again beside the WebSocket's modules, which stay, ``rfc6455`` holding
ConnectionClosed).  With room to spare, or on CPython, they stay.
"""

from .rt import MICROPYTHON, const
from .errors import UsageError

_HTTP = ("client", "session", "http11", "urlsplit", "request")  # (request: a ``headers=``'s check keeps the
# first two)
_ROOM = const(32768)  # free bytes, the WebSocket open, below which the HTTP modules go (MicroPython)
_WS = const(30720)  # what the WebSocket's modules and objects take when they load (25 KB of code)


def ws_connect(url, headers=None, subprotocols=None, connect_timeout=10.0, timeout=30.0, ssl_context=None,
               cadata=None, verify=True, server_hostname=None, **ws_options):
    """Open a connection to a ``ws://`` or ``wss://`` URL and upgrade it: the one-call WebSocket client.
    ``timeout`` bounds the handshake and is the WebSocket's receive timeout; ``server_hostname``: the
    name the certificate must carry when the URL names the server by address (TLS, as on
    ``Connection``).  Other keywords are those of ``Connection.upgrade`` (extensions, limits,
    streaming, callbacks...)."""
    import sys

    from .rt import load

    fresh = [m for m in _HTTP if "microhttpc." + m not in sys.modules]
    stream, buf, t, hs = _http_part(fresh, url, headers, subprotocols, connect_timeout, timeout, ssl_context, cadata,
                                    verify, server_hostname, ws_options)
    sub, accepted, leftover, resp = hs
    hs = None
    if _drop(fresh):
        resp = None  # (an object of ``client``: it would keep them all)
    try:
        load("websocket")  # (rt.load: collected first in a short heap, so the HTTP modules are gone by then)
        from .websocket import after_101

        return after_101(stream, buf, leftover, sub, accepted, resp, t, ws_options)
    except BaseException:
        stream.close()  # no WebSocket (no memory for it): the connection can't go on
        raise


def _http_part(fresh, url, headers, subprotocols, connect_timeout, timeout, ssl_context, cadata, verify,
               server_hostname, ws_options):
    """The connection and its upgrade's HTTP part; the Connection gives its stream and receive buffer up
    and is garbage after it (returns them, its timeout and the handshake's outcome).  When it fails
    (refused, a timeout, a wrong 101, no heap to load ``client``), the modules of ``fresh`` go as after a
    101 (``_drop``): they counted as the application's from then on, and stayed for good."""
    from .rt import load

    conn = None
    try:
        client = load("client")
        scheme, host, port, target = client.parse_url(url)
        if "urlsplit" in fresh and _short():  # its code goes before the connection's buffers come: 1 KiB
            _forget(["urlsplit"])  # less at the handshake's peak (a ws_connect session passed in 63 KiB, not 64)
        if scheme not in ("ws", "wss"):
            raise UsageError("ws_connect needs a ws:// or wss:// URL, got %r" % (url,))
        extensions = ws_options.pop("extensions", None)
        if ws_options or headers or subprotocols or extensions:  # checked before connecting (a wrong one was
            # a TLSError, or a connect for nothing; none: the handshake's module loads after the connection's
            # buffers)
            load("handshake").start_upgrade(None, target, headers, subprotocols, extensions, ws_options)
        conn = client.Connection(host, port, tls=scheme == "wss", connect_timeout=connect_timeout, timeout=timeout,
                                 ssl_context=ssl_context, cadata=cadata, verify=verify, server_hostname=server_hostname)
        conn.deadline = conn.timeout  # the handshake as a whole, a refusal's body too (not the connect)
        conn.open()
        hs = conn._handshake(target, headers, subprotocols, extensions, ws_options)
    except BaseException:
        if conn is not None:
            conn._abort()
        _drop(fresh)  # (collected first: the connection's garbage makes room for what it allocates)
        raise
    return conn.stream, conn._buf, conn.timeout, hs


def _drop(fresh):
    """True when the HTTP modules of ``fresh`` (this call loaded them, ``client`` among them) and the
    handshake, whose code would keep ``session`` and ``http11``, were dropped from ``sys.modules`` and
    the package: on MicroPython, when fewer than ``_ROOM`` bytes would be free once the WebSocket is
    open (free now, the garbage collected, less ``_WS`` when its modules are not loaded yet)."""
    if not MICROPYTHON or "client" not in fresh:
        return False
    import gc

    gc.collect()
    if _short():
        _forget(fresh + ["handshake"])
        return True
    return False


def _short():
    """MicroPython: would fewer than ``_ROOM`` bytes be free once the WebSocket is open?"""
    if not MICROPYTHON:
        return False
    import gc
    import sys

    return gc.mem_free() - (0 if "microhttpc.websocket" in sys.modules else _WS) < _ROOM


def _forget(names):
    """The modules ``names`` out of ``sys.modules`` and the package: garbage once nothing holds them."""
    import sys

    pkg = sys.modules["microhttpc"].__dict__
    for name in names:
        sys.modules.pop("microhttpc." + name, None)
        pkg.pop(name, None)  # (not delattr(): the port leaves a module deleted so in the freed slot, held)
