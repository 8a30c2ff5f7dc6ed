"""Whole-body reads larger than the heap, through the three I/O layers: with max_body=None a 1 MiB
body (chunked, or read until the connection closes) cannot fit a board-sized heap.  On MicroPython
(128K heap here) the read ends in LimitExceeded, never a bare MemoryError; on CPython the same read
succeeds.  The outcome depends on the runtime by design, hence the branch."""

from microhttpc.errors import LimitExceeded
from pumps_http import MICROPYTHON, expect, open_client, per_layer

MIB = 1 << 20


def _whole_body(layer, path):
    c = open_client(layer, timeout=10, max_body=None)
    try:
        if MICROPYTHON:
            expect(LimitExceeded, c.request, "GET", path)  # poll: on_err(LimitExceeded)
        else:
            r = c.request("GET", path)
            assert r.status == 200 and len(r.body) == MIB and r.body[:4] == b"mmmm", len(r.body)
    finally:
        c.close()


def _chunked_1mib(layer):
    _whole_body(layer, "/raw/chunked-1m")


def _until_close_1mib(layer):
    _whole_body(layer, "/raw/until-close-1m")


per_layer(globals(), "chunked_1mib_max_body_none", _chunked_1mib)
per_layer(globals(), "until_close_1mib_max_body_none", _until_close_1mib)
