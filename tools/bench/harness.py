"""One measurement in its own process: ``harness.py CLIENT CASE HOST:PORT SECONDS``.

Runs unchanged on the MicroPython unix port and on CPython.  Loads the client adapter
``clients/CLIENT.py``, measures the heap cost of importing the client and of one open connection
(MicroPython only: ``gc.mem_alloc()`` deltas after ``gc.collect()``), checks one answer for
correctness, then repeats the operation for about SECONDS and prints one JSON line:
``{"ok": true, "ops": N, "secs": S, "import_heap": B, "conn_heap": B}``.

Cases: ``ws:SIZE:text|binary`` (WebSocket echo of one message of SIZE bytes),
``http:PATH`` (a sequential GET of PATH, keep-alive where the client does it) and
``ttfm:SIZE:text|binary`` (time to first message: the adapter's whole ``bench()`` -- connect, upgrade,
one checked echo -- repeated on a fresh connection each time; only the time until the echo is back
counts, not the close that follows; ``ops``/``secs`` then give connections per second).
"""

import gc
import json
import sys

try:
    from time import ticks_diff, ticks_us

    def now_us():
        return ticks_us()

    def elapsed_us(t0):
        return ticks_diff(ticks_us(), t0)

except ImportError:
    from time import perf_counter

    def now_us():
        return perf_counter() * 1e6

    def elapsed_us(t0):
        return perf_counter() * 1e6 - t0


def heap():
    gc.collect()
    gc.collect()
    return gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0


def payload(size, kind):
    if kind == "text":
        return ("0123456789abcdefghijklmnopqrstuvwxyz" * (size // 36 + 1))[:size]
    b = bytes(range(256)) * ((size + 255) // 256)  # byte i is i & 0xFF, without a generator per byte
    return b if len(b) == size else b[:size]


class Plan:
    """What to measure; the adapters fill ``ops`` via ``run``/``arun``."""

    def __init__(self, case, addr, secs):
        self.case = case
        self.host, port = addr.rsplit(":", 1)
        self.port = int(port)
        self.secs = secs
        parts = case.split(":")
        self.kind = parts[0]
        self.ttfm = self.kind == "ttfm"
        self.first_us = None
        if self.ttfm:
            self.kind = "ws"
        if self.kind == "ws":
            self.size = int(parts[1])
            self.msg = payload(self.size, parts[2])
            self.path = "/"
            self.url = "ws://%s:%d/" % (self.host, self.port)
        else:
            self.path = parts[1]
            self.url = "http://%s:%d%s" % (self.host, self.port, self.path)
            self.expect = b"hello world" if self.path == "/hello" else None
        self.result = {"ok": False}

    def check(self, got):
        if self.kind == "ws":
            if got != self.msg:
                raise AssertionError("echo mismatch: %r..." % (got[:40] if got else got,))
        elif self.expect is not None and bytes(got) != self.expect:
            raise AssertionError("unexpected body %r" % (got[:40],))
        elif self.expect is None:
            n = got if isinstance(got, int) else len(got)  # an int: a streamed body's byte count
            if n != int(self.path.rsplit("/", 1)[1]):
                raise AssertionError("body of %d bytes" % n)

    def begin(self):
        if self.ttfm:
            return
        self.h0 = heap()

    def loaded(self):
        if self.ttfm:
            return
        self.h1 = heap()

    def opened(self):
        if self.ttfm:
            return
        self.h2 = heap()
        self.result["import_heap"] = self.h1 - self.h0
        self.result["conn_heap"] = self.h2 - self.h1

    def run(self, op, conv=None):
        """``conv`` turns what ``op()`` returns into what ``check`` compares (used by the checks only)."""
        if self.ttfm:
            self.check(conv(op()) if conv else op())
            self.first_us = elapsed_us(self.t0)
            return
        _run(self, op, conv)

    def arun(self, op, conv=None):
        return _arun(self, op, conv)

    def finish(self, ops, us):
        self.result.update({"ok": True, "ops": ops, "secs": us / 1e6})


def _run(plan, op, conv=None):
    """Time ``op()`` (which returns what to check) repeatedly for plan.secs seconds."""
    for _ in range(3):
        plan.check(conv(op()) if conv else op())
    limit = plan.secs * 1e6
    n = 0
    t0 = now_us()
    while True:
        op()
        n += 1
        us = elapsed_us(t0)
        if us >= limit or n >= 2000000:
            break
    plan.finish(n, us)


async def _arun(plan, op, conv=None):
    """``_run`` for coroutine operations."""
    if plan.ttfm:
        got = await op()
        plan.check(conv(got) if conv else got)
        plan.first_us = elapsed_us(plan.t0)
        return
    for _ in range(3):
        got = await op()
        plan.check(conv(got) if conv else got)
    limit = plan.secs * 1e6
    n = 0
    t0 = now_us()
    while True:
        await op()
        n += 1
        us = elapsed_us(t0)
        if us >= limit or n >= 2000000:
            break
    plan.finish(n, us)


def ttfm(plan, adapter):
    """Time to first message: ``bench()`` once untimed (imports, caches), then again and again for
    plan.secs of timed work; each run counts from its start to the checked echo."""
    plan.t0 = now_us()
    adapter.bench(plan)
    total = 0
    n = 0
    while total < plan.secs * 1e6 and n < 100000:
        plan.first_us = None
        plan.t0 = now_us()
        adapter.bench(plan)
        if plan.first_us is None:
            raise AssertionError("the adapter never echoed")
        total += plan.first_us
        n += 1
    plan.result = {"ok": True, "ops": n, "secs": total / 1e6}


def main():
    client, case, addr, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    plan = Plan(case, addr, secs)
    adapter = __import__("clients." + client, None, None, ("bench",))
    try:
        if plan.ttfm:
            ttfm(plan, adapter)
        else:
            adapter.bench(plan)
    except Exception as exc:  # reported as a failed measurement, with the reason
        plan.result["ok"] = False
        plan.result["error"] = "%s: %s" % (type(exc).__name__, exc)
        if hasattr(sys, "print_exception"):
            sys.print_exception(exc)
        else:
            import traceback

            traceback.print_exc()
    print("RESULT " + json.dumps(plan.result))


main()
