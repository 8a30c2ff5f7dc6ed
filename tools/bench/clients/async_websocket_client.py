"""micropython-async-websocket-client 0.3.4: asyncio by polling a non-blocking socket
(its default ms_delay_for_read=5 sleeps 5 ms after every read)."""


def bench(plan):
    plan.begin()
    import asyncio

    from async_websocket_client import AsyncWebsocketClient

    plan.loaded()

    async def main():
        ws = AsyncWebsocketClient()
        await ws.handshake(plan.url)
        plan.opened()
        msg = plan.msg

        async def op():
            await ws.send(msg)
            return await ws.recv()

        await plan.arun(op)
        await ws.close()

    asyncio.run(main())
