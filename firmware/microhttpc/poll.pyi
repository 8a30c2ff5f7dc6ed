from typing import Any, Callable, Iterator

from ._types import (
    OnAnyErr,
    OnClose,
    OnControl,
    OnMsg,
    OnRxComplete,
    OnRxData,
    OnRxInit,
    Pairs,
    Rng,
    Source,
    Table,
)

from . import session
from .pollws import WebSocket
from .request import Request
from .backoff import PollReconnect

_OnConnect = Callable[[Conn], object]
_OnConnErr = Callable[[Conn, Exception], object]  # the connection failed: its cause
_OnConnClose = Callable[[Conn, Exception | None], object]  # once per connection; None: a clean close
_OnResponse = Callable[[Response], object]  # the head came
_OnBody = Callable[[bytes], object]  # a piece of the body (without it: collected into resp.body)
_OnComplete = Callable[[Response, bool], object]  # ok: False when the request failed after the head
_OnReqErr = Callable[[Exception], object]  # the request failed

STATE_NAMES: tuple[str, ...]

class Response(session.Response):
    """``session.Response`` with ``body`` (collected when the request had no ``on_body``) and
    ``transaction``."""

    body: bytes | None
    transaction: Transaction | None
    def read(self, n: int | None = -1, max_size: int | None = None) -> bytes:
        """The collected body whole (``n`` < 0 or None), or up to ``n`` bytes of it at a time (b"" at
        the end), as the other layers' read(); b"" when it went to ``on_body``; a whole read of more than
        ``max_size`` bytes raises LimitExceeded, as on the other layers (the body stays, to read in parts).  ConnectionLost when the connection was
        lost before its end (``on_complete(resp, False)``: what came is gone, as on the other layers)."""
    def text(self, encoding: str | None = None) -> str: ...
    def json(self) -> Any: ...
    def iter_lines(self, max_line: int | None = None) -> Iterator[bytes]: ...

class Transaction:
    """One queued request and its outcome (the upgrade is one too, with ``websocket``)."""

    conn: Conn
    request: Request
    method: str
    response: Response | None
    done: bool
    error: Exception | None
    websocket: WebSocket | None
    chunks: Any
    user_data: Any
    on_response: _OnResponse | None
    on_body: _OnBody | None
    on_complete: _OnComplete | None
    on_err: _OnReqErr | None
    def __init__(
        self,
        conn: Conn,
        request: Request,
        on_response: _OnResponse | None = None,
        on_body: _OnBody | None = None,
        on_complete: _OnComplete | None = None,
        on_err: _OnReqErr | None = None,
        user_data: Any = None,
    ) -> None: ...

class Conn(session.Session):
    """One connection of an Engine (what ``Engine.connect`` returns and its callbacks get)."""

    engine: Engine
    state: int
    error: Exception | None
    websocket: WebSocket | None
    sock: Any
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
    @property
    def state_name(self) -> str:
        """The connection's state as a word (``STATE_NAMES[state]``), for logs."""
    @property
    def closed(self) -> bool:
        """True once the connection ended (``on_close`` was called or is due)."""
    @property
    def upgraded(self) -> bool:  # type: ignore[override]  # (the state's; session.finish_upgrade's store is a no-op)
        """True while the connection is a WebSocket (after its 101, until it closes)."""

class Engine:
    """Drives any number of connections from one ``select.poll`` loop, with HTTPc's callbacks."""

    connect_timeout: float | None
    timeout: float | None
    def __init__(
        self, buffer_size: int = 2048, connect_timeout: float | None = 10.0, timeout: float | None = 30.0
    ) -> None: ...
    @property
    def connections(self) -> list[Conn]:
        """A list of the connections not yet closed (a copy: the engine's own may change meanwhile)."""
    def connect(
        self,
        host: str,
        port: int | None = None,
        tls: bool = False,
        on_connect: _OnConnect | None = None,
        on_close: _OnConnClose | None = None,
        on_err: _OnConnErr | None = None,
        connect_timeout: float | None = ...,
        timeout: float | None = ...,
        persistent: bool = True,
        ssl_context: Any = None,
        cadata: bytes | bytearray | str | None = None,
        verify: bool = True,
        server_hostname: str | None = None,
        max_line: int = 2048,
        max_headers: int = 40,
        max_header_bytes: int = 8192,
        max_chunk_line: int = 256,
        max_body: int | None = 1048576,
        user_data: Any = None,
        deadline: float | None = None,
        max_interim: int = 8,
        follow_redirects: int = 0,
        drain_limit: int = 4096,
        drain_timeout: float | None = 1.0,
    ) -> Conn: ...
    def request(
        self,
        conn: Conn,
        method: str | Request,
        target: str = "/",
        headers: Table | None = None,
        body: Source | None = None,
        on_response: _OnResponse | None = None,
        on_body: _OnBody | None = None,
        on_complete: _OnComplete | None = None,
        on_err: _OnReqErr | None = None,
        *,
        user_data: Any = None,
        deadline: float | None = None,
        query: Table | None = None,
        content_length: int | None = None,
        form: Pairs | None = None,
        multipart: bool | None = None,
        content_type: str | None = None,
        on_header: Callable[[str, str], object] | None = None,
        follow_redirects: int | None = None,
        rng: Rng | None = None,
        json: Any = None,
        auth: tuple[str, str] | None = None,
    ) -> Transaction: ...
    def upgrade(
        self,
        conn: Conn,
        path: str = "/",
        *,
        headers: Table | None = None,
        subprotocols: list[str] | tuple[str, ...] | None = None,
        extensions: list[str] | tuple[str, ...] | None = None,
        max_message: int | None = 65536,
        max_frame: int | None = None,
        max_events: int = 32,
        streaming: bool | None = None,
        rng: Rng | None = None,
        allowed_rsv: int = 0,
        timeout: float | None = None,
        close_timeout: float | None = 5.0,
        ping_interval: float | None = None,
        ping_timeout: float | None = 20.0,
        frame_size: int | None = None,
        user_data: Any = None,
        on_open: Callable[[WebSocket], object] | None = None,
        on_msg: OnMsg | None = None,
        on_msg_rx_init: OnRxInit | None = None,
        on_msg_rx_data: OnRxData | None = None,
        on_msg_rx_complete: OnRxComplete | None = None,
        on_ping: OnControl | None = None,
        on_pong: OnControl | None = None,
        on_close: OnClose | None = None,
        on_err: OnAnyErr | None = None,
    ) -> WebSocket: ...
    def ws_send(
        self,
        conn: Conn,
        message: str | bytes | bytearray | memoryview,
        on_tx_complete: Callable[[bool], object] | None = None,
    ) -> None: ...
    def close(self, conn: Conn, abort: bool = False) -> None: ...
    def call_later(self, delay: float, fn: Callable[[], object]) -> None: ...
    def close_all(self) -> None: ...
    def poll(self, timeout_ms: float | None = 0) -> int: ...
    def run(self, until: Callable[[], bool] | None = None, timeout: float | None = None) -> bool: ...

def reconnect(
    engine: Engine,
    target: str | Callable[[Engine], WebSocket],
    *,
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    min_uptime: float = 10.0,
    on_retry: Callable[[BaseException, float], object] | None = None,
    connect_timeout: float | None = ...,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    server_hostname: str | None = None,
    deadline: float | None = None,
    headers: Table | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    extensions: list[str] | tuple[str, ...] | None = None,
    max_message: int | None = 65536,
    max_frame: int | None = None,
    max_events: int = 32,
    streaming: bool | None = None,
    rng: Rng | None = None,
    allowed_rsv: int = 0,
    timeout: float | None = None,
    close_timeout: float | None = 5.0,
    ping_interval: float | None = None,
    ping_timeout: float | None = 20.0,
    frame_size: int | None = None,
    user_data: Any = None,
    on_open: Callable[[WebSocket], object] | None = None,
    on_msg: OnMsg | None = None,
    on_msg_rx_init: OnRxInit | None = None,
    on_msg_rx_data: OnRxData | None = None,
    on_msg_rx_complete: OnRxComplete | None = None,
    on_ping: OnControl | None = None,
    on_pong: OnControl | None = None,
    on_close: OnClose | None = None,
    on_err: OnAnyErr | None = None,
) -> PollReconnect: ...
