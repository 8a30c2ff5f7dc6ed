"""The sans-I/O cores fed mutated input, on both runtimes: whatever a server sends, ``http11`` and
``rfc6455`` raise only microhttpc errors (HTTPCError), never IndexError, ValueError, UnicodeError and
the like, and every feed ends (no loop that input can keep going).

The input is generated here, from valid responses and frame streams changed at random places (bytes
deleted, replaced or inserted, tokens that matter to the parsers inserted: CR, LF, NUL, digits that are
not ASCII, huge lengths), and fed in random splits.  One small generator of its own (a 32-bit
xorshift), so both runtimes see the same inputs; a failure prints the seed and the input.
"""

from microhttpc import http11
from microhttpc import rfc6455 as ws
from microhttpc.errors import HTTPCError


class Rand:
    def __init__(self, seed):
        self.s = seed or 1

    def below(self, n):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        self.s = s
        return s % n

    def pick(self, seq):
        return seq[self.below(len(seq))]


RESPONSES = (
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nold body",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX: y\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi",
    b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
    b"HTTP/1.1 302 Found\r\nLocation: /x\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n",
)
TOKENS = (b"\r\n", b"\r", b"\n", b"\x00", b":", b" ", b"\t", b"HTTP/1.1 ", b"Content-Length: ",
          b"Transfer-Encoding: chunked", b"0", b"9", b"ffffffffffffffff", b"-1", b"\xc2\xb2", b"\xd9\xa5",
          b"\xff", b";", b"\"", b"=", b"100 ", b"1")


def mutate(r, data, tokens):
    s = bytearray(data)
    for _ in range(1 + r.below(6)):
        k = r.below(10)
        pos = r.below(len(s) + 1)
        if k < 3 and s:
            s[pos : pos + 1 + r.below(4)] = b""
        elif k < 6:
            s[pos:pos] = r.pick(tokens)
        elif k < 8 and s:
            s[r.below(len(s))] = r.below(256)
        else:
            s[pos:pos] = bytes(r.below(256) for _ in range(1 + r.below(5)))
    return bytes(s)


def parse_response(r, data, method):
    p = http11.ResponseParser()
    p.start(method)
    pos = 0
    for _ in range(20000):  # far more than any of these inputs needs: a bound, not a loop
        ev = p.next_event()
        if ev is None:
            if p.done:
                return "done"  # (a response without a body: nothing follows its head)
            if p._eof:
                raise AssertionError("next_event() asks for more after feed_eof()")
            if pos >= len(data):
                p.feed_eof()
                continue
            n = 1 + r.below(20)
            p.feed(data[pos : pos + n])
            pos += n
        elif ev[0] == http11.RESPONSE:
            h = ev[1]
            h.headers.get("content-type")
            list(h.headers.items())
            if h.status == 101:
                return "101"
        elif ev[0] == http11.END:
            return "end"
    raise AssertionError("the parser did not end")


def frame(r):
    op = r.pick((0, 1, 2, 8, 9, 10, 1, 2, 0, 3, 11))
    n = r.pick((0, 1, 5, 125, 126, 200, 3000, r.below(70000)))
    if op == 1 and r.below(10) < 7:
        payload = ("h\u00e9llo\u20ac" * (min(n, 1500) // 8 + 1)).encode()[:n]
    elif op == 8 and r.below(10) < 7:
        payload = b"\x03\xe8bye"
    else:
        payload = bytes(r.below(256) for _ in range(min(n, 200))) + b"a" * max(0, min(n, 1500) - 200)
    b0 = (0x80 if r.below(10) < 7 else 0) | op | (0x40 if r.below(10) == 0 else 0)
    payload = payload[:1500]  # (a longer frame is announced, not sent whole: the heap of a board)
    if n < 126:
        head = bytes((b0, n))
    elif n < 65536:
        head = bytes((b0, 126, n >> 8, n & 255))
    else:
        head = bytes((b0, 127)) + n.to_bytes(8, "big")
    return head + payload


def feed_frames(r, data, **kw):
    p = ws.Protocol(rng=lambda n: b"\x01\x02\x03\x04"[:n], **kw)
    pos = 0
    while pos < len(data):
        n = 1 + r.below(4000)
        p.receive_data(data[pos : pos + n])
        pos += n
        for _ in range(1000):
            p.events()
            p.data_to_send()
            if not p.more_input():
                break
            p.receive_data(b"")
        else:
            raise AssertionError("receive_data(b'') never ended")
        if r.below(10) == 0 and p.state == ws.OPEN:
            p.send_message(ws.OP_TEXT, b"x")
        if r.below(20) == 0 and p.state == ws.OPEN:
            p.send_close(1000, "")
    p.receive_eof()
    p.events()
    p.data_to_send()
    p.closed_error()


def _survive(what, seed, data, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except HTTPCError:
        pass
    except Exception as exc:
        raise AssertionError("%s, seed %d: %s: %s from %r" % (what, seed, type(exc).__name__, exc, data[:120]))


def test_the_response_parser_raises_only_its_errors_on_mutated_responses():
    seen = {}
    for seed in range(1, 1201):
        r = Rand(seed)
        data = mutate(r, r.pick(RESPONSES), TOKENS)
        method = r.pick(("GET", "HEAD", "GET", "POST"))
        try:
            seen[parse_response(r, data, method)] = True
        except HTTPCError:
            seen["error"] = True
        except Exception as exc:
            raise AssertionError("seed %d: %s: %s from %r (%s)" % (seed, type(exc).__name__, exc, data, method))
    assert len(seen) == 4, seen  # the mutations reach every outcome, faults included


def test_the_frame_parser_raises_only_its_errors_on_mutated_streams():
    import gc

    for seed in range(1, 301):
        gc.collect()  # (MicroPython: a 128 KiB heap, and up to 9 KB of input a run)
        r = Rand(seed)
        data = bytearray()
        for _ in range(1 + r.below(6)):
            data += frame(r)
        for _ in range(r.below(4)):
            data[r.below(len(data))] = r.below(256)
        kw = {"max_message": r.pick((None, 100, 65536)), "streaming": r.below(10) < 3}
        if r.below(3) == 0:
            kw["max_events"] = 1 + r.below(2)
        _survive("frames", seed, data, feed_frames, r, bytes(data), **kw)
