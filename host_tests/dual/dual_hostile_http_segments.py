"""A whole chunked body that arrives in small TCP segments, a read each, through the three layers: the
same result as in one write.  On MicroPython its pieces were kept in blocks grown piece by piece,
which moved at every piece; their old places and the garbage of the reads split the heap, and a
12,000-byte body in 100-byte segments was LimitExceeded ("does not fit in memory") in a 128K heap with
~80 KB free (blocking and asyncio; in one write it passed)."""

from pumps_http import open_client, per_layer


def _abc(n):
    return bytes(97 + i % 26 for i in range(n))


def _chunked_body_in_small_segments(layer):
    c = open_client(layer, timeout=10)
    try:
        body = c.request("GET", "/raw/chunked-segments").body
        assert body == _abc(12000), (len(body), body[:20])
        assert c.request("GET", "/raw/genuine").status == 200  # (kept alive, framed right)
    finally:
        c.close()


per_layer(globals(), "chunked_body_in_small_segments", _chunked_body_in_small_segments)
