"""Heap budgets on MicroPython (64-bit unix port, package as .mpy in RAM): memory figures are
deterministic to a few hundred bytes, so a regression fails here, not on a board.  The figures come
from tools/mem.py (``make mem`` prints them); each budget is the value measured when it was set plus a
small margin, and the test says by how much a path went over."""

import mem

# bytes kept by importing each path; measured 47168, 76832, 50752, 77408, 43936, 72352
IMPORT_BUDGET = {
    "blocking HTTP": 47700,
    "blocking HTTP + WebSocket": 77400,
    "poll HTTP": 51300,
    "poll HTTP + WebSocket": 77900,
    "aio HTTP": 44500,
    "aio HTTP + WebSocket": 72900,
}
# smallest -X heapsize (KiB) of the demo session (GET, upgrade, text + binary echo, ping, close), 3 of
# 3 fresh runs; measured 95 and 98
SESSION_BUDGET = {"Connection + upgrade": 100, "ws_connect": 100}


def test_import_heap_within_budget():
    mem.build()
    over = {}
    for name, mods in mem.PATHS.items():
        got = mem.import_cost(mods)
        if got > IMPORT_BUDGET[name]:
            over[name] = (got, IMPORT_BUDGET[name])
    assert not over, "import heap over budget (got, budget): %r" % (over,)


def test_demo_session_heap_within_budget(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    for name, wsc in (("Connection + upgrade", False), ("ws_connect", True)):
        budget = SESSION_BUDGET[name]
        assert mem.session_passes(budget, wsc, 3, env), "%s: the demo session fails in %d KiB" % (name, budget)
        # and the search itself works: far below the budget it fails, at the budget it passes
        assert not mem.session_passes(24, wsc, 1, env)
