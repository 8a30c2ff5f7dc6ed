"""aio: a streamed upload to a server that takes all of it gives the event loop turns: other tasks run
and a cancel (wait_for) comes within its time, not after the whole body (the socket took each piece
without a wait, and the loop had no turn: 1.3 s of 100 MB on CPython, 1.9 s on MicroPython, for a
wait_for of 0.5 s).  Both runtimes."""


def test_aio_upload_gives_the_loop_turns():
    import asyncio

    from microhttpc import aio
    from pumps_http import now, raw

    h, p = raw()
    gaps = []

    async def ticker():
        t = now()
        while True:
            await asyncio.sleep(0.01)
            t2 = now()
            gaps.append(t2 - t)
            t = t2

    def body():
        piece = b"u" * 1024
        for _ in range(100000):  # 100 MB
            yield piece

    async def main():
        tk = asyncio.create_task(ticker())
        c = aio.Connection(h, p, timeout=10)
        t0 = now()
        try:
            await asyncio.wait_for(c.request("POST", "/raw/silent", body=body()), 0.5)  # never answers
            out = "answered"
        except asyncio.TimeoutError:
            out = "cancelled"
        took = now() - t0
        tk.cancel()
        await c.close()
        return out, took

    out, took = asyncio.run(main())
    assert out == "cancelled" and took < 1.0, (out, took)
    assert gaps and max(gaps) < 0.3, max(gaps)
