from typing import Any, AsyncIterator, Callable, Iterator

from ._types import OnClose, OnControl, OnErr, OnMsg, OnRxComplete, OnRxData, OnRxInit, Rng, Table
from . import aiows
from .websocket import WebSocket

OnRetry = Callable[[BaseException, float], object]  # the error, the wait in seconds (0: at once)

class Reconnect:
    """``for ws in reconnect(url)`` (blocking) / ``async for ws in aio.reconnect(url)``: a connected
    WebSocket each time round, reopened with exponential backoff and jitter."""

    target: Any
    base_delay: float
    max_delay: float
    min_uptime: float
    on_retry: OnRetry | None
    attempts: int
    websocket: Any
    def __init__(
        self,
        target: Any,
        base_delay: float,
        max_delay: float,
        min_uptime: float,
        on_retry: OnRetry | None,
        kw: dict[str, Any],
        aio: bool = False,
    ) -> None: ...
    def __iter__(self) -> Iterator[WebSocket]: ...
    def __next__(self) -> WebSocket: ...
    def __aiter__(self) -> AsyncIterator[aiows.WebSocket]: ...
    async def __anext__(self) -> aiows.WebSocket: ...

class PollReconnect(Reconnect):
    """``microhttpc.poll.reconnect(engine, target, ...)``: the same rules on a poll ``Engine``, driven
    by its callbacks and ``call_later`` timers."""

    engine: Any
    error: BaseException | None
    @property
    def running(self) -> bool:
        """True until ``stop()`` was called or the reconnecting gave up."""
    def __init__(self, engine: Any, target: Any, kw: dict[str, Any]) -> None: ...
    def stop(self) -> None: ...

def reconnect(
    target: str | Callable[[], WebSocket],
    base_delay: float = 1.0,
    max_delay: float = 30.0,
    min_uptime: float = 10.0,
    on_retry: OnRetry | None = None,
    aio: bool = False,
    *,
    headers: Table | None = None,
    subprotocols: list[str] | tuple[str, ...] | None = None,
    connect_timeout: float | None = 10.0,
    timeout: float | None = 30.0,
    ssl_context: Any = None,
    cadata: bytes | bytearray | str | None = None,
    verify: bool = True,
    server_hostname: str | None = None,
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
) -> Reconnect: ...
