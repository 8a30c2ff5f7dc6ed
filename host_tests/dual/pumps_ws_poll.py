"""The poll layer of pumps_ws (imported only by the tests of that layer)."""

from pumps_ws import GUARD


class _Poll:
    guard = GUARD  # a test may shorten it for a call that must not wait long

    def __init__(self, Engine, host, port, path, timeout, kw, conn_kw):
        self.timeout = timeout
        self.errors = []  # on_err of the WebSocket
        self.messages = []
        self.opened = []
        e = self.e = Engine(timeout=timeout)
        conn = self.conn = e.connect(host, port, timeout=timeout, connect_timeout=timeout, **conn_kw)
        # timeout= of upgrade is the idle timeout of this layer: only when asked (idle_timeout=).
        idle = kw.pop("idle_timeout", None)
        if kw.get("streaming", kw.get("on_msg_rx_init") or kw.get("on_msg_rx_data")) is None:
            kw["on_msg"] = self.messages.append  # (whole messages; not in streaming mode: a UsageError)
        try:
            self.ws = e.upgrade(conn, path, on_open=self.opened.append, on_err=self.errors.append, timeout=idle, **kw)
            ok = self._run(lambda: self.opened or conn.closed, timeout + 1)
        except BaseException:
            e.close(conn, abort=True)
            e.run(timeout=2)
            raise
        if not ok:
            e.close(conn, abort=True)
            e.run(timeout=2)
            raise AssertionError("poll: the upgrade took longer than its timeout (%s s)" % timeout)
        if not self.opened:
            raise self.errors[0] if self.errors else conn.error

    def __getattr__(self, name):  # close_code, close_timeout, timeout ... of the layer's WebSocket
        if name == "closed":
            return self.conn.closed
        if name == "ws":
            raise AttributeError(name)
        return getattr(self.ws, name)

    def _run(self, until, seconds):
        from microhttpc.errors import HTTPCError

        self.e.run(until=until, timeout=self.guard if seconds is None else min(seconds, self.guard))
        for x in self.errors + [self.conn.error]:
            if x is not None and not isinstance(x, HTTPCError):
                raise x  # not a microhttpc error (MemoryError ...): the test sees it as it is
        return until()

    def _tx(self, fn):
        done = []
        fn(done.append)  # the layer raises here (UsageError, ConnectionClosed) or queues
        self._run(lambda: done or self.conn.closed, self.timeout)
        if not (done and done[0]):
            raise self.ws.protocol.closed_error()  # on_tx_complete(False): the connection ended first

    def send(self, msg, frame_size=None):
        if frame_size is None:  # (through the engine's own call, HTTPc's WebSockSend: it has no frame_size)
            self._tx(lambda cb: self.e.ws_send(self.conn, msg, cb))
        else:
            self._tx(lambda cb: self.ws.send(msg, on_tx_complete=cb, frame_size=frame_size))

    def ping(self, data=b""):
        self._tx(lambda cb: self.ws.ping(data, on_tx_complete=cb))

    def recv(self, timeout=-1):
        t = self.timeout if timeout == -1 else timeout
        if not self.messages and not self.conn.closed:
            self._run(lambda: self.messages or self.conn.closed, t)
        if self.messages:
            return self.messages.pop(0)
        if self.conn.closed:
            raise self.ws.protocol.closed_error()
        from microhttpc.errors import TimeoutError

        raise TimeoutError("poll: no message within %s s" % t)

    def close(self, code=1000, reason=""):
        if self.conn.closed:
            return
        if self.ws.protocol.state == 1:  # rfc6455.OPEN
            self.ws.close(code, reason)
        else:
            self.e.close(self.conn)
        self._run(lambda: self.conn.closed, self.ws.close_timeout + 2)
