"""asyncio: close() of a Connection while a redirect chain of a request on it is on another origin (an
outside review): the chain went on, its answer came after the close, and that origin's connection was
kept by the closed one, its socket open until a next close().  The close ends the chain's connection
too: the request fails at once with UsageError, as a request on the closed connection itself does (README:
it is not sent again on the next connection, which is the closer's)."""

from check import server
from microhttpc.rtio import ticks_diff, ticks_ms


def test_aio_close_ends_a_redirect_chain_on_another_origin():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UsageError

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)
        out = []

        async def chain():
            try:
                to = "http://%s:%d/slow?s=3" % (host2, port2)
                r = await c.request("GET", "/redirect/302", query={"to": to})
                out.append(("answered", r.status, await r.read()))
            except UsageError as exc:
                out.append(("closed", "closed" in str(exc)))

        t = asyncio.create_task(chain())
        await asyncio.sleep(0.5)  # (the chain waits for the other origin's answer)
        t0 = ticks_ms()
        await c.close()
        await asyncio.wait_for(t, 5)
        out.append(ticks_diff(ticks_ms(), t0) < 1500)
        # the connection is usable again, and has no other origin's connection left from before
        r = await c.request("GET", "/hello")
        out.append(await r.read())
        out.append(c._hop)
        await c.close()
        return out

    got = asyncio.new_event_loop().run_until_complete(main())
    assert got == [("closed", True), True, b"hello world", None], got


def test_aio_chains_that_fail_on_another_origin_leave_no_pile_of_connections():
    # Each chain's other-origin connection is this connection's from the hop on: chains that fail there
    # (one hop too many) leave at most four of them, as those that end there do.
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import TooManyRedirects

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=1)
        to = "http://%s:%d/redirect/302?to=/hello" % (host2, port2)
        sizes = []
        for _ in range(10):
            try:
                await c.request("GET", "/redirect/302", query={"to": to})
                sizes.append("answered")
            except TooManyRedirects:
                sizes.append(len(c._hop))
        r = await c.request("GET", "/hello")
        sizes.append(await r.read())
        await c.close()
        return sizes

    got = asyncio.new_event_loop().run_until_complete(main())
    assert all(type(n) is int and 1 <= n <= 4 for n in got[:10]) and got[10] == b"hello world", got


def test_aio_close_during_a_3xx_drain_ends_the_chain():
    # close() while the 3xx's body is drained (it comes a byte every 0.1 s, drain_timeout 1 s): the
    # chain went on after it, opening the closed connection again for the hop (here to a server that
    # never answers: the request waited its whole timeout).  It fails with UsageError at the drain's end.
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UsageError

    async def main():
        host, port = server("raw")
        c = await aio.Connection.open(host, port, timeout=5, follow_redirects=3)
        out = []

        async def chain():
            try:
                r = await c.request("GET", "/raw/redirect-dribble")
                out.append(("answered", r.status))
            except UsageError as exc:
                out.append(("closed", "closed" in str(exc)))

        t = asyncio.create_task(chain())
        await asyncio.sleep(0.3)  # (the 302's head came; its body is being drained)
        t0 = ticks_ms()
        await c.close()
        await asyncio.wait_for(t, 8)
        out.append(ticks_diff(ticks_ms(), t0) < 2500)
        out.append(c.is_open)
        return out

    got = asyncio.new_event_loop().run_until_complete(main())
    assert got == [("closed", True), True, False], got


def test_aio_a_chain_that_fails_on_another_origin_takes_no_place_of_the_four_kept():
    # Four bodies of other-origin hops left unread, then chains that fail there (one hop too many, a
    # connect refused): those keep nothing to read and close none of the four (a first version of the
    # bound at each hop closed the oldest).
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectError, TooManyRedirects

    async def main():
        host, port = server("http")
        host2, port2 = server("http2")
        hc, pc = server("closed")
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=1)
        rs = []
        for _ in range(4):
            to = "http://%s:%d/chunked?n=3&d=0.05" % (host2, port2)
            rs.append(await c.request("GET", "/redirect/302", query={"to": to}))
        out = []
        for to, exc in (("http://%s:%d/redirect/302?to=/hello" % (host2, port2), TooManyRedirects),
                        ("http://%s:%d/x" % (hc, pc), ConnectError)):
            try:
                await c.request("GET", "/redirect/302", query={"to": to})
                out.append("answered")
            except exc:
                out.append(exc.__name__)
        for r in rs:
            out.append(len(await r.read()))
        await c.close()
        return out

    got = asyncio.new_event_loop().run_until_complete(main())
    n = got[2]
    assert got[:2] == ["TooManyRedirects", "ConnectError"] and n > 0 and got[2:] == [n] * 4, got


def test_aio_close_twice_then_a_request():
    # close()'s mark for a redirect chain (see the test above) is no list of connections to close: a
    # second close() met it in lost() (a bare TypeError); the next request opens the connection again.
    import asyncio

    from microhttpc import aio

    async def main():
        host, port = server("http")
        c = await aio.Connection.open(host, port, timeout=5)
        await c.close()
        await c.close()
        got = await (await c.request("GET", "/hello")).read()
        await c.close()
        await c.close()
        return got, c.is_open

    assert asyncio.new_event_loop().run_until_complete(main()) == (b"hello world", False)
