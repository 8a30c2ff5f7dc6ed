"""The aio layer of pumps_http (imported only by the tests of that layer)."""

from pumps_http import Result


class _Aio:
    layer = "aio"
    _part = None  # read_part's buffer

    def __init__(self, host, port, run_timeout, kw):
        import asyncio

        from microhttpc import aio

        self.asyncio = asyncio
        self.loop = asyncio.new_event_loop()  # streams are bound to their loop (CPython): one per client
        self.run_timeout = run_timeout
        self.conn = aio.Connection(host, port, **kw)

    def _run(self, coro):
        try:
            return self.loop.run_until_complete(self.asyncio.wait_for(coro, self.run_timeout))
        except self.asyncio.TimeoutError as exc:
            from microhttpc.errors import HTTPCError

            if isinstance(exc, HTTPCError):  # on CPython microhttpc's TimeoutError is asyncio's too
                raise
            # this one is the facade's own bound
            raise AssertionError("aio: no outcome within %s s (hang)" % self.run_timeout)

    def request(self, method, path, read=True, **kw):
        async def go():
            r = await self.conn.request(method, path, **kw)
            return Result(r, (await r.read()) if read else None)

        return self._run(go())

    def read(self, result):
        result.body = self._run(result.raw.read())
        return result.body

    def read_part(self, result, n):
        async def part():
            # One buffer for every piece of a size, and one copy out of it: a fresh 4 KiB buffer and two
            # copies per piece (with the wait_for task around each call, 14 KB of garbage a piece) split a
            # 128K heap as the package's layout shifted (8 MiB over TLS: MemoryError, and not at 120K)
            buf = self._part if self._part is not None and len(self._part) == n else bytearray(n)
            self._part = buf
            return bytes(memoryview(buf)[: await result.raw.readinto(buf)])

        return self._run(part())

    def call(self, result, name, *args):
        return self._run(getattr(result.raw, name)(*args))

    def is_open(self):
        return self.conn.is_open

    def wait(self, s):
        async def pause():  # MicroPython's sleep() is not a coroutine wait_for accepts
            await self.asyncio.sleep(s)

        self._run(pause())

    def close(self):
        try:
            self._run(self.conn.close())
        finally:
            self.loop.close()
