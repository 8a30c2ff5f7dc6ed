"""The resend of an idempotent request that its connection lost before a byte of answer (RFC 9112
section 9.3.1) is for a kept-alive connection, one that carried a request before: the same on every
layer.  A connection opened by open() (blocking) or aio.Connection.open() sent it twice, where a first
request on a connection opened for it, and the engine's, sent it once.  /raw/empty-close reads the
request and closes without a byte; /raw/count says how many came."""

from check import raises, server

PATH = "/raw/empty-close"


def _count():
    from microhttpc import Connection

    h, p = server("raw")
    c = Connection(h, p, timeout=5)
    try:
        return int(c.request("GET", "/raw/count?" + PATH).read())
    finally:
        c.close()


def test_blocking_open_then_a_lost_request_is_sent_once():
    from microhttpc import Connection
    from microhttpc.errors import ConnectionLost

    h, p = server("raw")
    for opened in (False, True):
        before = _count()
        c = Connection(h, p, timeout=5)
        if opened:
            c.open()
        raises(ConnectionLost, c.request, "GET", PATH)
        c.close()
        assert _count() - before == 1, "sent %d times (open() first: %s)" % (_count() - before, opened)
    # A kept-alive connection: the request it lost goes once more, on a new one (two in all).
    before = _count()
    c = Connection(h, p, timeout=5)
    c.request("GET", "/raw/genuine").read()
    raises(ConnectionLost, c.request, "GET", PATH)
    c.close()
    assert _count() - before == 2


def test_aio_open_then_a_lost_request_is_sent_once():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionLost

    h, p = server("raw")

    async def lost(c):
        try:
            await c.request("GET", PATH)
            raise AssertionError("no ConnectionLost")
        except ConnectionLost:
            pass
        await c.close()

    async def main():
        before = _count()
        c = await aio.Connection.open(h, p, timeout=5)
        await lost(c)
        assert _count() - before == 1, "sent %d times" % (_count() - before)
        before = _count()
        c = await aio.Connection.open(h, p, timeout=5)
        await (await c.request("GET", "/raw/genuine")).read()
        await lost(c)
        assert _count() - before == 2

    asyncio.run(main())


def test_poll_a_lost_first_request_is_sent_once():
    from microhttpc.errors import ConnectionLost
    from microhttpc.poll import Engine

    h, p = server("raw")
    before = _count()
    e = Engine(timeout=5)
    errs = []
    c = e.connect(h, p)
    e.request(c, "GET", PATH, on_err=errs.append)
    e.run(timeout=10)
    assert len(errs) == 1 and isinstance(errs[0], ConnectionLost), errs
    assert _count() - before == 1, "sent %d times" % (_count() - before)
