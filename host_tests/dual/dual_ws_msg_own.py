"""On the Engine, a MemoryError that a WebSocket's message callback raises itself (``on_msg``,
``on_msg_rx_data``, ``on_ping`` ...; a subclass of the application's or a plain one) ends the connection
as any exception of a callback does: reported once, to the connection's ``on_err`` and ``on_close``,
and nothing that came after it in the same read is handed out (the WebSocket's ``on_close`` says 1006).
The Engine took every MemoryError there for the package's own shortage, whose end still hands out what
was parsed: the callback that had just raised was called again with the next message, and the
WebSocket's on_close said 1001 from the server's Close, before the error was reported (an outside
hunt; a ValueError was handled right).  The server sends two messages and a Close(1001) in one write
(``/bye/2``), or a PING and four messages (``/ping-then-msgs``)."""

from check import server
from microhttpc.poll import Engine


class Mine(MemoryError):
    pass


def _run(path, kind, cb_name, **kw):
    """The Engine, a WebSocket on ``path`` whose ``cb_name`` callback raises ``kind`` at its first
    call; returns what was seen, in order."""
    seen = []
    e = Engine()
    h, p = server("wsraw")
    c = e.connect(h, p, timeout=5, on_err=lambda c, x: seen.append(("conn on_err", type(x).__name__)),
                  on_close=lambda c, x: seen.append(("conn on_close", type(x).__name__)))

    def cb(*args):
        seen.append((cb_name, bytes(args[-1]) if cb_name == "on_msg_rx_data" else args[-1]))
        raise kind("mine")

    kw[cb_name] = cb
    e.upgrade(c, path, on_close=lambda code, reason: seen.append(("on_close", code)), **kw)
    e.run(until=lambda: c.closed, timeout=5)
    return seen


def test_on_msg_own_memoryerror_subclass():
    seen = _run("/bye/2", Mine, "on_msg")
    assert seen == [("on_msg", "m0"), ("on_close", 1006), ("conn on_err", "Mine"), ("conn on_close", "Mine")], seen


def test_on_msg_own_plain_memoryerror():
    seen = _run("/bye/2", MemoryError, "on_msg")
    want = [("on_msg", "m0"), ("on_close", 1006), ("conn on_err", "MemoryError"), ("conn on_close", "MemoryError")]
    assert seen == want, seen


def test_a_valueerror_the_same():
    seen = _run("/bye/2", ValueError, "on_msg")
    assert seen == [("on_msg", "m0"), ("on_close", 1006), ("conn on_err", "ValueError"),
                    ("conn on_close", "ValueError")], seen


def test_on_ping_own_memoryerror():
    # The PING comes first: no message after it is handed out.
    seen = _run("/ping-then-msgs", Mine, "on_ping", on_msg=lambda m: None)
    assert seen == [("on_ping", b"p"), ("on_close", 1006), ("conn on_err", "Mine"), ("conn on_close", "Mine")], seen


def test_on_msg_rx_data_own_memoryerror():
    seen = _run("/bye/2", Mine, "on_msg_rx_data", on_msg_rx_init=lambda is_text, size: None)
    assert seen == [("on_msg_rx_data", b"m0"), ("on_close", 1006), ("conn on_err", "Mine"),
                    ("conn on_close", "Mine")], seen
