"""The error classes that only TLS, WebSocket, redirect and header-rule code raise (see ``errors``:
``microhttpc.errors`` loads this module when one of them is first asked for)."""

from .errors import ConnectError, HTTPCError, ProtocolError, UsageError


class HeaderNotAllowed(UsageError):
    """The application set a header that the module generates itself."""


class TLSError(ConnectError):
    """TLS could not be set up as asked (e.g. verification impossible and not explicitly waived)."""


class InvalidUTF8(ProtocolError):
    """A text message or close reason is not valid UTF-8 (close code 1007)."""

    close_code = 1007


def _init(self, message, response=None):
    # the __init__ of the classes with a ``response`` (one function for the three)
    super(HTTPCError, self).__init__(message)  # pyright: ignore[reportCallIssue]
    self.response = response


class HandshakeError(ProtocolError):
    """A 101 answer to a WebSocket upgrade that breaks RFC 6455 (wrong accept key, a subprotocol or
    extension not offered ...).  ``response`` holds the server's response."""

    response = None
    __init__ = _init


class UpgradeRefused(HTTPCError):
    """The server answered the WebSocket upgrade with another status than 101 (not a protocol
    violation).  ``response`` holds its whole response (status, reason, headers, body) so the caller
    can see why; the connection is still usable for HTTP if the server kept it open."""

    response = None
    __init__ = _init


class TooManyRedirects(HTTPCError):
    """A redirect chain was longer than the caller allowed.  ``response`` is the last 3xx response."""

    response = None
    __init__ = _init


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
