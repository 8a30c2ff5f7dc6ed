"""Heap budgets on MicroPython (64-bit unix port, package as .mpy in RAM): memory figures are
deterministic to a few hundred bytes, so a regression fails here, not on a board.  The figures come
from tools/mem.py (``make mem`` prints them); each budget is the value measured when it was set plus a
small margin, and the test says by how much a path went over."""

import mem

# bytes kept by importing each path; measured 47040, 77568, 51200, 79008, 44704, 74016
IMPORT_BUDGET = {
    "blocking HTTP": 47500,
    "blocking HTTP + WebSocket": 78300,
    "poll HTTP": 51700,
    "poll HTTP + WebSocket": 79800,
    "aio HTTP": 45200,
    "aio HTTP + WebSocket": 74800,
}
# the same paths imported from a ROMFS image mounted with vfs.VfsRom (bytecode runs in place; the
# image's own bytes, read into the heap first, are not counted); measured 26272, 44064, 30208, 44832,
# 25056, 42112 (budget: about 2 % over)
ROMFS_BUDGET = {
    "blocking HTTP": 26800,
    "blocking HTTP + WebSocket": 44900,
    "poll HTTP": 30800,
    "poll HTTP + WebSocket": 45700,
    "aio HTTP": 25600,
    "aio HTTP + WebSocket": 43000,
}
# smallest -X heapsize (KiB) of the demo session (GET, upgrade, text + binary echo, ping, close), 3 of
# 3 fresh runs; measured 96 and 99
SESSION_BUDGET = {"Connection + upgrade": 100, "ws_connect": 101}


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
