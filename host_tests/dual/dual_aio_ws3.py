"""The asyncio WebSocket on both runtimes, continued (see dual_aio_ws2): a send cancelled half written.
A module of its own: each MicroPython test process loads its whole module, and this test wants its
16 KiB frames whole in a 128K heap next to what the other tests' code would keep."""

import asyncio

import microhttpc
from check import server
from microhttpc import aio


def _raw_ws(path, **kw):
    h, p = server("wsraw")
    return aio.ws_connect("ws://%s:%d%s" % (h, p, path), **kw)


def test_a_send_cancelled_half_written_leaves_no_torn_frame():
    # The application cancels a send (asyncio.wait_for) while the server reads nothing.  MicroPython:
    # part of its frame may be on the wire already, and the next frame would be read as the rest of it
    # (the server then misreads everything after): the connection ends there (1006) instead.  CPython:
    # the transport holds the whole frame, which goes out later.  Either way no message is misread.
    async def main():
        ws = await _raw_ws("/pause", timeout=5, close_timeout=0.3)  # reads nothing for a second
        sent = 0
        while True:
            try:
                await asyncio.wait_for(ws.send(bytes(16384)), 0.2)
                sent += 1
            except asyncio.TimeoutError:
                break
        got = []
        try:
            await ws.send("end")
            while not got or got[-1] != "got 3":
                got.append(await ws.recv(timeout=5))  # "got <size>" for each message
        except microhttpc.ConnectionClosed as exc:
            got.append(("closed", exc.code))
        await ws.close()
        return sent, got

    sent, got = asyncio.run(main())
    assert all(g == "got 16384" for g in got[:-1]), got
    if got[-1] != ("closed", 1006):
        assert got[-1] == "got 3" and len(got) - 1 in (sent, sent + 1), (sent, got)
