"""micropython-websockets 0.1.0: asyncio, a clone of the websockets API (MicroPython only)."""


def bench(plan):
    plan.begin()
    import asyncio

    import micropython_websockets

    plan.loaded()

    async def main():
        # ``ws = await connect(...)`` needs __await__, which MicroPython lacks: use ``async with``.
        async with micropython_websockets.connect(plan.url, max_size=max(65536, 2 * plan.size)) as ws:
            plan.opened()
            msg = plan.msg

            async def op():
                await ws.send(msg)
                return await ws.recv()

            await plan.arun(op)

    asyncio.run(main())
