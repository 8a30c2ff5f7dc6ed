"""``read(max_size=)`` under a body's Content-Length raises LimitExceeded before a byte is read, and
says "stream it instead": the body is still there to stream (read(n), readinto, iter_chunks), on the
blocking and asyncio layers, both runtimes (the poll Engine collects a body whole within max_body
before it hands the response out: its read() only checks max_size).  They closed the connection with
it, and the next read(n) raised ConnectionLost (an outside hunt)."""

from microhttpc.errors import LimitExceeded
from pumps_http import expect, open_client, per_layer


def _max_size_leaves_the_body(layer):
    if layer == "poll":
        return
    c = open_client(layer, timeout=5)
    try:
        r = c.request("GET", "/raw/close-50", read=False)  # 50 bytes, A..r
        e = expect(LimitExceeded, c.call, r, "read", -1, 10)
        assert "stream it instead" in str(e) and e.limit == "max_body" and e.size == 50, (e, e.limit, e.size)
        assert c.call(r, "read", 20) == bytes(range(65, 85))
        assert c.call(r, "read") == bytes(range(85, 115))
    finally:
        c.close()


per_layer(globals(), "max_size_leaves_the_body", _max_size_leaves_the_body)
