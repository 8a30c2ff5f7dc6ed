from typing import Any, AsyncIterator, Awaitable, Callable

from typing_extensions import Unpack

from ._types import (
    CallKw,
    OnClose,
    OnControl,
    OnErr,
    OnMsg,
    OnRxComplete,
    OnRxData,
    OnRxInit,
    Pairs,
    ReTable,
    RequestKw,
    Rng,
    Source,
    Table,
    WBuf,
)

from . import session
from .aiows import WebSocket
from .backoff import Reconnect
from .request import Request

class Response(session.Response):
    """One response: the body with ``await read()``, ``await read_chunk()``, ``await readinto(buf)``
    or ``async for chunk in iter_chunks()``."""

    async def read_chunk(self) -> bytes | None: ...
    def iter_chunks(self) -> AsyncIterator[bytes]: ...
    def iter_lines(self, max_line: int | None = None) -> AsyncIterator[bytes]: ...
    async def readinto(self, buf: WBuf) -> int: ...
    async def read(self, n: int | None = -1, max_size: int | None = None) -> bytes: ...
    async def text(self, encoding: str | None = None) -> str: ...
    async def json(self) -> Any: ...
    async def close(self) -> None: ...

class Connection(session.Session):
    """A connection to one server, as coroutines (the constructor keywords are ``session.Session``'s)."""

    websocket: WebSocket | None
    @classmethod
    async def open(
        cls,
        host: str,
        port: int | None = None,
        *,
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
    ) -> Connection: ...
    @property
    def is_open(self) -> bool: ...
    async def connect(self) -> Connection: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> Connection: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def request(
        self,
        method: str | Request,
        target: str = "/",
        headers: Table | None = None,
        body: Source | None = None,
        *,
        query: Table | None = None,
        content_length: int | None = None,
        form: Pairs | None = None,
        multipart: bool | None = None,
        content_type: str | None = None,
        on_header: Callable[[str, str], object] | None = None,
        on_body: Callable[[bytes], object] | None = None,
        follow_redirects: int | None = None,
        user_data: Any = None,
        rng: Rng | None = None,
        deadline: float | None = None,
        json: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> Response: ...
    async def send(self, req: Request) -> Response: ...
    async def upgrade(
        self,
        path: str = "/",
        headers: Table | None = None,
        subprotocols: list[str] | tuple[str, ...] | None = None,
        extensions: list[str] | tuple[str, ...] | None = None,
        *,
        max_message: int | None = 65536,
        max_frame: int | None = None,
        streaming: bool | None = None,
        rng: Rng | None = None,
        allowed_rsv: int = 0,
        max_events: int | None = 32,
        frame_size: int | None = None,
        timeout: float | None = ...,
        close_timeout: float | None = 5.0,
        ping_interval: float | None = None,
        ping_timeout: float | None = 20.0,
        user_data: Any = None,
        on_msg: OnMsg | None = None,
        on_msg_rx_init: OnRxInit | None = None,
        on_msg_rx_data: OnRxData | None = None,
        on_msg_rx_complete: OnRxComplete | None = None,
        on_ping: OnControl | None = None,
        on_pong: OnControl | None = None,
        on_close: OnClose | None = None,
        on_err: OnErr | None = None,
    ) -> WebSocket: ...

async def ws_connect(
    url: str,
    headers: ReTable | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    connect_timeout: float | None = 10.0,
    timeout: float | None = 30.0,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    server_hostname: str | None = None,
    buffer_size: int | None = None,
    *,
    extensions: list[str] | tuple[str, ...] | None = None,
    max_message: int | None = 65536,
    max_frame: int | None = None,
    streaming: bool | None = None,
    rng: Rng | None = None,
    allowed_rsv: int = 0,
    max_events: int | None = 32,
    frame_size: int | None = None,
    close_timeout: float | None = 5.0,
    ping_interval: float | None = None,
    ping_timeout: float | None = 20.0,
    user_data: Any = None,
    on_msg: OnMsg | None = None,
    on_msg_rx_init: OnRxInit | None = None,
    on_msg_rx_data: OnRxData | None = None,
    on_msg_rx_complete: OnRxComplete | None = None,
    on_ping: OnControl | None = None,
    on_pong: OnControl | None = None,
    on_close: OnClose | None = None,
    on_err: OnErr | None = None,
) -> WebSocket: ...

def reconnect(
    target: str | Callable[[], Awaitable[WebSocket]],
    *,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    min_uptime: float = 10.0,
    on_retry: Callable[[BaseException, float], object] | None = None,
    headers: Table | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    connect_timeout: float | None = 10.0,
    timeout: float | None = 30.0,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    buffer_size: int | None = None,
    server_hostname: str | None = None,
    extensions: list[str] | tuple[str, ...] | None = None,
    max_message: int | None = 65536,
    max_frame: int | None = None,
    streaming: bool | None = None,
    rng: Rng | None = None,
    allowed_rsv: int = 0,
    max_events: int | None = 32,
    frame_size: int | None = None,
    close_timeout: float | None = 5.0,
    ping_interval: float | None = None,
    ping_timeout: float | None = 20.0,
    user_data: Any = None,
    on_msg: OnMsg | None = None,
    on_msg_rx_init: OnRxInit | None = None,
    on_msg_rx_data: OnRxData | None = None,
    on_msg_rx_complete: OnRxComplete | None = None,
    on_ping: OnControl | None = None,
    on_pong: OnControl | None = None,
    on_close: OnClose | None = None,
    on_err: OnErr | None = None,
) -> Reconnect: ...
# The one-call functions (in ``aioapi``, loaded on first use); ``**kw``: as ``api.request``.
async def request(
    method: str,
    url: str,
    timeout: float | None = 30.0,
    connect_timeout: float | None = 10.0,
    max_body: int | None = 1048576,
    follow_redirects: int | None = 10,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    **kw: Unpack[RequestKw],
) -> Response: ...
async def get(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def post(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def put(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def patch(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def delete(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def head(url: str, **kw: Unpack[CallKw]) -> Response: ...
async def close_all() -> None: ...
