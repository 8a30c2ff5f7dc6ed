"""``WebSocket.send_stream`` of the blocking layer: a message of unknown length from an iterable or a
callable (HTTPc's dynamic mode).  A module of its own, loaded at the first such message: a WebSocket
that never sends one does not keep its code.
"""

from .errors import UsageError
from .rfc6455 import OPEN


def send_stream(ws, chunks, is_text):
    """``ws.send_stream(chunks, is_text)`` (the blocking WebSocket): chunks from an iterable, or from a
    callable until it returns an empty one, each sent as it comes, then an empty FIN frame."""
    if callable(chunks):
        fn = chunks

        def gen():
            while True:
                try:
                    c = fn()
                except StopIteration:  # (lambda: next(it) without an empty last chunk: the end too; in
                    return  # this generator it became a bare RuntimeError, PEP 479)
                if not c:
                    return
                yield c

        chunks = gen()
    try:
        if isinstance(chunks, (dict, str, bytes, bytearray, memoryview)):  # (a dict's keys went out as the
            raise TypeError  # message; bytes gave ints, which ended the connection: a slip for send())
        chunks = iter(chunks)
    except TypeError:
        raise UsageError("send_stream() takes an iterable of chunks or a callable, not %s (one message: send())"
                         % type(chunks).__name__)
    ws.send_start(is_text)
    try:
        for c in chunks:
            if c or not isinstance(c, (str, bytes, bytearray, memoryview)):  # (an empty chunk: no frame; None,
                ws.send_fragment(c)  # 0 or [] went by unsaid: UsageError, as any chunk that is no str or bytes)
    except BaseException:  # (a chunk that is no str or bytes, the iterable's own error): the message
        if ws.protocol.state == OPEN:  # cannot be finished, nor the stream go on after it
            ws._drop()
        raise
    ws.send_end()
