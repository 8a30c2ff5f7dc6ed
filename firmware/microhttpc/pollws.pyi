from typing import Any, Final, Callable

from ._types import (
    Bytes,
    OnAnyErr,
    OnClose,
    OnControl,
    OnMsg,
    OnRxComplete,
    OnRxData,
    OnRxInit,
    OnTx,
    Rng,
    Table,
)

from . import rfc6455
from .errors import ConnectionLost, ProtocolError
from .poll import Conn, Engine
from .session import Response

def upgrade(
    engine: Engine,
    conn: Conn,
    path: str = "/",
    headers: Table | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    extensions: list[str] | tuple[str, ...] | None = None,
    *,
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

class WebSocket:
    """The WebSocket of an upgraded engine connection (usable after ``on_open``).  Send methods queue
    frames; ``on_tx_complete(ok)`` once the last byte was written (or the connection ended first)."""

    conn: Conn
    protocol: rfc6455.Protocol | None
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
    on_open: Callable[[WebSocket], object] | None
    on_msg: OnMsg | None
    # (streaming mode is chosen at the upgrade: assigning these later does not turn it on or off)
    on_msg_rx_init: OnRxInit | None
    on_msg_rx_data: OnRxData | None
    on_msg_rx_complete: OnRxComplete | None
    on_ping: OnControl | None
    on_pong: OnControl | None
    on_close: OnClose | None
    on_err: OnAnyErr | None
    def __init__(self, conn: Conn, kw: dict[str, Any]) -> None: ...
    def one_read(self) -> int: ...
    @property
    def state(self) -> int: ...
    @property
    def close_code(self) -> int | None: ...
    @property
    def close_reason(self) -> str | None: ...
    def send(
        self, message: str | Bytes, on_tx_complete: OnTx | None = None, frame_size: int | None = None
    ) -> None: ...
    def send_start(self, is_text: bool = False) -> None: ...
    def send_fragment(self, data: str | Bytes, on_tx_complete: OnTx | None = None) -> None: ...
    def send_end(self, data: str | Bytes = b"", on_tx_complete: OnTx | None = None) -> None: ...
    def ping(self, data: str | Bytes = b"", on_tx_complete: OnTx | None = None) -> None: ...
    def pong(self, data: str | Bytes = b"", on_tx_complete: OnTx | None = None) -> None: ...
    def close(self, code: int | None = 1000, reason: str = "") -> None: ...
    def cause(self) -> ProtocolError | ConnectionLost | None: ...
