"""A large message sent in pieces: for an I/O layer that lends the protocol a transmit buffer smaller
than the message (the blocking WebSocket with ``tx_buffer_size``), the frame's header and then its
payload masked piece by piece in that buffer, so the message is never copied whole.  A module of its
own, loaded at the first such message: a WebSocket that never sends one does not keep its code.
"""

from .rfc6455 import OPEN, _mask
from .errors import UsageError


def message_pieces(p, op, data, buf):
    """One unfragmented message (opcode ``op``) of the ``rfc6455.Protocol`` ``p``, for a layer that
    writes each piece before it takes the next: yields the frame's header, then its payload masked in
    ``buf`` (a bytearray), ``len(buf)`` bytes rounded down to a multiple of 4 at a time, each piece
    valid until the next is taken.  Sending ``len(data)`` bytes so needs no frame-sized copy.  Checks as
    ``send_message()``; the layer writes what ``data_to_send()`` holds first."""
    if p.state != OPEN:
        raise p.closed_error()
    if p._tx_op:
        raise UsageError("a streamed message is being sent; finish it with send_end() first")
    n = len(data)
    head = p._build(op, b"", True, False, n)
    key = head[len(head) - 4 :]  # a copy: the next frame's key goes where this one was drawn
    yield head
    src = memoryview(data)
    out = memoryview(buf)
    step = len(buf) & ~3  # the key's phase starts again at every piece
    for i in range(0, n, step):
        k = n - i if n - i < step else step
        out[:k] = src[i : i + k]
        _mask(buf, 0, k, key)
        yield out[:k]
