from typing import Any, Callable, Final, Iterator

from ._types import Bytes, Pairs, Rng, Source, Table

def quote(s: Any, space_plus: bool = False) -> str: ...
def encode_pairs(table: Table | None, space_plus: bool = False) -> str: ...
def split_url(url: str) -> tuple[str, str, int, str]: ...
def source_pieces(src: Source | None, buf: bytearray) -> Iterator[Bytes]: ...

class Request:
    """One HTTP request: method, target, query, headers, body or form, response hooks."""

    # Given to the constructor, which checks them; read-only (nothing checks a value assigned later:
    # ``req.method = "get"`` went out in lower case, ``req.deadline = nan`` was a bare ValueError)
    method: Final[str]
    target: Final[str]
    headers: Table | None
    query: Table | None
    body: Source | None
    content_length: int | None
    form: Pairs | None
    multipart: Final[bool | None]
    content_type: Final[str | None]
    on_header: Final[Callable[[str, str], object] | None]
    on_body: Final[Callable[[bytes], object] | None]
    follow_redirects: Final[int | None]
    user_data: Any
    auth: tuple[str, str] | None
    rng: Final[Rng | None]
    deadline: Final[float | None]
    sent_length: int | None
    sent_target: str | None  # (None until prepare())
    keep_alive: bool  # (set by prepare())
    def __init__(
        self,
        method: str = "GET",
        target: str = "/",
        headers: Table | None = None,
        query: Table | None = None,
        body: Source | None = None,
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
    ) -> None: ...
    def user_headers(self) -> list[tuple[str, str]]: ...
    def replayable(self) -> bool: ...
    def prepare(
        self,
        host_header: str,
        close: bool = False,
        headers: list[tuple[str, str]] | None = None,
        target: str | None = None,
    ) -> tuple[bytes, Any]: ...
    def body_pieces(self, body: Any, buf: bytearray) -> Iterator[Bytes]: ...

def request(
    method: str | Request, target: str, headers: Table | None, body: Source | None, kw: dict[str, Any]
) -> Request:
    """The Request of a layer's ``request(method, target, headers, body, **kw)``: ``method`` itself when
    it is a ready Request (then nothing else may be given: UsageError), else a new one."""
