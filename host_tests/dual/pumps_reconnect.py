"""The loop of the reconnect tests on both layers (blocking, aio)."""


def _loop(layer, target, body, **kw):
    """Run ``body(ws, n)`` for each WebSocket the layer's reconnect gives (n from 0) until it returns
    True (break) or the loop ends; returns the number of WebSockets."""
    if layer == "blocking":
        import microhttpc

        n = 0
        for ws in microhttpc.reconnect(target, **kw):
            stop = body(ws, n)
            n += 1
            if stop:
                break
        return n
    import asyncio

    from microhttpc import aio

    async def main():
        n = 0
        async for ws in aio.reconnect(target, **kw):
            stop = await body(ws, n)
            n += 1
            if stop:
                break
        return n

    return asyncio.new_event_loop().run_until_complete(asyncio.wait_for(main(), 30))


def _drain(layer, ws):
    """Messages until the connection ends (ConnectionClosed); returns them and the code."""
    from microhttpc.errors import ConnectionClosed

    got = []
    if layer == "blocking":
        try:
            while True:
                got.append(ws.recv(5))
        except ConnectionClosed as exc:
            return got, exc.code

    async def a():
        try:
            while True:
                got.append(await ws.recv(5))
        except ConnectionClosed as exc:
            return got, exc.code

    return a()
