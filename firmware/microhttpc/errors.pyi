import builtins
from typing import Union

from . import aio, client, poll

# ``response`` is the response object of the layer that raised the error: a client.Response (blocking:
# ``e.response.read()``), an aio.Response (``await e.response.read()``) or a poll.Response (``read()``:
# the collected body).  Neither session.Response (no read()) nor one layer's class would be true of all
# three; what they share (status, headers, read() ...) checks as it is, and code that uses what read()
# returns narrows first (``isinstance(e.response, aio.Response)``).  Never None for an error the
# package raised: every raise passes the response (the layers' upgrade, handshake, urls.next_hop,
# raise_for_status); only the constructor's default is None.
_Response = Union[client.Response, aio.Response, poll.Response]

class HTTPCError(Exception): ...
class UsageError(HTTPCError): ...
class HeaderNotAllowed(UsageError): ...
# CPython's classes (on MicroPython HTTPCError itself is an OSError: one built-in base per class)
class ConnectError(HTTPCError, ConnectionError): ...
class TLSError(ConnectError): ...
class TimeoutError(HTTPCError, builtins.TimeoutError): ...  # noqa: A001
class ConnectionLost(HTTPCError, ConnectionError): ...

class ProtocolError(HTTPCError):
    close_code: int

class LimitExceeded(ProtocolError):
    limit: str | None
    value: int | None
    size: int | None
    def __init__(
        self, message: str, limit: str | None = None, value: int | None = None, size: int | None = None
    ) -> None: ...

class InvalidUTF8(ProtocolError): ...

class HandshakeError(ProtocolError):
    response: _Response
    def __init__(self, message: str, response: _Response | None = None) -> None: ...

class UpgradeRefused(HTTPCError):
    response: _Response
    def __init__(self, message: str, response: _Response | None = None) -> None: ...

class HTTPStatusError(HTTPCError):
    response: _Response
    def __init__(self, message: str, response: _Response | None = None) -> None: ...

class JSONDecodeError(HTTPCError, ValueError): ...

class TooManyRedirects(HTTPCError):
    response: _Response
    def __init__(self, message: str, response: _Response | None = None) -> None: ...

class ConnectionClosed(HTTPCError):
    code: int
    reason: str
    sent_code: int | None
    cause: HTTPCError | None
    def __init__(
        self, code: int, reason: str = "", sent_code: int | None = None, cause: HTTPCError | None = None
    ) -> None: ...
    @property
    def ok(self) -> bool: ...

# The .mpy build's error texts (tools/build_mpy.py): text ``n``, formatted with ``args[0]`` when given.
def message(n: int, args: object = ...) -> str: ...
