from typing import Any, Final, Callable, Iterable, Iterator

from ._types import Bytes, OnClose, OnControl, OnErr, OnMsg, OnRxComplete, OnRxData, OnRxInit

from . import rfc6455
from .errors import ConnectionClosed as ConnectionClosed

from .errors import UsageError as UsageError
from .session import Response

_Message = str | bytes

class WebSocket:
    """An open WebSocket on a connected stream (made by ``Connection.upgrade`` or ``ws_connect``)."""

    protocol: rfc6455.Protocol
    subprotocol: str | None
    extensions: list[str]
    response: Response | None
    # The WebSocket's settings, read-only: a call takes its own (recv(timeout=)); an assigned nan
    # or -1 was no UsageError (it failed inside a later call, as Python's ValueError)
    timeout: Final[float | None]
    close_timeout: Final[float | None]
    user_data: Any
    rx_length: int
    stream: Any
    frame_size: int | None
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
        stream: Any,
        protocol: rfc6455.Protocol,
        leftover: bytes = b"",
        subprotocol: str | None = None,
        response: Response | None = None,
        buffer_size: int | None = None,
        close_timeout: float | None = 5.0,
        timeout: float | None = None,
        on_msg: OnMsg | None = None,
        on_msg_rx_init: OnRxInit | None = None,
        on_msg_rx_data: OnRxData | None = None,
        on_msg_rx_complete: OnRxComplete | None = None,
        on_ping: OnControl | None = None,
        on_pong: OnControl | None = None,
        on_close: OnClose | None = None,
        on_err: OnErr | None = None,
        frame_size: int | None = None,
        user_data: Any = None,
        buffer: bytearray | None = None,
        tx_buffer_size: int = 0,
        ping_interval: float | None = None,
        ping_timeout: float | None = 20.0,
    ) -> None: ...
    def one_read(self) -> int: ...
    @property
    def state(self) -> int: ...
    @property
    def close_code(self) -> int | None: ...
    @property
    def close_reason(self) -> str | None: ...
    def send(self, message: str | Bytes, frame_size: int | None = None) -> None: ...
    def send_text(self, text: str, frame_size: int | None = None) -> None: ...
    def send_binary(self, data: Bytes, frame_size: int | None = None) -> None: ...
    def send_start(self, is_text: bool = False) -> None: ...
    def send_fragment(self, data: str | Bytes) -> None: ...
    def send_end(self, data: str | Bytes = b"") -> None: ...
    def send_stream(
        self, chunks: Iterable[str | Bytes] | Callable[[], str | Bytes | None], is_text: bool = False
    ) -> None: ...
    def ping(self, data: str | Bytes = b"") -> None: ...
    def pong(self, data: str | Bytes = b"") -> None: ...
    def recv(self, timeout: float | None = ...) -> _Message: ...
    def poll(self, timeout: float | None = 0) -> bool: ...
    def close(self, code: int | None = 1000, reason: str = "") -> None: ...
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> WebSocket: ...
    def __exit__(self, *exc: object) -> None: ...
    def __iter__(self) -> Iterator[_Message]: ...
    def __next__(self) -> _Message: ...

def after_101(
    stream: Any,
    buf: bytearray | None,
    leftover: bytes | None,
    sub: str | None,
    accepted: list[str],
    resp: Response | None,
    timeout: float | None,
    ws_options: dict[str, Any],
) -> WebSocket: ...

__all__ = ("WebSocket", "UsageError", "ConnectionClosed")
