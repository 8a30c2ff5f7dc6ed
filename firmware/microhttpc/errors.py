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
"""


class HTTPCError(Exception):
    """Base class of every error this package raises."""


class UsageError(HTTPCError):
    """The caller asked for something this object cannot do (bad argument, wrong state)."""


class HeaderNotAllowed(UsageError):
    """The application set a header that the module generates itself."""


class ConnectError(HTTPCError):
    """Name resolution, TCP connect or the TLS handshake failed."""


class TLSError(ConnectError):
    """TLS could not be set up as asked (e.g. verification impossible and not explicitly waived)."""


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


class InvalidUTF8(ProtocolError):
    """A text message or close reason is not valid UTF-8 (close code 1007)."""

    close_code = 1007


class HandshakeError(ProtocolError):
    """The WebSocket upgrade failed.  ``response`` holds the server's whole response (status, reason,
    headers, body) so the caller can see why; the connection is still usable for HTTP if the server
    kept it open."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response


class TooManyRedirects(HTTPCError):
    """A redirect chain was longer than the caller allowed.  ``response`` is the last 3xx response."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response


class ConnectionClosed(HTTPCError):
    """The WebSocket is closed.

    ``code`` and ``reason`` are what the peer sent in its Close frame (1005 when its frame had no code,
    1006 when the TCP connection ended without a Close frame).  ``sent_code`` is the code this side
    sent (None if it sent none).  ``cause`` is the ProtocolError that made this side close, if any.
    """

    def __init__(self, code, reason="", sent_code=None, cause=None):
        super().__init__("WebSocket closed: code %d%s" % (code, (" " + repr(reason)) if reason else ""))
        self.code = code
        self.reason = reason
        self.sent_code = sent_code
        self.cause = cause

    @property
    def ok(self):
        """True for a clean closing handshake (1000 or 1001 with a Close frame both ways)."""
        return self.cause is None and self.code in (1000, 1001, 1005) and self.sent_code is not None
