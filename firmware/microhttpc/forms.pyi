from typing import Any, Iterable, Iterator

from ._types import Bytes, Rng, Source

class Value:
    """A form value streamed from ``source``; ``length`` in bytes if known."""

    source: Source
    length: int | None
    filename: str | None
    content_type: str | None
    def __init__(
        self, source: Source, length: int | None = None, content_type: str | None = None
    ) -> None: ...

class File(Value):
    """A file part: ``source`` (e.g. ``open(path, "rb")``), ``filename``, ``content_type``."""

    def __init__(
        self,
        source: Source,
        filename: str,
        content_type: str = "application/octet-stream",
        length: int | None = None,
    ) -> None: ...

class Multipart:
    boundary: str
    content_type: str
    parts: list[tuple[bytes, Value]]
    length: int | None
    def __init__(self, pairs: Iterable[tuple[str, Any]], rng: Rng | None = None) -> None: ...
    def pieces(self, buf: bytearray) -> Iterator[Bytes]: ...
