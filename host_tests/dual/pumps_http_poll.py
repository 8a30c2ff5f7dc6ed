"""The poll layer of pumps_http (imported only by the tests of that layer)."""

from pumps_http import Result


class _Poll:
    """The poll Engine, one Conn.  ``closes`` holds the Conn's on_close causes, ``conn_errors`` what its
    connection-level on_err reported."""

    layer = "poll"

    def __init__(self, host, port, run_timeout, kw):
        from microhttpc.poll import Engine

        self.engine = Engine()
        self.run_timeout = run_timeout
        self.closes = []
        self.conn_errors = []
        self.conn = self.engine.connect(host, port, on_close=lambda c, cause: self.closes.append(cause),
                                        on_err=lambda c, exc: self.conn_errors.append(exc), **kw)

    def request(self, method, path, read=True, **kw):
        """Queue the request and run the engine until it completes or fails (read is ignored: the
        engine collects the body into resp.body itself)."""
        out = []
        self.engine.request(self.conn, method, path, on_complete=lambda resp, ok: out.append((resp, ok)),
                            on_err=lambda exc: out.append((None, exc)), **kw)
        if not self.engine.run(until=lambda: out, timeout=self.run_timeout):
            raise AssertionError("poll: no on_complete/on_err within %s s (hang)" % self.run_timeout)
        resp, ok = out[0]
        if resp is None:
            raise ok  # the exception on_err reported
        if not ok:
            raise AssertionError("poll: on_complete(resp, False) without on_err first")
        return Result(resp, resp.body)

    def request_many(self, paths):
        """GET each of ``paths``, all queued at once before the engine runs (poll's FIFO queue): a
        list with, per request, its Result or the exception on_err reported."""
        out = [None] * len(paths)

        def cbs(i):
            def done(resp, ok):
                if ok and out[i] is None:
                    out[i] = Result(resp, resp.body)

            def err(exc):
                if out[i] is None:
                    out[i] = exc

            return done, err

        for i, p in enumerate(paths):
            done, err = cbs(i)
            self.engine.request(self.conn, "GET", p, on_complete=done, on_err=err)
        if not self.engine.run(until=lambda: None not in out, timeout=self.run_timeout):
            raise AssertionError("poll: queued requests without an outcome after %s s: %r"
                                 % (self.run_timeout, out))
        return out

    def read(self, result):
        return result.body

    def call(self, result, name, *args):
        return getattr(result.raw, name)(*args)

    def is_open(self):
        return not self.conn.closed

    def wait(self, s):
        """Run the engine for ``s`` seconds: an idle Conn sees bytes or EOF only from inside poll()."""
        self.engine.run(until=lambda: False, timeout=s)

    def close(self):
        self.engine.close(self.conn, abort=True)
        self.engine.run(until=lambda: self.conn.closed, timeout=2)
