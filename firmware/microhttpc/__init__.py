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

_LAZY = {
    "Connection": "client",
    "Response": "client",
    "Request": "request",
    "ws_connect": "client",
    "reconnect": "backoff",
    "parse_url": "client",
    "WebSocket": "websocket",
    "Engine": "poll",
    "HTTPCError": "errors",
    "UsageError": "errors",
    "HeaderNotAllowed": "errors",
    "ConnectError": "errors",
    "TLSError": "errors",
    "TimeoutError": "errors",
    "ConnectionLost": "errors",
    "ProtocolError": "errors",
    "LimitExceeded": "errors",
    "InvalidUTF8": "errors",
    "HandshakeError": "errors",
    "ConnectionClosed": "errors",
    "TooManyRedirects": "errors",
    "UpgradeRefused": "errors",
    "HTTPStatusError": "errors",
    "get": "api",
    "post": "api",
    "put": "api",
    "patch": "api",
    "delete": "api",
    "head": "api",
    "close_all": "api",
}


def __getattr__(name):
    from .rt import load

    mod = _LAZY.get(name)
    if mod is None:
        # MicroPython asks the package first for ``from . import submodule``: load the submodule.
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = load(name)
        except ImportError:
            raise AttributeError(name)
    else:
        value = getattr(load(mod), name)
    globals()[name] = value
    return value
