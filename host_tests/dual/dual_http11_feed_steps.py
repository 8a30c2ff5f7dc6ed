"""The response parser's buffer grows in steps, not by each read: a head dribbled a few bytes a read
(a slow or hostile server) made a new buffer per read, each a copy of all before it (8,160 buffers
for an 8 KB head fed a byte at a time).  What it holds is checked too: the head parses as whole."""

from microhttpc.http11 import RESPONSE, ResponseParser

HEAD = (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
        + b"".join(b"X-P%d: %s\r\n" % (i, b"p" * 1990) for i in range(4)) + b"X-Q: " + b"q" * 140 + b"\r\n\r\nhello")


def _buffers(step):
    p = ResponseParser()
    p.start("GET")
    seen, last, resp = 0, None, None
    for i in range(0, len(HEAD), step):
        p.feed(HEAD[i : i + step])
        if p._buf is not last:
            seen, last = seen + 1, p._buf
        ev = p.next_event()
        while ev is not None:
            if ev[0] == RESPONSE:
                resp = ev[1]
            ev = p.next_event()
    assert resp is not None and resp.status == 200 and len(resp.headers.get("X-P3")) == 1990, resp
    return seen


def test_head_a_byte_a_read():
    assert _buffers(1) <= 40  # (8 KB in steps of 256: 32)


def test_head_in_small_reads():
    assert _buffers(7) <= 40


def test_head_in_one_read():
    assert _buffers(len(HEAD)) == 1
