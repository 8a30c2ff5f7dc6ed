"""An upload to a server that reads nothing (tools/servers.py RAW_EARLY "/raw/no-read": the head is read,
the body never, no answer) ends at the connection's ``timeout`` with "the server did not accept data",
through the three layers on both runtimes.  The poll Engine (both runtimes) and asyncio on MicroPython
said "no response within 1 s", as if the request had gone out (the head's timer, which runs from the
last byte that went; an outside hunt)."""

from microhttpc.errors import TimeoutError
from pumps_http import expect, open_client, per_layer

N = 50000000


def _stalled_upload(layer):
    left = [N]

    def fill(buf):
        k = min(len(buf), left[0])
        left[0] -= k
        return k

    c = open_client(layer, timeout=1)
    try:
        exc = expect(TimeoutError, c.request, "POST", "/raw/no-read", body=fill, content_length=N)
        assert "did not accept data" in str(exc), exc
        assert left[0] > 0, "all of the body was taken"
    finally:
        c.close()


per_layer(globals(), "stalled_upload", _stalled_upload)
