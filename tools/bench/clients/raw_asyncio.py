"""The asyncio limit: the runtime's own asyncio streams with hand-written minimal framing and no checks
(both runtimes), as clients/raw_socket.py does for a blocking socket.

WebSocket: a fixed handshake (the 101 is not checked), each message written as one prebuilt frame
(mask key 0), each echo read as header + payload with ``readexactly``.  HTTP: one keep-alive
connection, a prebuilt request, the head read until its blank line and only Content-Length taken from
it.  What an asyncio client pays for the event loop itself: no asyncio client does less per message."""

import asyncio

from clients.raw_socket import prebuilt_frame, upgrade_request


def bench(plan):
    plan.begin()
    plan.loaded()
    asyncio.run(_main(plan))


async def _main(plan):
    r, w = await asyncio.open_connection(plan.host, plan.port)
    if plan.kind == "ws":
        w.write(upgrade_request(plan))
        await w.drain()
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += await r.readexactly(1)
        plan.opened()
        text, _, frame = prebuilt_frame(plan.msg)

        async def op():
            w.write(frame)
            await w.drain()
            h = await r.readexactly(2)
            m = h[1] & 0x7F
            if m == 126:
                h = await r.readexactly(2)
                m = (h[0] << 8) | h[1]
            elif m == 127:
                m = int.from_bytes(await r.readexactly(8), "big")
            return await r.readexactly(m)

        def conv(payload):
            return str(payload, "utf-8") if text else payload

        await plan.arun(op, conv)
    else:
        req = b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (plan.path.encode(), plan.host.encode(), plan.port)
        plan.opened()

        async def op():
            w.write(req)
            await w.drain()
            head = b""
            while True:
                head += await r.read(4096)
                end = head.find(b"\r\n\r\n")
                if end >= 0:
                    break
            i = head.find(b"Content-Length: ") + 16
            n = int(head[i : head.find(b"\r", i)])
            rest = head[end + 4 :]
            if len(rest) < n:
                rest += await r.readexactly(n - len(rest))
            return rest

        await plan.arun(op)
    w.close()
