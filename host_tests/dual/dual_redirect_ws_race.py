"""A redirect chain that comes back to the origin it began on, while another task or a queued call
wants that connection for a WebSocket.  aio: the chain holds its connection while it is on another
origin, so another task's upgrade() meanwhile is UsageError, as for any request on its way (it was
accepted, and the hop back closed the WebSocket and reconnected: the other task's frames went to the
new HTTP connection).  poll: an upgrade queued behind the request may run while the chain is away;
the hop back then goes on a connection of its own (it waited behind the WebSocket until its end, past
the request's deadline)."""

from check import server


def _back(path):
    """A URL on the second origin that redirects, 0.5 s later, to ``path`` on the first."""
    host, port = server("http")
    host2, port2 = server("http2")
    return "http://%s:%d/redirect/302?s=0.5&to=http://%s:%d%s" % (host2, port2, host, port, path)


def test_aio_the_chain_holds_its_connection_while_away():
    try:
        import asyncio
    except ImportError:
        import uasyncio as asyncio
    from microhttpc import aio
    from microhttpc.errors import UsageError

    host, port = server("http")

    async def main():
        c = await aio.Connection.open(host, port, timeout=10, follow_redirects=3)
        done = asyncio.Event()

        async def chain():
            r = await c.request("GET", "/redirect/302", query={"to": _back("/hello")})
            out = r.status, await r.read(), len(r.history)
            done.set()
            return out

        async def websocket():
            await asyncio.sleep(0.2)  # the chain is on the other origin now (0.5 s there)
            try:
                await c.upgrade("/ws")
            except UsageError as exc:
                refused = exc
            else:
                refused = None
            await done.wait()
            ws = await c.upgrade("/ws")  # its turn now, after the chain
            await ws.send("m")
            got = await ws.recv(5)
            await ws.close()
            return refused, got, ws.close_code

        try:
            return await asyncio.gather(chain(), websocket())
        finally:
            await c.close()

    (status, body, hops), (refused, got, code) = asyncio.run(main())
    assert (status, body, hops) == (200, b"hello world", 2), (status, body, hops)
    assert isinstance(refused, UsageError), refused
    assert got == "m" and code == 1000, (got, code)


def test_poll_a_hop_back_does_not_wait_behind_the_websocket():
    from microhttpc import poll

    host, port = server("http")
    e = poll.Engine(timeout=5)
    c = e.connect(host, port, follow_redirects=3)
    done = []
    opened = []
    msgs = []
    e.request(c, "GET", "/redirect/302", query={"to": _back("/hello")}, deadline=3,
              on_complete=lambda r, ok: done.append((r.status, r.body, ok)), on_err=done.append)
    ws = e.upgrade(c, "/ws", on_open=opened.append, on_msg=msgs.append)
    try:
        assert e.run(until=lambda: opened, timeout=3) and not done, (opened, done)
        ws.send("x")
        e.run(until=lambda: done and msgs, timeout=4)
        assert done == [(200, b"hello world", True)], done  # (before: nothing until the WebSocket's end)
        assert msgs == ["x"] and not c.closed, (msgs, c.closed)
    finally:
        e.close(c)
    assert e.run(timeout=5)  # every connection ended (the chain's own with the first's close)
