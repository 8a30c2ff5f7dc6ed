"""``ws_connect(url)``: the one-call WebSocket client of the blocking layer, in a module of its own so
that the HTTP modules it loads for the handshake can leave the heap after it.

A WebSocket needs none of them once its 101 is checked: they are a third of the heap its session
keeps (30 KB of 77 on the 64-bit unix port: ``client``, ``session``, ``http11``, ``urlsplit``).  On
MicroPython, when fewer than ``_ROOM`` bytes of the heap are free once the WebSocket is open, those
that this call loaded itself (the application had not imported them: nothing of theirs can be held
elsewhere) are dropped from ``sys.modules`` and from the package, as ``handshake`` is (see there), and
the WebSocket's ``response`` (the 101, an object of theirs) is None.  The next connection loads them
again (about 1 ms on the unix port).  With room to spare, or on CPython, they stay.
"""

from .rt import MICROPYTHON, const
from .errors import UsageError

_HTTP = ("client", "session", "http11", "urlsplit")
_ROOM = const(32768)  # free bytes after the handshake below which the HTTP modules go (MicroPython)


def ws_connect(url, headers=None, subprotocols=None, connect_timeout=10.0, timeout=30.0, ssl_context=None,
               cadata=None, verify=True, **ws_options):
    """Open a connection to a ``ws://`` or ``wss://`` URL and upgrade it: the one-call WebSocket client.
    ``timeout`` bounds the handshake and is the WebSocket's receive timeout.  Other keywords are those
    of ``Connection.upgrade`` (extensions, limits, streaming, callbacks...)."""
    import sys

    fresh = [m for m in _HTTP if "microhttpc." + m not in sys.modules]
    from .rt import load

    client = load("client")
    scheme, host, port, target = client.parse_url(url)
    if scheme not in ("ws", "wss"):
        raise UsageError("ws_connect needs a ws:// or wss:// URL, got %r" % (url,))
    conn = client.Connection(host, port, tls=scheme == "wss", connect_timeout=connect_timeout, timeout=timeout,
                             ssl_context=ssl_context, cadata=cadata, verify=verify)
    conn.open()
    try:
        ws = conn.upgrade(target, headers=headers, subprotocols=subprotocols, **ws_options)
    except BaseException:
        conn._abort()
        raise
    ws._conn = None  # nobody else holds the Connection: it need not live on with the WebSocket
    if MICROPYTHON and "client" in fresh:
        _shed(ws, fresh)
    return ws


def _shed(ws, names):
    """Drop the modules ``names`` (loaded by this ws_connect, ``client`` among them: the 101 response is
    one of its objects) when the heap is short (see the docstring)."""
    import gc
    import sys

    gc.collect()
    if gc.mem_free() >= _ROOM:
        return
    ws.response = None
    pkg = sys.modules["microhttpc"]
    for name in names + ["handshake"]:  # (the handshake's code would keep session and http11)
        sys.modules.pop("microhttpc." + name, None)
        try:
            delattr(pkg, name)
        except (AttributeError, KeyError):
            pass
