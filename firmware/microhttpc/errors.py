"""The one exception tree (HTTPc's ``HTTPc_ERR_*`` groups, as classes).

    HTTPCError
    ├── UsageError             the caller asked for something impossible (bad header, wrong state ...)
    │   └── HeaderNotAllowed   a header the module owns (Host, Upgrade, Sec-WebSocket-Key ...)
    ├── ConnectError           name resolution or TCP/TLS connect failed
    │   └── TLSError           certificate verification impossible, or failed
    ├── TimeoutError           no progress within the configured timeout (connect, read, close)
    ├── ConnectionLost         the peer closed the TCP connection unexpectedly
    ├── ProtocolError          the peer broke HTTP/1.1 or RFC 6455; ``close_code`` says what to send
    │   ├── LimitExceeded      a line, header block, chunk line, body, frame or message over its limit
    │   ├── InvalidUTF8        text or close reason that is not UTF-8 (close code 1007)
    │   └── HandshakeError     the WebSocket upgrade was refused or answered wrongly (``.response``)
    ├── TooManyRedirects       more redirects than ``follow_redirects`` allows (``.response``: the last)
    └── ConnectionClosed       the WebSocket is closed (``.code``, ``.reason``, ``.cause``)

Every message says what was expected and what came.  The tree has single inheritance only:
MicroPython cannot combine two built-in exception bases (e.g. OSError and ValueError) in one class.
The classes that only TLS, WebSocket, redirect and header-rule code raise live in ``errors2`` and are
loaded on first use; ``microhttpc.errors.X`` finds every one of them.
"""


class HTTPCError(Exception):
    """Base class of every error this package raises."""


class UsageError(HTTPCError):
    """The caller asked for something this object cannot do (bad argument, wrong state)."""


class ConnectError(HTTPCError):
    """Name resolution, TCP connect or the TLS handshake failed."""


class TimeoutError(HTTPCError):  # noqa: A001 - shadows the builtin name inside the package on purpose
    """An operation made no progress within its timeout."""


class ConnectionLost(HTTPCError):
    """The peer closed (or reset) the TCP connection when more data was expected."""


class ProtocolError(HTTPCError):
    """The peer violated the protocol.  ``close_code`` is the WebSocket close code it maps to."""

    close_code = 1002


class LimitExceeded(ProtocolError):
    """Something the peer sent is over a configured limit (close code 1009 for WebSocket)."""

    close_code = 1009


def __getattr__(name):
    # The classes raised only by TLS, WebSocket, redirect and header-rule code are defined in
    # ``errors2`` and load with the first use of one of them (a board pays for them only then).
    if name in ("HeaderNotAllowed", "TLSError", "InvalidUTF8", "HandshakeError", "TooManyRedirects",
                "ConnectionClosed"):
        from . import errors2

        return getattr(errors2, name)
    raise AttributeError(name)
