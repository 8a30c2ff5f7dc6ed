"""Mutated frame streams and mutated 101 answers through the WebSocket of the three I/O layers (valid
frame streams of every shape: dual_hostile_ws_valid).

Frames: the raw WebSocket server's /fuzz/N (tools/servers.py ``fuzz_frames``): text with multi-byte
characters, binary, fragments, control and Close frames, RSV bits, unknown opcodes, lengths of every
size class, a few bytes changed at random, sent in pieces; then the server closes TCP.  Whatever
arrives, the WebSocket hands out messages of the right type and ends with ConnectionClosed (or a
TimeoutError) within its bounds: never another exception, never a hang, every fault reported to
on_err at most once.

Handshakes: /fuzz101/N, the 101 answer with bytes deleted, replaced or inserted, and header lines and
tokens that matter to the checks inserted (tools/servers.py ``fuzz_head``), then one text frame "ok".
The upgrade ends with a WebSocket or a microhttpc error; a WebSocket it gives receives "ok" or ends
with ConnectionClosed, nothing else.
"""

import os

from check import server
from microhttpc.errors import HTTPCError
from microhttpc.rfc6455 import ConnectionClosed
from pumps_http import now
from pumps_ws import connect_ws, per_layer

# Streams 1..40 per layer and runtime; MHC_FUZZ=FIRST:LAST runs others (a longer search by hand:
# every stream is reproducible from its number; MHC_FUZZ_SHOW=1 prints each outcome).
FIRST, LAST = [int(x) for x in (os.getenv("MHC_FUZZ") or "1:40").split(":")]


def _series(layer, prefix, after_upgrade):
    """Each stream FIRST..LAST of /PREFIX/N on ``layer``: its outcome (``after_upgrade(ws, n)``'s, the
    code this side closed with, the name of another microhttpc error, or "MemoryError" for a fault
    reported once), within bounds; the count of each outcome."""
    import gc

    h, p = server("wsraw")
    outcomes = {}
    for n in range(FIRST, LAST + 1):
        gc.collect()
        t0 = now()
        ws = None
        try:
            ws = connect_ws(layer, h, p, "/%s/%d" % (prefix, n), timeout=2, close_timeout=1)
            outcome = after_upgrade(ws, n)
        except ConnectionClosed as exc:
            # (the code this side sent: 1002, 1007, 1009 for a fault of the server, None when none)
            outcome = "closed, sent %s" % exc.sent_code
        except HTTPCError as exc:
            outcome = type(exc).__name__
        except MemoryError:
            # Out of memory is a fault like a reset (README): reported once, by the call in progress;
            # the connection is closed and says so from then on.
            outcome = "MemoryError"
            if ws is not None:
                try:
                    ws.recv(2)
                except ConnectionClosed as exc:
                    assert exc.code == 1006, exc.code
                else:
                    raise AssertionError("a message after the MemoryError")
        except Exception as exc:
            raise AssertionError("/%s/%d on %s: %s: %s" % (prefix, n, layer, type(exc).__name__, exc))
        finally:
            if ws is not None:
                ws.close()
        took = now() - t0
        assert took < 8, "/%s/%d on %s: %s after %.1f s" % (prefix, n, layer, outcome, took)
        if ws is not None:
            assert len(ws.errors) <= 1, ws.errors  # a fault is reported once
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if os.getenv("MHC_FUZZ_SHOW"):
            print(n, outcome)
    return outcomes


def _frames(ws, n):
    """Every message, until the stream ends (ConnectionClosed, or a TimeoutError: _series names it)."""
    while True:
        m = ws.recv(2)
        assert type(m) in (str, bytes), type(m)


def _fuzz(layer):
    outcomes = _series(layer, "fuzz", _frames)
    assert len(outcomes) >= 3, outcomes  # the series reaches several kinds of end


per_layer(globals(), "mutated_frames", _fuzz)


def _ok(ws, n):
    m = ws.recv(2)
    assert m == "ok", "/fuzz101/%d: %r" % (n, m)
    return "open"


def _fuzz101(layer):
    outcomes = _series(layer, "fuzz101", _ok)
    assert "open" in outcomes and len(outcomes) >= 3, outcomes  # accepted, and refused in several ways


per_layer(globals(), "mutated_101", _fuzz101)
