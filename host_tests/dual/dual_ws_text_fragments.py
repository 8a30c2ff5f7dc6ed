"""The bytes fragments of a text message we send are UTF-8 checked together (RFC 6455 section 8.1: the
server fails the connection with 1007 otherwise; it did, and the client saw ConnectionClosed(1007) with no
cause: an outside newcomer's hunt, every layer).  A character may be split between two fragments; a
fragment that cannot be UTF-8, or a send_end() inside a character, is a UsageError and nothing of it goes
out, and the message goes on."""

import asyncio

from check import raises, server, url
from microhttpc import UsageError

EURO = "\u20ac".encode()  # three bytes: e2 82 ac


def test_text_fragments_are_utf8_together_blocking():
    from microhttpc import ws_connect

    ws = ws_connect(url("ws", "http", "/ws"), timeout=5)
    ws.send_start(is_text=True)
    ws.send_fragment(b"ok " + EURO[:2])  # (split inside a character: fine)
    raises(UsageError, ws.send_fragment, b"\xff")  # (not UTF-8: refused, not sent)
    ws.send_fragment(EURO[2:] + b" " + EURO[:1])
    raises(UsageError, ws.send_end)  # (the message would end inside a character)
    ws.send_end(EURO[1:])
    assert ws.recv(5) == "ok \u20ac \u20ac"
    ws.send_start(is_text=False)  # (binary: any bytes)
    ws.send_end(b"\xff")
    assert ws.recv(5) == b"\xff"
    ws.close()


def test_text_fragments_are_utf8_together_aio():
    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(url("ws", "http", "/ws"), timeout=5)
        try:
            await ws.send_start(is_text=True)
            await ws.send_fragment(b"ok " + EURO[:2])
            for bad in (ws.send_fragment(b"\xff"), ws.send_end(EURO[2:] + EURO[:1])):
                try:
                    await bad
                    raise AssertionError("taken")
                except UsageError:
                    pass
            await ws.send_end(EURO[2:])
            return await ws.recv(5)
        finally:
            await ws.close()

    assert asyncio.run(main()) == "ok \u20ac"


def test_text_fragments_are_utf8_together_poll():
    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    c = e.connect(*server("http"))
    got = []
    ws = e.upgrade(c, "/ws", on_msg=got.append)
    assert e.run(until=lambda: c.upgraded, timeout=5)
    ws.send_start(is_text=True)
    ws.send_fragment(b"ok " + EURO[:2])
    raises(UsageError, ws.send_fragment, b"\xc0\xaf")  # (an overlong form: never UTF-8)
    raises(UsageError, ws.send_end, b"")
    ws.send_end(EURO[2:])
    assert e.run(until=lambda: got, timeout=5) and got == ["ok \u20ac"], got
    e.close(c)
    e.run(timeout=2)


def test_is_text_and_streaming_take_a_bool():
    # is_text="yes" and streaming="yes" were taken as True (as multipart=, tls= and persistent= are not).
    from microhttpc import Connection, ws_connect

    raises(UsageError, ws_connect, url("ws", "http", "/ws"), timeout=5, streaming="yes")
    with Connection(*server("http"), timeout=5) as conn:
        ws = conn.upgrade("/ws")
        for bad in ("yes", 1, None):
            raises(UsageError, ws.send_start, bad)
            raises(UsageError, ws.send_stream, iter([b"x"]), bad)
        ws.send("still open")
        assert ws.recv(5) == "still open"
        ws.close()
