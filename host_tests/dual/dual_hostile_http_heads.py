"""Header-level attacks through the three I/O layers: request header injection through content_type
(refused before anything is sent), response heads with non-ASCII Content-Length digits, CR/NUL in a
value, a bare CR in the status line, and trailers that count against max_header_bytes."""

import sys

from microhttpc.errors import LimitExceeded, ProtocolError, UsageError
from pumps_http import expect, get, now, open_client, per_layer


def _content_type_injection(layer):
    # a path of its own per runtime, layer and run: the raw server counts the requests it read for it
    probe = "/raw/probe/%s/%s/%d" % (sys.implementation.name, layer, int(now() * 1000))
    c = open_client(layer, timeout=5)
    try:
        for bad in ("text/plain\r\nX-Evil: 1", "text/plain\nX-Evil: 1", "text/plain\rX", "text/plain\x00"):
            expect(UsageError, c.request, "POST", probe, body=b"x", content_type=bad)
        assert c.request("GET", "/raw/count?" + probe).body == b"0"  # nothing of them reached the server
        c.request("POST", probe, body=b"x", content_type="text/plain")  # the same, clean: it arrives
        assert c.request("GET", "/raw/count?" + probe).body == b"1"
    finally:
        c.close()


def _non_ascii_content_length(layer):
    # '\u00b2' (superscript two) and '\u0665' (Arabic-Indic five) are digits to str.isdigit()/int():
    # a ProtocolError, never a bare ValueError and never a body of 5 bytes
    for path in ("/raw/cl-super2", "/raw/cl-arabic5"):
        exc = expect(ProtocolError, get, layer, path)
        assert not isinstance(exc, LimitExceeded), (path, exc)


def _cr_in_header_value(layer):
    expect(ProtocolError, get, layer, "/raw/cr-in-value")


def _nul_in_header_value(layer):
    expect(ProtocolError, get, layer, "/raw/nul-in-value")


def _bare_cr_after_reason(layer):
    expect(ProtocolError, get, layer, "/raw/cr-after-reason")


def _trailers_count_against_header_bytes(layer):
    # 58 KB of trailers after a 5-byte chunked body; each line is under max_line, fewer than max_headers
    expect(LimitExceeded, get, layer, "/raw/big-trailers", max_header_bytes=200)


per_layer(globals(), "content_type_injection", _content_type_injection)
per_layer(globals(), "non_ascii_content_length", _non_ascii_content_length)
per_layer(globals(), "cr_in_header_value", _cr_in_header_value)
per_layer(globals(), "nul_in_header_value", _nul_in_header_value)
per_layer(globals(), "bare_cr_after_reason", _bare_cr_after_reason)
per_layer(globals(), "trailers_count_against_header_bytes", _trailers_count_against_header_bytes)
