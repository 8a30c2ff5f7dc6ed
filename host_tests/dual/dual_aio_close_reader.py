"""asyncio: one task's close() while another task waits in recv(timeout=short) on the same WebSocket.
The server (/ticksafterclose) sends text frames for 0.6 s after the client's Close, then its Close.
The reader's short timeouts must not end the closing handshake that close() owns (close_timeout):
they ended the connection as 1006 within 0.1 s, for a server that answered cleanly.  Both runtimes."""

from check import server


def test_reader_timeouts_do_not_cut_close():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed, TimeoutError

    async def reader(ws, got):
        while True:
            try:
                await ws.recv(timeout=0.1)
            except TimeoutError:
                got.append("t")
            except ConnectionClosed as exc:
                got.append(exc.code)
                return

    async def main():
        h, p = server("wsraw")
        ws = await aio.ws_connect("ws://%s:%d/ticksafterclose" % (h, p), timeout=10, close_timeout=5)
        got = []
        task = asyncio.create_task(reader(ws, got))
        await asyncio.sleep(0.05)
        await ws.close()
        assert ws.close_code == 1000, (ws.close_code, got)
        await asyncio.wait_for(task, 5)
        assert got[-1] == 1000, got

    asyncio.run(main())
