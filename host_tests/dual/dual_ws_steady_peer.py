"""A large message to a peer that takes every byte, steadily and slowly (tools/servers.py ``steady``:
about 400 KB/s through a small receive window): the kernel says our socket is writable only once a
third of its send buffer (autotuned to megabytes) has drained, about two seconds here, while the peer
never stops reading.  The poll Engine failed the WebSocket at its ``timeout`` (1 s: "no progress", then
on_tx_complete(True) for the same message, and 1006), and MicroPython's blocking layer failed the send
at a keepalive's patience (1 s per piece: "the server did not accept data"), both found by an outside
hunt.  A write is tried at the timer too (poll) and every second (blocking, asyncio on MicroPython): what it
takes is progress.  The asyncio layer failed so too, on both runtimes; on CPython, where the transport
writes, what left the kernel's send queue counts (Linux's SIOCOUTQ)."""

import time

from check import server

MICROPYTHON_HEAP = "8M"  # the 3 MB message and its frame
N = 3000000  # about 7.5 s at the server's rate; up to about 2 MB went into the kernel's buffers at once


def test_blocking_send_to_a_steady_slow_peer():
    from microhttpc import ws_connect

    h, p = server("steady")
    # (patience: interval + interval = 1 s with ping_timeout None: no PONG is awaited, the PINGs only go)
    ws = ws_connect("ws://%s:%d/" % (h, p), timeout=30, ping_interval=0.5, ping_timeout=None, close_timeout=20)
    ws.send(bytes(N))
    assert ws.recv(30) == "got %d" % N
    ws.close()
    assert ws.close_code == 1000, ws.close_code


def test_poll_send_to_a_steady_slow_peer():
    from microhttpc.poll import Engine

    h, p = server("steady")
    log = []
    e = Engine(timeout=1)
    c = e.connect(h, p)
    e.upgrade(c, "/", close_timeout=20, on_open=lambda ws: ws.send(bytes(N), on_tx_complete=lambda ok: log.append(ok)),
              on_err=lambda x: log.append(x), on_msg=lambda m: (log.append(m), c.websocket.close()),
              on_close=lambda code, reason: log.append(code))
    t0 = time.time()
    e.run(until=lambda: c.closed, timeout=60)
    assert log == [True, "got %d" % N, 1000], (log, time.time() - t0)


def test_aio_send_to_a_steady_slow_peer():
    import asyncio

    from microhttpc import aio

    h, p = server("steady")

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/" % (h, p), timeout=30, ping_interval=0.5, ping_timeout=None,
                                  close_timeout=20)
        await ws.send(bytes(N))
        got = await ws.recv(30)
        await ws.close()
        return got, ws.close_code

    assert asyncio.run(main()) == ("got %d" % N, 1000)
