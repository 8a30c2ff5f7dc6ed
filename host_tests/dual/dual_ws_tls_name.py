"""``server_hostname=`` on the one-call WebSocket clients (``ws_connect`` of the blocking and asyncio
layers, and so their ``reconnect``): the name the certificate must carry when a ``wss://`` URL names
the server by address, as on ``Connection`` and the Engine's ``connect``.  They refused the keyword
(UsageError), so a board that reaches its server by IP address had no way to name its certificate
(found by an outside review).  The test certificate names localhost and 127.0.0.1; a name it does not
carry is a TLSError."""

import asyncio

from check import raises, tls_ca, url
from microhttpc import aio, ws_connect
from microhttpc.errors import TLSError


def test_blocking():
    u = url("wss", "tlswsraw", "/abc")
    w = ws_connect(u, timeout=10, cadata=tls_ca(), server_hostname="localhost")
    assert w.recv() == "a"
    w.close()
    raises(TLSError, ws_connect, u, timeout=10, cadata=tls_ca(), server_hostname="elsewhere.example")


def test_aio():
    async def main():
        u = url("wss", "tlswsraw", "/abc")
        w = await aio.ws_connect(u, timeout=10, cadata=tls_ca(), server_hostname="localhost")
        got = await w.recv()
        await w.close()
        try:
            await aio.ws_connect(u, timeout=10, cadata=tls_ca(), server_hostname="elsewhere.example")
            wrong = None
        except TLSError as exc:
            wrong = exc
        return got, wrong

    got, wrong = asyncio.run(main())
    assert got == "a" and wrong is not None, (got, wrong)
