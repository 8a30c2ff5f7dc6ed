"""microhttpc's asyncio layer (``microhttpc.aio``): one persistent Connection / WebSocket, with
``timeout=`` set as users do (every await then runs under a deadline)."""


def bench(plan):
    plan.begin()
    import asyncio

    from microhttpc import aio

    plan.loaded()

    async def main():
        if plan.kind == "ws":
            ws = await aio.ws_connect(plan.url, timeout=10, max_message=max(65536, 2 * plan.size))
            plan.opened()
            msg = plan.msg

            async def op():
                await ws.send(msg)
                return await ws.recv()

            await plan.arun(op)
            await ws.close()
        else:
            conn = await aio.Connection.open(plan.host, plan.port, timeout=10, max_body=4 << 20)
            plan.opened()
            path = plan.path

            async def op():
                r = await conn.request("GET", path)
                return await r.read()

            await plan.arun(op)
            await conn.close()

    asyncio.run(main())
