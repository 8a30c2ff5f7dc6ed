"""Mutated responses, and valid ones framed every way, through the three I/O layers.

Mutated: the raw server's /raw/fuzz/N, valid responses with bytes deleted, replaced or inserted, and
tokens that matter to a parser inserted, sent in small pieces, then the close (tools/servers.py
``fuzz_response``).  Whatever arrives, a request ends within its bounds with a response or a
microhttpc error (HTTPCError), never another exception; a connection left open carries the next
request (/raw/genuine) to its own answer, never a forged one.

Valid: /raw/valid/N (``valid_response``), see ``_valid``.
"""

import os

from microhttpc.errors import HTTPCError
from microhttpc.rt import MICROPYTHON
from pumps_http import GENUINE, now, open_client, per_layer

# Answers 1..60 per layer and runtime (about a second each); MHC_FUZZ=FIRST:LAST runs others (a longer
# search by hand: every answer is reproducible from its number).
# The largest body of the valid series.  On MicroPython the test's own heap decides: the facades make
# an event loop (asyncio) or Engine (poll) per connection, each left mid-heap, and after 40-50
# connections 8,000-byte bodies did not always find their two blocks in 128 KiB (LimitExceeded, as it
# must be, but not what this test looks for); 4,000-byte ones on asyncio in about one run in ten (/raw/valid/51).
CAP = 3000 if MICROPYTHON else 20000
FIRST, LAST = [int(x) for x in (os.getenv("MHC_FUZZ") or "1:60").split(":")]
# Over TLS on MicroPython the first 10 only: a TLS connection takes most of what the facades leave of
# 128 KiB (a new TLS context, 3 KB, did not always find room after 10-30 connections).
TLS_MP = 10


def _fuzz(layer):
    outcomes = {}
    for n in range(FIRST, LAST + 1):
        c = open_client(layer, timeout=2, run_timeout=10)
        t0 = now()
        try:
            try:
                r = c.request("GET", "/raw/fuzz/%d" % n)
                outcome = "response"
            except HTTPCError as exc:
                r = None
                outcome = type(exc).__name__
            except Exception as exc:
                raise AssertionError("/raw/fuzz/%d on %s: %s: %s" % (n, layer, type(exc).__name__, exc))
            took = now() - t0
            assert took < 5, "/raw/fuzz/%d on %s: %s after %.1f s" % (n, layer, outcome, took)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if os.getenv("MHC_FUZZ_SHOW"):
                print(n, outcome)
            if r is not None and c.is_open():
                # (the server closes after each answer: an open connection must then fail cleanly
                # or, if it was replaced, carry the next request)
                try:
                    assert c.request("GET", "/raw/genuine").body == GENUINE
                except HTTPCError:
                    pass
        finally:
            c.close()
    # The series reaches responses and several kinds of refusal (not only one outcome).
    assert "response" in outcomes and len(outcomes) >= 3, outcomes


per_layer(globals(), "mutated_responses", _fuzz)


def _sha1_hex(data):
    import binascii
    import hashlib

    return binascii.hexlify(hashlib.sha1(data).digest()).decode()


def _valid(layer, tls=False):
    """Valid responses of every framing (/raw/valid/N: Content-Length, chunked with extensions and
    trailers, until the close, HTTP/1.0; interim answers before some; bodies of 0 to 20,000 bytes),
    sent in pieces of 1 to 10,000 bytes: every body arrives whole and unchanged (its length and SHA-1
    in its headers), and a connection kept open carries the next request.  ``tls``: the same over TLS
    (the server sends each piece as one TLS record)."""
    kept = 0
    kw = {}
    if tls:
        from check import server
        from check import tls_ca as ca

        host, port = server("tlsraw")
        kw = {"host": host, "port": port, "tls": True, "cadata": ca(), "server_hostname": "localhost"}
    for n in range(FIRST, (min(LAST, FIRST + TLS_MP - 1) if tls and MICROPYTHON else LAST) + 1):
        c = open_client(layer, timeout=5, run_timeout=10, **kw)
        try:
            try:
                r = c.request("GET", "/raw/valid/%d?max=%d" % (n, CAP))
            except HTTPCError as exc:
                raise AssertionError("/raw/valid/%d on %s: %s: %s" % (n, layer, type(exc).__name__, exc))
            assert r.status == 200, (n, r.status)
            assert len(r.body) == int(r.header("X-Body-Length")), (n, len(r.body), r.header("X-Body-Length"))
            assert _sha1_hex(r.body) == r.header("X-Body-SHA1"), n
            if c.is_open():
                kept += 1
                assert c.request("GET", "/raw/genuine").body == GENUINE, n
        finally:
            c.close()
    assert kept, "no response left its connection open"


per_layer(globals(), "valid_responses", _valid)


def _valid_over_tls(layer):
    """The valid series over TLS: records of 1 to 10,000 bytes, a response's bytes split across them
    every way, through each layer's TLS reads (MicroPython's TLS socket, CPython's SSL transport)."""
    _valid(layer, True)


per_layer(globals(), "valid_responses_over_tls", _valid_over_tls)

