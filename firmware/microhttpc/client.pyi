from typing import Any, Callable, Iterator

from ._types import OnClose, OnControl, OnErr, OnMsg, OnRxComplete, OnRxData, OnRxInit, Pairs, Rng, Source, Table, WBuf

from . import session
from .request import Request
from .websocket import WebSocket

class Response(session.Response):
    """One response: ``status``, ``reason``, ``headers`` ...; the body with ``read()`` / ``text()`` /
    ``json()``, or streamed with ``read(n)``, ``readinto(buf)`` or ``iter_chunks()``."""

    def iter_chunks(self) -> Iterator[bytes]: ...
    def iter_lines(self, max_line: int | None = None) -> Iterator[bytes]: ...
    def read(self, n: int | None = -1, max_size: int | None = None) -> bytes: ...
    def readinto(self, buf: WBuf) -> int: ...
    def text(self, encoding: str | None = None) -> str: ...
    def json(self) -> Any: ...
    def close(self) -> None: ...

class Connection(session.Session):
    """A connection to one server: requests (keep-alive), WebSocket upgrade, close.  The constructor
    keywords are ``session.Session``'s."""

    stream: Any
    websocket: WebSocket | None
    @property
    def is_open(self) -> bool: ...
    def open(self) -> Connection: ...
    def close(self) -> None: ...
    def __enter__(self) -> Connection: ...
    def __exit__(self, *exc: object) -> None: ...
    def request(
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
    def send(self, req: Request) -> Response: ...
    def queue(self, req: Request) -> Request: ...
    def run(self) -> Iterator[Response]: ...
    def upgrade(
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
        timeout: float | None = ...,
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

def parse_url(url: str) -> tuple[str, str, int, str]: ...
__all__ = ("Connection", "Response", "parse_url")
