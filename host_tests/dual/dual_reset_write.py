"""A write that meets a reset, the application's loop busy while the server wrote and reset: what the
server sent before the reset is still handed over (its messages and Close; the early answer to an
upload), and the send says the connection ended (CPython's aio returned as if the write went out, and
lost both: asyncio reports the failed send only at the next turn of its loop).  Both runtimes."""

from microhttpc.errors import ConnectionClosed


def _busy(s):
    import time

    time.sleep(s)  # (between the facade's calls no event loop runs: as a task that computes)


def _ws_later_bye_reset(layer):
    from pumps_ws import connect_ws, raw_server

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/later-bye-reset", timeout=5, close_timeout=1)
    _busy(0.6)  # hello and Close come 0.2 s after the 101, the reset behind them
    try:
        ws.send("x")
    except ConnectionClosed:
        pass  # (the blocking layer: the failed write; a layer may also find the reset later)
    got = []
    try:
        for _ in range(3):
            got.append(ws.recv(2))
    except ConnectionClosed as exc:
        got.append(exc.code)
    assert got == ["hello", 1000], got


def _early_answer_then_reset(layer):
    from pumps_http import open_client, raw

    def body():
        yield b"a" * 1000
        _busy(0.5)  # the 413 and the reset come meanwhile
        for _ in range(10):
            yield b"b" * 1000

    h, p = raw()
    c = open_client(layer, h, p, timeout=3)
    try:
        r = c.request("POST", "/raw/early-close", body=body())
        assert r.status == 413 and r.body == b"too large", (r.status, r.body)
    finally:
        c.close()


for _layer in ("blocking", "poll", "aio"):
    globals()["test_ws_later_bye_reset_" + _layer] = (lambda l: lambda: _ws_later_bye_reset(l))(_layer)
    globals()["test_early_answer_then_reset_" + _layer] = (lambda l: lambda: _early_answer_then_reset(l))(_layer)


def test_aio_send_meets_the_reset_in_the_loop():
    # The same inside one task: the loop runs, then the task computes while hello, the Close and the
    # reset come, then sends.  CPython: the send returned, then recv() raised ConnectionClosed(1006).
    import asyncio
    import time

    from microhttpc import aio
    from pumps_ws import raw_server

    h, p = raw_server()

    async def main():
        ws = await aio.ws_connect("ws://%s:%d/later-bye-reset" % (h, p), timeout=5, close_timeout=1)
        await asyncio.sleep(0.05)
        time.sleep(0.5)
        got = []
        try:
            await ws.send("x")
            got.append("sent")
        except ConnectionClosed as exc:
            got.append(exc.code)
        try:
            for _ in range(3):
                got.append(await ws.recv(2))
        except ConnectionClosed as exc:
            got.append(exc.code)
        return got

    got = asyncio.run(main())
    assert got in ([1000, "hello", 1000], [1006, "hello", 1000]), got
