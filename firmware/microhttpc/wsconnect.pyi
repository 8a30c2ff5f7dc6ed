from typing import Any

from ._types import OnClose, OnControl, OnErr, OnMsg, OnRxComplete, OnRxData, OnRxInit, ReTable, Rng

from .websocket import WebSocket

def ws_connect(
    url: str,
    headers: ReTable | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    connect_timeout: float | None = 10.0,
    timeout: float | None = 30.0,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    server_hostname: str | None = None,
    *,
    extensions: list[str] | tuple[str, ...] | None = None,
    max_message: int | None = 65536,
    max_frame: int | None = None,
    streaming: bool | None = None,
    rng: Rng | None = None,
    allowed_rsv: int = 0,
    max_events: int | None = 32,
    close_timeout: float | None = 5.0,
    ping_interval: float | None = None,
    ping_timeout: float | None = 20.0,
    buffer_size: int | None = None,
    frame_size: int | None = None,
    tx_buffer_size: int = 0,
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
