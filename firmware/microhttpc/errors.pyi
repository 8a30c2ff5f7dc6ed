import builtins

from .session import Response

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
    response: Response | None
    def __init__(self, message: str, response: Response | None = None) -> None: ...

class UpgradeRefused(HTTPCError):
    response: Response | None
    def __init__(self, message: str, response: Response | None = None) -> None: ...

class HTTPStatusError(HTTPCError):
    response: Response | None
    def __init__(self, message: str, response: Response | None = None) -> None: ...

class JSONDecodeError(HTTPCError, ValueError): ...

class TooManyRedirects(HTTPCError):
    response: Response | None
    def __init__(self, message: str, response: Response | None = None) -> None: ...

class ConnectionClosed(HTTPCError):
    code: int
    reason: str
    sent_code: int | None
    cause: ProtocolError | None
    def __init__(
        self, code: int, reason: str = "", sent_code: int | None = None, cause: ProtocolError | None = None
    ) -> None: ...
    @property
    def ok(self) -> bool: ...

# The .mpy build's error texts (tools/build_mpy.py): text ``n``, formatted with ``args[0]`` when given.
def message(n: int, *args: object) -> str: ...
