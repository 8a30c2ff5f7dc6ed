"""The error classes that only TLS, WebSocket, redirect and header-rule code raise (see ``errors``:
``microhttpc.errors`` loads this module when one of them is first asked for; ``ConnectionClosed``,
which every WebSocket's end needs, lives in ``rfc6455``)."""

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


def _reduce(self):
    # CPython's pickle (multiprocessing, concurrent.futures): the class and message; not the response,
    # which holds its connection's socket (pickling raised TypeError)
    return self.__class__, self.args


class HandshakeError(ProtocolError):
    """A 101 answer to a WebSocket upgrade that breaks RFC 6455 (wrong accept key, a subprotocol or
    extension not offered ...).  ``response`` holds the server's response."""

    response = None
    __init__ = _init
    __reduce__ = _reduce


class UpgradeRefused(HTTPCError):
    """The server answered the WebSocket upgrade with another status than 101 (not a protocol
    violation).  ``response`` holds its whole response (status, reason, headers, body) so the caller
    can see why; the connection is still usable for HTTP if the server kept it open."""

    response = None
    __init__ = _init
    __reduce__ = _reduce


def refused(resp, lost=None):
    """The UpgradeRefused of every layer for ``resp``, another answer than 101 to an upgrade, its body
    read; or ``lost``, the error that stopped that read (over max_body, cut short: the connection ended)."""
    if lost is None:
        return UpgradeRefused("upgrade refused: %d %s" % (resp.status, resp.reason), resp)
    return UpgradeRefused("upgrade refused: %d %s (%s)" % (resp.status, resp.reason, lost), resp)


class TooManyRedirects(HTTPCError):
    """A redirect chain was longer than the caller allowed.  ``response`` is the last 3xx response."""

    response = None
    __init__ = _init
    __reduce__ = _reduce


def __getattr__(name):
    if name == "ConnectionClosed":  # with the WebSocket core, which every WebSocket loads anyway
        from .rfc6455 import ConnectionClosed

        return ConnectionClosed
    raise AttributeError(name)
