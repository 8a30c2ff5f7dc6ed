"""On the blocking and asyncio layers, a MemoryError that a WebSocket's message callback raises itself
(``on_msg``, ``on_ping``, ``on_msg_rx_data`` ...) comes out of the call that ran it (``recv()``), and
the connection then ends as for the package's own shortage (README, "Out of memory"): the socket is
dropped at once, what was parsed before it is still handed out by the calls after it (the messages,
the server's Close), and nothing more is read (the end says 1006 unless a Close came).  Any other
exception of a callback comes out of the call too, and the connection goes on (the control).  The
Engine's rule is another (dual_ws_msg_own).  The server sends two messages and a Close(1001) in one
write (``/bye/2``), or a PING and four messages in one write and one more 0.3 s later
(``/ping-then-msgs``)."""

import asyncio

from check import url
from microhttpc import ConnectionClosed, TimeoutError, aio, ws_connect

# Both layers' WebSocket modules in one process, and a second blocking ws_connect after the asyncio one:
# at 128K that connect's request head found no 160-byte block now and then (1 run in 8, before this
# change too; CI failed on it once)
MICROPYTHON_HEAP = "160K"


class Mine(MemoryError):
    pass


def _cb(seen, name, kind):
    def cb(*args):
        seen.append((name, bytes(args[-1]) if name == "on_msg_rx_data" else args[-1]))
        raise kind("mine")

    return cb


def _outcome(seen, exc):
    if isinstance(exc, ConnectionClosed):
        seen.append(("closed", exc.code))
    else:
        seen.append(("raised", type(exc).__name__))


def _blocking(path, name, kind, n, **kw):
    seen = []
    kw[name] = _cb(seen, name, kind)
    w = ws_connect(url("ws", "wsraw", path), timeout=5, on_close=lambda code, r: seen.append(("on_close", code)), **kw)
    try:
        for _ in range(n):
            try:
                seen.append(("recv", w.recv(1)))
            except (MemoryError, ValueError, ConnectionClosed, TimeoutError) as exc:
                _outcome(seen, exc)
    finally:
        w.close()
    return seen


def _aio(path, name, kind, n, **kw):
    async def main():
        seen = []
        kw[name] = _cb(seen, name, kind)
        w = await aio.ws_connect(url("ws", "wsraw", path), timeout=5,
                                 on_close=lambda code, r: seen.append(("on_close", code)), **kw)
        try:
            for _ in range(n):
                try:
                    seen.append(("recv", await w.recv(1)))
                except (MemoryError, ValueError, ConnectionClosed, TimeoutError) as exc:
                    _outcome(seen, exc)
        finally:
            await w.close()
        return seen

    return asyncio.run(main())


def _both(*args, **kw):
    """Both layers' outcomes, the same but where on_close comes: the blocking layer tells it as soon as
    the end is parsed, and messages already in recv()'s queue are taken after it (README, "Receiving
    whole messages"); the asyncio one when the call that finds the end comes.  Returns the asyncio one,
    and checks the blocking one's on_close is once, after the callback's exception."""
    a = _blocking(*args, **kw)
    b = _aio(*args, **kw)
    ends = [e for e in a if e[0] == "on_close"]
    assert len(ends) == 1 and [e for e in a if e[0] != "on_close"] == [e for e in b if e[0] != "on_close"], (a, b)
    assert a.index(ends[0]) > 1 and ends[0] in b, (a, b)
    return b


def test_on_msg_memoryerror_hands_out_what_was_parsed():
    for kind in (Mine, MemoryError):
        seen = _both("/bye/2", "on_msg", kind, 4)
        want = [("on_msg", "m0"), ("raised", kind.__name__), ("on_msg", "m1"), ("raised", kind.__name__),
                ("on_close", 1001), ("closed", 1001), ("closed", 1001)]
        assert seen == want, (kind, seen)


def test_on_ping_memoryerror_drops_the_socket():
    # The four messages that came with the PING are handed out; the one sent 0.3 s later is never read.
    seen = _both("/ping-then-msgs", "on_ping", Mine, 7)
    want = [("on_ping", b"p"), ("raised", "Mine"), ("recv", "a"), ("recv", "b"), ("recv", "cd"), ("recv", "e"),
            ("on_close", 1006), ("closed", 1006), ("closed", 1006)]
    assert seen == want, seen


def test_on_ping_valueerror_the_connection_goes_on():
    seen = _both("/ping-then-msgs", "on_ping", ValueError, 8)
    want = [("on_ping", b"p"), ("raised", "ValueError"), ("recv", "a"), ("recv", "b"), ("recv", "cd"),
            ("recv", "e"), ("recv", "later"), ("recv", "got pong p"), ("raised", "TimeoutError"), ("on_close", 1000)]
    assert seen == want, seen


def test_on_msg_rx_data_memoryerror():
    seen = _both("/bye/2", "on_msg_rx_data", Mine, 3, on_msg_rx_init=lambda is_text, size: None)
    want = [("on_msg_rx_data", b"m0"), ("raised", "Mine"), ("on_msg_rx_data", b"m1"), ("raised", "Mine"),
            ("on_close", 1001), ("closed", 1001)]
    assert seen == want, seen
