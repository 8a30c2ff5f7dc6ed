"""CPython's socket I/O for ``aio.Connection`` (its ``_write`` and ``_recv``), kept out of ``aio`` so
that a board never loads it (MicroPython's are in ``aio``: generators over the socket itself).  The
connection is the stream pair of ``asyncio.open_connection``.

A read or a drain with a timeout is cancelled at its deadline by the connection's ``Watch``: one timer
handle, re-armed only when a new wait must end before it fires, so a wait costs a small list, not a
timer.  (``asyncio.timeout`` around every read makes and cancels a timer each time: about a fifth of
the rate of a 16 B WebSocket echo.)
"""

import asyncio

from .errors import HTTPCError, TimeoutError


class Watch:
    """The waits of one connection that have a timeout, each ``[deadline, task, expired]`` (loop
    time), and the timer that cancels the task of each at its deadline."""

    def __init__(self, loop):
        self.loop = loop
        self.waits = []
        self.timer = None

    def arm(self, timeout):
        """A new wait of the current task, ``timeout`` seconds from now; the caller removes it from
        ``waits`` when it ends (``finally``)."""
        w = [self.loop.time() + timeout, asyncio.current_task(), False]
        self.waits.append(w)
        t = self.timer
        if t is None or t.when() > w[0]:
            if t is not None:
                t.cancel()
            self.timer = self.loop.call_at(w[0], self._fire)
        return w

    def _fire(self):
        self.timer = None
        now = self.loop.time()
        later = None
        for w in self.waits:
            if w[2]:
                continue
            if w[0] <= now:
                w[2] = True
                w[1].cancel()  # CancelledError where it waits; wait() turns it into TimeoutError
            elif later is None or w[0] < later:
                later = w[0]
        if later is not None:
            self.timer = self.loop.call_at(later, self._fire)


async def wait(conn, aw, timeout, what):
    """Await ``aw`` for at most ``timeout`` seconds (None: no limit) -> TimeoutError(what), in the
    calling task, watched by the connection's ``Watch`` (a new one for each event loop)."""
    if timeout is None:
        return await aw
    loop = asyncio.get_running_loop()
    wd = getattr(conn, "_watch", None)
    if wd is None or wd.loop is not loop:
        wd = conn._watch = Watch(loop)
    w = wd.arm(timeout)
    try:
        return await aw
    except asyncio.CancelledError:
        task = w[1]
        # Ours only: no one else asked to cancel the task (CPython >= 3.11 counts the requests).
        if not w[2] or (hasattr(task, "uncancel") and task.uncancel()):
            raise
    finally:
        wd.waits.remove(w)
    raise TimeoutError("%s within %s s" % (what, timeout))


async def write(conn, data):
    """Write all of ``data``, each wait within the session's ``wait_time()``."""
    w = conn._writer
    try:
        w.write(data)
        if w.transport.get_write_buffer_size() or w.is_closing():
            # Not all taken at once (or the connection went): wait for it (flow control).
            await wait(conn, w.drain(), conn.wait_time(), "the server did not accept data")
    except HTTPCError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        raise conn._failed("send failed: %r", exc)


async def recv(conn, timeout, into=None):
    """Up to buffer_size bytes (b"" at EOF); with ``into``, up to its size, copied there, and the view
    of them in it is returned."""
    r = conn._reader
    n = conn.buffer_size if into is None else len(into)
    try:
        if getattr(r, "_buffer", None):
            # The reader already holds bytes: take them without a timer.
            data = await r.read(n)
        else:
            data = await wait(conn, r.read(n), timeout, "no data from the server")
        if into is None or not data:
            return data
        into[: len(data)] = data
        return into[: len(data)]
    except HTTPCError:
        raise
    except (OSError, ValueError) as exc:
        raise conn._failed("receive failed: %r", exc)
