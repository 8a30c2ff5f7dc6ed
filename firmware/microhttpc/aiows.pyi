from typing import Any, Final

from ._types import Bytes, OnClose, OnControl, OnErr, OnMsg, OnRxComplete, OnRxData, OnRxInit

from . import rfc6455
from .aio import Connection
from .session import Response

class WebSocket:
    """An open asyncio WebSocket: ``await send(msg)``, ``await recv()`` (str or bytes), ``await
    ping()``, ``await close()``, ``async for msg in ws``."""

    conn: Connection
    protocol: rfc6455.Protocol
    subprotocol: str | None
    extensions: list[str]
    response: Response | None
    # The WebSocket's settings, read-only: a call takes its own (recv(timeout=)); an assigned nan
    # or -1 was no UsageError (it failed inside a later call, as Python's ValueError)
    timeout: Final[float | None]
    close_timeout: Final[float | None]
    frame_size: int | None
    user_data: Any
    rx_length: int
    on_msg: OnMsg | None
    # (streaming mode is chosen at the upgrade: assigning these later does not turn it on or off)
    on_msg_rx_init: OnRxInit | None
    on_msg_rx_data: OnRxData | None
    on_msg_rx_complete: OnRxComplete | None
    on_ping: OnControl | None
    on_pong: OnControl | None
    on_close: OnClose | None
    on_err: OnErr | None
    def __init__(
        self,
        conn: Connection,
        protocol: rfc6455.Protocol,
        subprotocol: str | None,
        extensions: list[str],
        response: Response,
        leftover: bytes | None,
        opts: dict[str, Any],
    ) -> None: ...
    def one_read(self) -> int: ...
    @property
    def state(self) -> int: ...
    @property
    def close_code(self) -> int | None: ...
    @property
    def close_reason(self) -> str | None: ...
    async def send(self, message: str | Bytes, frame_size: int | None = None) -> None: ...
    async def send_start(self, is_text: bool = False) -> None: ...
    async def send_fragment(self, data: str | Bytes) -> None: ...
    async def send_end(self, data: str | Bytes = b"") -> None: ...
    async def ping(self, data: str | Bytes = b"") -> None: ...
    async def pong(self, data: str | Bytes = b"") -> None: ...
    async def recv(self, timeout: float | None = ...) -> str | bytes: ...
    async def close(self, code: int | None = 1000, reason: str = "") -> None: ...
    @property
    def closed(self) -> bool: ...
    def __aiter__(self) -> WebSocket: ...
    async def __anext__(self) -> str | bytes: ...
    async def __aenter__(self) -> WebSocket: ...
    async def __aexit__(self, *exc: object) -> None: ...
