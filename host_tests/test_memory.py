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
# the same paths imported from a ROMFS image mounted with vfs.VfsRom (bytecode runs in place; the
# image's own bytes, read into the heap first, are not counted); measured 25856, 43104, 29440, 43424,
# 24224, 40736 (budget: about 2 % over)
ROMFS_BUDGET = {
    "blocking HTTP": 26400,
    "blocking HTTP + WebSocket": 44000,
    "poll HTTP": 30000,
    "poll HTTP + WebSocket": 44300,
    "aio HTTP": 24700,
    "aio HTTP + WebSocket": 41600,
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


def test_romfs_import_heap_within_budget():
    image = mem.romfs_image()  # mpremote romfs build of lib/microhttpc/*.mpy
    over = {}
    for name, mods in mem.PATHS.items():
        got = mem.romfs_import_cost(mods, image)  # fails unless the modules came from /rom
        if got > ROMFS_BUDGET[name]:
            over[name] = (got, ROMFS_BUDGET[name])
    assert not over, "ROMFS import heap over budget (got, budget): %r" % (over,)
    # bytecode in place keeps well under what the same .mpy files loaded into RAM keep
    mods = mem.PATHS["blocking HTTP + WebSocket"]
    assert mem.romfs_import_cost(mods, image) < 0.7 * mem.import_cost(mods)


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
