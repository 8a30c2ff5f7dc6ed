"""The asyncio WebSocket cancelled where it waits to close, and after a send cancelled half written
(found by an outside hunt; both runtimes).  Before: MicroPython crashed (SIGSEGV) at the next wait of any
connection once a recv() followed a send torn by a cancel (the lost connection's socket, None, was put in
asyncio's poller); a cancelled close() left the socket open until close() was called again; a recv()
cancelled while it waited for the server's TCP close after its Close left the WebSocket half closed for
good (every later recv() a TimeoutError, ``async for`` too); close() could take its close_timeout for
the Close's write and then again for the server's answer."""

import asyncio
import sys
import time

import microhttpc
from check import server
from microhttpc import aio

CPYTHON = sys.implementation.name != "micropython"


def _raw_ws(path, **kw):
    h, p = server("wsraw")
    return aio.ws_connect("ws://%s:%d%s" % (h, p, path), **kw)


def _now():
    return time.monotonic() if CPYTHON else time.ticks_ms() / 1000  # pyright: ignore[reportAttributeAccessIssue]


def test_recv_after_a_torn_send_then_other_connections_go_on():
    # (The error classes taken first, as a board's code would: ``microhttpc.ConnectionClosed`` loads the
    # class on first use, and here that came with the heap held by the sends.  8 KiB a send: 16 KiB
    # ones, a message and its frame, left the 128 KiB heap at the edge of a MemoryError.)
    closed_error, timeout_error = microhttpc.ConnectionClosed, microhttpc.TimeoutError

    async def main():
        ws = await _raw_ws("/noread", timeout=5, close_timeout=0.5)  # reads nothing for 10 s
        big = bytes(8192)
        for _ in range(2000):  # until a send waits (MicroPython: part of it written), cancelled there
            try:
                await asyncio.wait_for(ws.send(big), 0.2)
            except asyncio.TimeoutError:
                break
        try:
            got = await ws.recv(timeout=0.3)
        except closed_error as exc:  # MicroPython: the torn frame ended the connection
            got = exc.code
        except timeout_error:  # CPython: the transport holds the frame whole, and goes on
            got = "timeout"
        await asyncio.sleep(0.05)  # (the wait that crashed MicroPython)
        h, p = server("http")
        c = await aio.Connection.open(h, p, timeout=5)
        body = await (await c.request("GET", "/hello")).read()
        await c.close()
        await ws.close()
        return got, body, ws.closed

    got, body, closed = asyncio.run(main())
    assert got == ("timeout" if CPYTHON else 1006), got
    assert body == b"hello world" and closed


def test_a_cancelled_close_releases_the_connection():
    async def main():
        ws = await _raw_ws("/noclose", timeout=5, close_timeout=5)  # never answers our Close
        await ws.send("m")
        t0 = _now()
        try:
            await asyncio.wait_for(ws.close(), 0.3)
        except asyncio.TimeoutError:
            pass
        return _now() - t0, ws.closed, ws.conn.is_open, ws.close_code

    took, closed, is_open, code = asyncio.run(main())
    assert took < 2 and closed and not is_open and code == 1006, (took, closed, is_open, code)


def test_a_recv_cancelled_while_the_server_holds_tcp_after_its_close():
    # /bye-then-hold: the server's Close (1001 "bye") with the 101, then TCP held open 10 s after our echo.
    async def main():
        ws = await _raw_ws("/bye-then-hold", timeout=5, close_timeout=5)
        out = []
        try:
            await asyncio.wait_for(ws.recv(), 0.3)  # cancelled while it waits for the TCP close
        except asyncio.TimeoutError:
            out.append("cancelled")
        except microhttpc.ConnectionClosed as exc:
            out.append(exc.code)
        t0 = _now()
        try:
            await ws.recv(timeout=3)
        except microhttpc.ConnectionClosed as exc:
            out.append((exc.code, exc.reason))
        except microhttpc.TimeoutError:
            out.append("timeout")
        out.append(_now() - t0 < 1)
        async for m in ws:  # ends at once (it raised TimeoutError)
            out.append(m)
        out.append(ws.closed)
        return out

    assert asyncio.run(main()) == ["cancelled", (1001, "bye"), True, True]


def test_close_within_its_close_timeout_when_the_close_waited_to_be_written():
    # /slowdrain: reads nothing for a second, then takes everything and never answers our Close.  The
    # Close waits behind frames the server does not take yet (CPython's transport holds them; on
    # MicroPython the send cancelled half written ends the connection); close_timeout bounds the whole
    # close(), its write and the wait for the answer together.
    async def main():
        ws = await _raw_ws("/slowdrain", timeout=5, close_timeout=1.5)
        for _ in range(4000):  # (8 KiB a send, as above: 16 KiB ones, a message and its frame, met a
            try:  # MemoryError in 128 KiB where the socket's send buffer took 4 MB before the first wait)
                await asyncio.wait_for(ws.send(bytes(8192)), 0.1)
            except asyncio.TimeoutError:
                break
        t0 = _now()
        await ws.close()
        return _now() - t0, ws.closed

    took, closed = asyncio.run(main())
    assert closed and took < 1.5 + 0.4, took
