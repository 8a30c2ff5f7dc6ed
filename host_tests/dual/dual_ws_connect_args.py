"""``ws_connect`` takes the same arguments in the same places on the blocking and asyncio layers (README:
"the same keywords"): the ninth, ``server_hostname``, was ``buffer_size`` on the asyncio one (an outside
parity hunt: a name there was "invalid buffer_size"), which now comes tenth, after the blocking layer's
last.  Over TLS to the test server, whose certificate is for localhost: the name given in that place
is the one checked (a wrong one fails the handshake)."""

import asyncio

from check import tls_ca, url
from microhttpc import TLSError


def _blocking(name):
    from microhttpc import ws_connect

    ws = ws_connect(url("wss", "tls", "/ws"), None, None, 5, 5, None, tls_ca(), True, name)
    try:
        ws.send("positional")
        return ws.recv()
    finally:
        ws.close()


def _aio(name):
    from microhttpc import aio

    async def main():
        ws = await aio.ws_connect(url("wss", "tls", "/ws"), None, None, 5, 5, None, tls_ca(), True, name)
        try:
            await ws.send("positional")
            return await ws.recv()
        finally:
            await ws.close()

    return asyncio.run(main())


def _refused(fn, name):
    try:
        fn(name)
    except TLSError:
        return True
    return False


def test_server_hostname_is_the_ninth_blocking():
    assert _blocking("localhost") == "positional"
    assert _refused(_blocking, "wrong.example")


def test_server_hostname_is_the_ninth_on_asyncio():  # (apart: both layers and TLS exceed a 128K heap)
    assert _aio("localhost") == "positional"
    assert _refused(_aio, "wrong.example")


def test_buffer_size_is_the_tenth_on_asyncio():
    from microhttpc import UsageError, aio

    async def main(size):
        ws = await aio.ws_connect(url("ws", "http", "/ws"), None, None, 5, 5, None, None, True, None, size)
        try:
            await ws.send("b" * 3000)
            return await ws.recv()
        finally:
            await ws.close()

    assert asyncio.run(main(4096)) == "b" * 3000
    try:
        asyncio.run(main("x"))
        raise AssertionError("buffer_size 'x' taken")
    except UsageError as exc:
        assert "buffer_size" in str(exc), exc
