"""Helpers of dual_ws_user_oom and dual_ws_user_oom_engine: an on_err that raises a MemoryError of its
own, and no heap to take a fault's Close from the protocol."""

from microhttpc.rfc6455 import Protocol


class Mine(MemoryError):
    pass


def _raiser(seen):
    def on_err(exc):
        seen.append(type(exc).__name__)
        raise Mine("user")

    return on_err


def _no_heap_to_take_the_close():
    """``Protocol.data_to_send`` raises MemoryError once a fault is set (once); returns the undo."""
    take = Protocol.data_to_send
    armed = [True]

    def data_to_send(self):
        if armed[0] and self.failure is not None:
            armed[0] = False
            raise MemoryError
        return take(self)

    Protocol.data_to_send = data_to_send

    def undo():
        Protocol.data_to_send = take

    return undo
