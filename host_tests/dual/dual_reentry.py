"""Calls made from inside callbacks and other tasks (found by an outside hunt of re-entrancy; failing
before on both runtimes): a nested ``poll()`` in a poll request's ``on_header`` took the body before
``on_response`` (a collected body then failed with a bare TypeError, and the outer round raised a bare
AttributeError): it is UsageError, as in a WebSocket's message callbacks.  An aio WebSocket's
``close()`` that waited for the task reading in ``recv()`` to see the server's Close waited out
``close_timeout`` and reported 1006 when that task was cancelled meanwhile: it reads the rest itself."""

from check import raises, server
from microhttpc.errors import UsageError


def test_poll_a_nested_poll_in_on_header_is_a_usage_error():
    from microhttpc.poll import Engine

    h, p = server("http")
    e = Engine(timeout=5)
    conn = e.connect(h, p)
    for stream in (False, True):
        seen, got = [], []

        def on_header(k, v):
            if not seen:
                seen.append(raises(UsageError, e.poll, 200))

        kw = {"on_body": lambda c: got.append(("body", len(c)))} if stream else {}
        e.request(conn, "GET", "/bytes/6000", on_header=on_header, on_response=lambda r: got.append("response"),
                  on_complete=lambda r, ok: got.append(("complete", ok, len(r.body or b""))), **kw)
        assert e.run(until=lambda: got and got[-1][0] == "complete", timeout=10), got
        assert seen and "on_header" in str(seen[0]), seen
        assert got[0] == "response", got  # (before: body pieces first, in streaming mode)
        if stream:
            assert sum(g[1] for g in got[1:-1]) == 6000 and got[-1] == ("complete", True, 0), got[-2:]
        else:
            assert got == ["response", ("complete", True, 6000)], got
    # An on_header that raises ends its connection; the engine polls on (not left "inside" it).
    errs = []

    def bad(k, v):
        raise ValueError("the application's")

    e.request(conn, "GET", "/hello", on_header=bad, on_err=errs.append)
    assert e.run(until=lambda: errs, timeout=5) and isinstance(errs[0], ValueError), errs
    def interrupted(k, v):  # (a Ctrl-C on a board: it goes on out of run(), and the engine stays usable)
        raise KeyboardInterrupt

    e.request(e.connect(h, p), "GET", "/hello", on_header=interrupted)
    try:
        e.run(timeout=5)
        raise AssertionError("no KeyboardInterrupt")
    except KeyboardInterrupt:
        pass
    c2 = e.connect(h, p)
    done = []
    e.request(c2, "GET", "/hello", on_complete=lambda r, ok: done.append((ok, r.body)))
    assert e.run(until=lambda: done, timeout=5) and done == [(True, b"hello world")], done
    e.close(c2)
    e.run(timeout=1)


def test_aio_close_reads_the_servers_close_when_the_reader_was_cancelled():
    import asyncio

    from microhttpc import aio

    h, p = server("http")
    codes = []

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/ws" % (h, p), timeout=30, close_timeout=3,
                                  on_close=lambda code, reason: codes.append(code))
        reader = asyncio.create_task(ws.recv(timeout=20))
        await asyncio.sleep(0.1)
        closer = asyncio.create_task(ws.close())
        await asyncio.sleep(0)  # close() has sent its Close and waits for the reader to see the answer
        reader.cancel()
        try:
            await reader
        except asyncio.CancelledError:
            pass
        await closer

    asyncio.run(main())
    assert codes == [1000], codes  # ([1006] after close_timeout, before)
