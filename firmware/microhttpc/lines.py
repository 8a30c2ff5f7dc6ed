"""``iter_lines()`` of the blocking and asyncio responses, loaded on first use: the body split at LF
(a CR before it dropped), each line at most ``max_line`` bytes (LimitExceeded), a last line without
LF given too.  A body already read whole is split from memory."""

from .errors import LimitExceeded


class Lines:
    def __init__(self, resp, max_line):
        c = resp._conn
        self.resp = resp
        self.max = max_line if max_line is not None else c.limits[0] if c is not None else 2048
        self.end = resp._body is not None
        self.buf = resp._body or b""
        self.pos = 0
        self.done = False

    def take(self):
        """The next line; None when more input is needed (``feed``), or at the end (``done``)."""
        b = self.buf
        p = self.pos
        i = b.find(b"\n", p)
        if i < 0:
            n = len(b) - p
            if not self.end:
                if n > self.max + 1:  # + 1: the CR of a CRLF may be there already
                    raise self._over(n)
                return None
            if n <= 0:
                self.done = True
                return None
            i = len(b)
        line = b[p:i]
        self.pos = i + 1
        if line[-1:] == b"\r":
            line = line[:-1]
        if len(line) > self.max:
            raise self._over(len(line))
        return line

    def feed(self, piece):
        if piece is None:
            self.end = True
        else:
            self.buf = self.buf[self.pos :] + bytes(piece)
            self.pos = 0

    def _over(self, n):
        return LimitExceeded("line of %d+ bytes is over max_line=%d" % (n, self.max), "max_line", self.max, n)

    # asyncio: ``async for`` (MicroPython has no async generators)
    def __aiter__(self):
        return self

    async def __anext__(self):
        while True:
            line = self.take()
            if line is not None:
                return line
            if self.done:
                raise StopAsyncIteration
            self.feed(await self.resp.read_chunk())



def iter_lines(resp, max_line):
    s = Lines(resp, max_line)
    while True:
        line = s.take()
        if line is not None:
            yield line
        elif s.done:
            return
        else:
            s.feed(resp._next_chunk())
