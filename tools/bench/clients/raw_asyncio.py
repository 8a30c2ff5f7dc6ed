"""The asyncio limit: the runtime's own asyncio with hand-written minimal framing and no checks (both
runtimes), as clients/raw_socket.py does for a blocking socket.

On CPython the connection is a transport and a ``BufferedProtocol`` that receives into one reused
buffer, a read waiting on one future (no stream reader: asyncio's streams copy every read twice more);
on MicroPython, whose asyncio has streams only, its stream pair.  WebSocket: a fixed handshake (the 101
is not checked), each message written as one prebuilt frame (mask key 0), each echo read as header +
payload.  HTTP: one keep-alive connection, a prebuilt request, the head read until its blank line and
only Content-Length taken from it.  What an asyncio client pays for the event loop itself: no asyncio
client does less per message."""

import asyncio

from clients.raw_socket import prebuilt_frame, upgrade_request

try:
    BufferedProtocol = asyncio.BufferedProtocol
except AttributeError:  # MicroPython
    BufferedProtocol = None


def bench(plan):
    plan.begin()
    plan.loaded()
    asyncio.run(_main(plan))


if BufferedProtocol is not None:

    class _Conn(BufferedProtocol):
        """Bytes land in ``buf[start:end]``; ``exact(n)`` waits until n are there and hands out a view."""

        def __init__(self):
            self.buf = bytearray(1 << 16)
            self.start = self.end = 0
            self.want = 0
            self.waiter = self.drained = None
            self.paused = False

        def get_buffer(self, hint):
            if self.end == len(self.buf):
                self._room(self.want)
            return memoryview(self.buf)[self.end :]

        def _room(self, n):
            """Move what is unread to the front; grow once to a message's size."""
            have = self.end - self.start
            if len(self.buf) < max(n, have) + 1:
                grown = bytearray(max(n, have) + (1 << 16))
                grown[:have] = self.buf[self.start : self.end]
                self.buf = grown
            else:
                self.buf[:have] = self.buf[self.start : self.end]
            self.start, self.end = 0, have

        def buffer_updated(self, n):
            self.end += n
            w = self.waiter
            if w is not None and self.end - self.start >= self.want and not w.done():
                w.set_result(None)

        def pause_writing(self):
            self.paused = True

        def resume_writing(self):
            self.paused = False
            if self.drained is not None and not self.drained.done():
                self.drained.set_result(None)

        def connection_lost(self, exc):
            for f in (self.waiter, self.drained):
                if f is not None and not f.done():
                    f.set_exception(ConnectionError("connection lost"))

        async def _wait(self, n):
            """Until n bytes are there to read."""
            if self.end - self.start < n:
                if len(self.buf) - self.start < n:
                    self._room(n)
                self.want = n
                self.waiter = asyncio.get_running_loop().create_future()
                await self.waiter
                self.waiter = None

        async def exact(self, n):
            await self._wait(n)
            s = self.start
            self.start = s + n
            if self.start == self.end:
                self.start = self.end = 0
            return memoryview(self.buf)[s : s + n]

        async def response(self):
            """The body of a response (the head read up to its blank line: only Content-Length)."""
            while True:
                i = self.buf.find(b"\r\n\r\n", self.start, self.end)
                if i >= 0:
                    break
                await self._wait(self.end - self.start + 1)
            head = bytes(self.buf[self.start : i])
            self.start = i + 4
            k = head.find(b"Content-Length: ") + 16
            return await self.exact(int(head[k : head.find(b"\r", k)]))

        async def write(self, data):
            self.transport.write(data)
            if self.paused:
                self.drained = asyncio.get_running_loop().create_future()
                await self.drained
                self.drained = None

        def connection_made(self, transport):
            self.transport = transport

    async def _open(plan):
        _, c = await asyncio.get_running_loop().create_connection(_Conn, plan.host, plan.port)
        return c

else:

    class _Streams:
        def __init__(self, r, w):
            self.r, self.w = r, w
            self.exact = r.readexactly

        async def response(self):
            head = b""
            while True:
                head += await self.r.read(4096)
                end = head.find(b"\r\n\r\n")
                if end >= 0:
                    break
            i = head.find(b"Content-Length: ") + 16
            n = int(head[i : head.find(b"\r", i)])
            rest = head[end + 4 :]
            if len(rest) < n:
                rest += await self.r.readexactly(n - len(rest))
            return rest

        async def write(self, data):
            self.w.write(data)
            await self.w.drain()

    async def _open(plan):
        r, w = await asyncio.open_connection(plan.host, plan.port)
        return _Streams(r, w)


async def _main(plan):
    c = await _open(plan)
    if plan.kind == "ws":
        await c.write(upgrade_request(plan))
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += bytes(await c.exact(1))
        plan.opened()
        text, _, frame = prebuilt_frame(plan.msg)

        async def op():
            await c.write(frame)
            h = await c.exact(2)
            m = h[1] & 0x7F
            if m == 126:
                h = await c.exact(2)
                m = (h[0] << 8) | h[1]
            elif m == 127:
                m = int.from_bytes(bytes(await c.exact(8)), "big")
            return await c.exact(m)

        def conv(payload):
            return str(payload, "utf-8") if text else bytes(payload)

        await plan.arun(op, conv)
    else:
        req = b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (plan.path.encode(), plan.host.encode(), plan.port)
        plan.opened()

        async def op():
            await c.write(req)
            return await c.response()

        await plan.arun(op)
