"""The aio layer of pumps_ws (imported only by the tests of that layer)."""

from pumps_ws import GUARD


class _Aio:
    guard = GUARD

    def __init__(self, asyncio, aio, host, port, path, timeout, kw, conn_kw):
        self.timeout = timeout
        self.errors = []  # aio has no on_err: errors come as ConnectionClosed.cause
        self.asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self.conn = aio.Connection(host, port, timeout=timeout, connect_timeout=timeout, **conn_kw)
        kw.pop("on_err", None)
        kw.setdefault("timeout", timeout)
        self.ws = self._run(self._open(path, kw))

    def __getattr__(self, name):  # close_code, closed, timeout ... of the layer's WebSocket
        if name == "ws":
            raise AttributeError(name)
        return getattr(self.ws, name)

    async def _open(self, path, kw):
        await self.conn.connect()
        try:
            return await self.conn.upgrade(path, **kw)
        except BaseException:
            await self.conn._abort()
            raise

    def _run(self, coro):
        a = self.asyncio
        try:
            return self.loop.run_until_complete(a.wait_for(coro, self.guard))
        except a.TimeoutError as exc:
            from microhttpc.errors import HTTPCError

            if isinstance(exc, HTTPCError):
                raise
            if getattr(self, "ws", None) is not None:
                self.loop.run_until_complete(self.conn._abort())  # drop the connection left behind
            raise AssertionError("aio: a call took longer than %s s" % self.guard)

    def send(self, msg, frame_size=None):
        self._run(self.ws.send(msg, frame_size))

    def recv(self, timeout=-1):
        return self._run(self.ws.recv(self.timeout if timeout == -1 else timeout))

    def ping(self, data=b""):
        self._run(self.ws.ping(data))

    def close(self, code=1000, reason=""):
        self._run(self.ws.close(code, reason))
