# Type aliases for the stubs only: no module of this name exists at run time.
import array
import io
from typing import Any, Callable, Dict, Iterable, List, Protocol, Tuple, TypedDict, Union

from .errors import HTTPCError

Bytes = Union[bytes, bytearray, memoryview]
# A header, query or form table: a dict, a list of (name, value) pairs, or a callable returning one.
# Query and form values: str, a number (as str() writes it), bytes, bytearray or memoryview (their bytes, percent-
# encoded), None (the key alone) or a list of them; header values: str, bytes or a number.
Pairs = Union[Dict[str, Any], Iterable[Tuple[str, Any]]]
Table = Union[Pairs, Callable[[], Pairs]]
# ws_connect()'s headers: read twice (checked before the connection, then sent), so no iterator
ReTable = Union[Dict[str, Any], List[Tuple[str, Any]], Tuple[Tuple[str, Any], ...], Callable[[], Pairs]]
Rng = Callable[[int], bytes]  # rng(n) -> n random bytes

class ReadInto(Protocol):
    def readinto(self, buf: Any, /) -> int | None: ...

class Read(Protocol):
    def read(self, n: int, /) -> bytes | str: ...

# A body: bytes/str; a file object; a callable ``fn(buf) -> n`` that fills the memoryview and returns
# the count (0 at the end); an iterable of bytes/str chunks.  (io.BytesIO by name: the boards' stubs,
# micropython-esp32-stubs and micropython-rp2-stubs, give it no methods, and it matched neither protocol.)
Source = Union[Bytes, str, array.array[int], ReadInto, Read, io.BytesIO, Callable[[memoryview], int],
               Iterable[Union[Bytes, str]]]  # (an array: a copy of its bytes is sent)
# A writable buffer that Response.readinto fills
WBuf = Union[bytearray, memoryview, array.array[int]]

# WebSocket callbacks (the same on every layer unless noted)
OnRxInit = Callable[[bool, Union[int, None]], Union[bytearray, memoryview, None]]  # a buffer: auto mode
OnRxData = Callable[[memoryview], object]  # the memoryview is valid only during the call
OnRxComplete = Callable[[], object]
OnControl = Callable[[bytes], object]  # on_ping / on_pong: the payload
OnClose = Callable[[int, str], object]  # code, reason
# on_err, blocking and asyncio: the server's protocol fault, or the keepalive's TimeoutError; once
OnErr = Callable[[HTTPCError], object]
OnMsg = Callable[[Union[str, bytes]], object]  # a whole message: str (text) or bytes (binary)
OnAnyErr = Callable[[Exception], object]  # poll engine: any failure (refused upgrade, fault, timeout, loss)
OnTx = Callable[[bool], object]  # ok: False when the connection ended before the bytes went out

# The keywords the one-call functions (``api``, ``aio``) pass on to ``Connection.request``
class RequestKw(TypedDict, total=False):
    headers: Table | None
    body: Source | None
    query: Table | None
    content_length: int | None
    form: Pairs | None
    multipart: bool | None
    content_type: str | None
    on_header: Callable[[str, str], object] | None
    on_body: Callable[[bytes], object] | None
    user_data: Any
    rng: Rng | None
    deadline: float | None
    json: Any
    auth: tuple[str, str] | None

# ... and those of ``request()`` itself, for ``get()``, ``post()`` ...
class CallKw(RequestKw, total=False):
    timeout: float | None
    connect_timeout: float | None
    max_body: int | None
    follow_redirects: int
    ssl_context: Any
    cadata: bytes | bytearray | str | None
    verify: bool
