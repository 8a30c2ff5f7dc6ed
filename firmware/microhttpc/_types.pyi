# Type aliases for the stubs only: no module of this name exists at run time.
from typing import Any, Callable, Dict, Iterable, Protocol, Tuple, Union

from .errors import HTTPCError

Bytes = Union[bytes, bytearray, memoryview]
# A header, query or form table: a dict, a list of (name, value) pairs (values go through str();
# a query value of None writes the key alone), or a callable returning one.
Pairs = Union[Dict[str, Any], Iterable[Tuple[str, Any]]]
Table = Union[Pairs, Callable[[], Pairs]]
Rng = Callable[[int], bytes]  # rng(n) -> n random bytes

class ReadInto(Protocol):
    def readinto(self, buf: Any, /) -> int | None: ...

class Read(Protocol):
    def read(self, n: int, /) -> bytes | str: ...

# A body: bytes/str; a file object; a callable ``fn(buf) -> n`` that fills the memoryview and returns
# the count (0 at the end); an iterable of bytes/str chunks.
Source = Union[Bytes, str, ReadInto, Read, Callable[[memoryview], int], Iterable[Union[Bytes, str]]]

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
