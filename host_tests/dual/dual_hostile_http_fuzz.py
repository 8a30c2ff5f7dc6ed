"""Mutated responses through the three I/O layers (the raw server's /raw/fuzz/N: valid responses with
bytes deleted, replaced or inserted, and tokens that matter to a parser inserted, sent in small pieces,
then the close; tools/servers.py ``fuzz_response``).  Whatever arrives, a request ends within its
bounds with a response or a microhttpc error (HTTPCError), never another exception; a response that
ends the connection ends it, and one that leaves it open leaves it usable: the next request on it,
/raw/genuine, gets its own answer.
"""

import os

from microhttpc.errors import HTTPCError
from pumps_http import GENUINE, now, open_client, per_layer

# Answers 1..60 per layer and runtime (about a second each); MHC_FUZZ=FIRST:LAST runs others (a longer
# search by hand: every answer is reproducible from its number).
FIRST, LAST = [int(x) for x in (os.getenv("MHC_FUZZ") or "1:60").split(":")]


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
