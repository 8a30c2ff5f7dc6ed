from typing import Any, AsyncIterator, Awaitable, Final, Iterator

from typing_extensions import Self

from ._types import Bytes

from .errors import TimeoutError
from .http11 import Headers, ResponseHead, ResponseParser
from .request import Request


def seconds(t: float | None, name: str) -> float | None:
    """A time setting as given, checked: None or seconds from 0 to 500,000; else UsageError."""

def count(n: int, name: str, limit: int = 0) -> int:
    """A size or count setting as given, checked: an int from ``limit`` up, below 2**48; else
    UsageError."""

def callables(a: object, b: object, c: object = None, d: object = None) -> None:
    """Callbacks as given (two to four), checked: each None or a callable; else UsageError."""

class Response(ResponseHead):
    """One response, the same data object on every layer (each layer adds its way of reading the body)."""

    method: str | None
    # None on an upgrade's response (a 101 keeps no Request; a refused upgrade on the blocking and
    # asyncio layers has none): a request's user_data is the response's own ``user_data`` too
    request: Request | None
    trailers: Headers | None  # None until the body has ended (a body cut short: for good)
    # True once no more of the body will come: it ended, or it was cut off (then ``trailers`` stays None
    # and reading it raises ConnectionLost, on every layer)
    complete: bool
    @property
    def history(self) -> list[tuple[int, str | None]]: ...
    user_data: Any
    @property
    def url(self) -> str | None: ...
    def text(self, encoding: str | None = None) -> str | Awaitable[str]: ...
    def json(self) -> Any: ...
    def raise_for_status(self) -> Self: ...
    def iter_lines(self, max_line: int | None = None) -> Iterator[bytes] | AsyncIterator[bytes]: ...

def host_header(host: str, port: int, tls: bool) -> str: ...

class Session:
    """The configuration and rules of one HTTP/1.1 connection, shared by every layer's connection class."""

    response_class: type[Response]
    clock: Any
    host: str
    tls: bool
    scheme: str
    port: int
    host_header: str
    persistent: bool
    # The settings below are read-only (a request takes its own deadline=, follow_redirects=): an
    # assigned nan or -1 was no UsageError (it failed inside the next request, as Python's ValueError)
    connect_timeout: Final[float | None]
    timeout: Final[float | None]
    ssl_context: Any
    cadata: bytes | bytearray | str | None
    verify: bool
    server_hostname: str | None
    buffer_size: Final[int | None]
    limits: Final[tuple[int, int, int, int, int]]
    max_body: Final[int | None]
    user_data: Any
    follow_redirects: Final[int]
    drain_limit: Final[int]
    deadline: Final[float | None]
    drain_timeout: Final[float | None]
    parser: ResponseParser | None
    method: str | None
    active: Response | None
    upgrading: tuple[Any, ...] | None
    upgraded: bool
    reusable: bool
    rx: int
    t_end: tuple[int, float] | None
    def __init__(
        self,
        host: str,
        port: int | None = None,
        tls: bool = False,
        persistent: bool = True,
        connect_timeout: float | None = 10.0,
        timeout: float | None = 30.0,
        ssl_context: Any = None,
        cadata: bytes | bytearray | str | None = None,
        verify: bool = True,
        server_hostname: str | None = None,
        buffer_size: int | None = None,
        max_line: int = 2048,
        max_headers: int = 40,
        max_header_bytes: int = 8192,
        max_chunk_line: int = 256,
        max_body: int | None = 1048576,
        user_data: Any = None,
        follow_redirects: int = 0,
        drain_limit: int = 4096,
        deadline: float | None = None,
        drain_timeout: float | None = 1.0,
        max_interim: int = 8,
    ) -> None: ...
    # -- the sans-I/O interface the I/O layers drive --
    def redirect(
        self,
        conn: Any,
        resp: Response,
        cur: Request,
        hdrs: list[tuple[str, str]] | None,
        limit: int,
        history: list[Any] | None,
    ) -> tuple[Any, Request, str] | None: ...
    def target(self, req: Request) -> str: ...
    def opened(self, tls: bool = False) -> None: ...
    def until(self, deadline: float | tuple[int, float] | None = None) -> tuple[int, float] | None: ...
    def remaining(self, dl: tuple[int, float] | None) -> float | None: ...
    def sent(self) -> None: ...
    def lost(self) -> None: ...
    @property
    def idle(self) -> bool: ...
    @property
    def ready(self) -> bool: ...
    def check_usable(self) -> None: ...
    def one_read(self) -> int: ...
    def start(
        self,
        req: Request,
        hdrs: list[tuple[str, str]] | None = None,
        path: str | None = None,
        deadline: float | tuple[int, float] | None = None,
        head: tuple[bytes, Any] | None = None,
    ) -> tuple[bytes, Any]: ...
    def begin(
        self,
        method: str,
        deadline: float | tuple[int, float] | None = None,
        target: str | None = None,
        keep_alive: bool = True,
    ) -> None: ...
    def receive_data(self, data: Bytes) -> None: ...
    def receive_eof(self) -> None: ...
    def next_event(self, into: bytearray | memoryview | None = None) -> tuple[int, Any] | None: ...
    def wait_time(self) -> float | None: ...
    def expired(self, exc: TimeoutError | None = None) -> TimeoutError: ...
    def drain(self, resp: Response, piece: bytes | None) -> bool: ...
    def may_retry(self, req: Request, exc: BaseException, reused: bool) -> bool: ...

class Body:
    limit: int | None
    parts: list[bytes] | None
    size: int
    tls: bool
    def __init__(self, limit: int | None, length: int | None = None, tls: bool = False) -> None: ...
    def add(self, piece: bytes) -> None: ...
    def value(self) -> bytes: ...
