"""Auto mode (``on_msg_rx_init`` returns the buffer a message is assembled in), on every layer and both
runtimes: a buffer the application grows while its message comes (here in ``on_ping``, between the
message's fragments) takes the rest of the message where its bytes are now.  On MicroPython the package
wrote through a view of the buffer's old storage: the rest of the message was lost, and the freed
memory overwritten (a crash in a larger case); on CPython the view made the application's extend()
raise BufferError (an outside hunt)."""

from check import raises, server
from pumps_ws import connect_ws, per_layer


def _a_buffer_grown_during_its_message(layer):
    from microhttpc.errors import TimeoutError

    h, p = server("ws")
    buf = bytearray(16)
    done = []

    def grow(data):
        buf.extend(bytes(2000))  # (its storage moves, as a rule: no room after it for that)

    def complete():  # (the message may come with the 101: before connect_ws() returns)
        done.append(bytes(buf[:10]))

    ws = connect_ws(layer, h, p, "/frag", on_msg_rx_init=lambda is_text, n: buf, on_ping=grow,
                    on_msg_rx_complete=complete)
    try:
        raises(TimeoutError, ws.recv, 1)  # (auto mode: the message goes to the buffer, not to recv())
        assert done == [b"fragmented"], done
        assert (ws.ws if layer == "poll" else ws).rx_length == 10
        assert len(buf) == 16 + 2 * 2000, len(buf)
    finally:
        ws.close()


per_layer(globals(), "a_buffer_grown_during_its_message", _a_buffer_grown_during_its_message)


def _a_subclass_of_bytearray_grown_during_its_message(layer):
    # (a review: the first version of the fix asked for type() bytearray, and a subclass's grown
    # buffer was written through the old view still)
    from microhttpc.errors import TimeoutError

    class Buf(bytearray):
        pass

    h, p = server("ws")
    buf = Buf(16)
    done = []
    ws = connect_ws(layer, h, p, "/frag", on_msg_rx_init=lambda is_text, n: buf,
                    on_ping=lambda data: buf.extend(bytes(2000)),
                    on_msg_rx_complete=lambda: done.append(bytes(buf[:10])))
    try:
        raises(TimeoutError, ws.recv, 1)
        assert done == [b"fragmented"], done
    finally:
        ws.close()


per_layer(globals(), "a_subclass_of_bytearray_grown_during_its_message",
          _a_subclass_of_bytearray_grown_during_its_message)
