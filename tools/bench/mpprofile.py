"""A profile of microhttpc on MicroPython, which has no cProfile: ``run.py --profile mp:CASE``.

    micropython mpprofile.py CASE HOST:PORT SECONDS     (MICROPYPATH: the package's .mpy build)

Every function and method of the package's modules on the blocking path is replaced by a wrapper that
times it (``time.ticks_us``), then the bench harness runs the ``microhttpc`` client for CASE as
``make bench`` does (``ws:16:text``, ``http:/hello``, ``ttfm:16:text`` ...).  Printed: per function,
its calls per operation and its own time per operation (its time less that of the wrapped functions
it called), and its time including them.  The wrappers
slow everything down (and a wrapper's frame comes from the heap), so read the shares, not the
absolute times; the operation's rate is printed unwrapped first for comparison.
"""

import gc
import sys
import time

_now = time.ticks_us
_diff = time.ticks_diff

# a module before those that import from it: a function is named after the first module it is found in
MODULES = ("rtio", "urlsplit", "http11", "request", "net", "session", "client", "mask", "utf8", "rfc6455",
           "wsession", "websocket", "handshake", "wsconnect")
STATS = {}  # name -> [calls, inclusive us, own us]
STACK = []  # the time spent in wrapped callees, per active wrapped call


def wrap(name, fn):
    st = STATS.setdefault(name, [0, 0, 0])

    def timed(*args, **kw):
        STACK.append(0)
        t0 = _now()
        try:
            return fn(*args, **kw)
        finally:
            el = _diff(_now(), t0)
            inner = STACK.pop()
            st[0] += 1
            st[1] += el
            st[2] += el - inner
            if STACK:
                STACK[-1] += el

    return timed


def _callable(obj):
    return type(obj).__name__ in ("function", "closure")


def instrument():
    """Wrap every function of MODULES (module functions, and methods of the classes defined there);
    a function imported into other modules is replaced there by the same wrapper."""
    from microhttpc import rt

    rt.load("websocket"), rt.load("handshake"), rt.load("wsconnect")  # the parts loaded on first use, loaded now so that they are wrapped too
    mods = [sys.modules["microhttpc." + m] for m in MODULES if "microhttpc." + m in sys.modules]
    done = {}  # id(original) -> wrapper
    for mod in mods:
        short = mod.__name__.split(".")[-1]
        for name, obj in list(mod.__dict__.items()):
            if _callable(obj):
                w = done.get(id(obj))
                if w is None:
                    w = done[id(obj)] = wrap("%s.%s" % (short, name), obj)
                setattr(mod, name, w)
            elif isinstance(obj, type) and getattr(obj, "__module__", None) == mod.__name__:
                for mname, meth in list(obj.__dict__.items()):
                    if _callable(meth) and id(meth) not in done:
                        done[id(meth)] = w = wrap("%s.%s.%s" % (short, name, mname), meth)
                        setattr(obj, mname, w)
    return len(done)


def overhead():
    """What one wrapped call costs more than a plain one, in microseconds."""

    def f():
        return None

    w = wrap("(calibration)", f)
    n = 20000
    t0 = _now()
    for _ in range(n):
        f()
    plain = _diff(_now(), t0)
    t0 = _now()
    for _ in range(n):
        w()
    wrapped = _diff(_now(), t0)
    del STATS["(calibration)"]
    return max(0.0, (wrapped - plain) / n)


def run_harness(case, addr, secs):
    """The harness's measurement (tools/bench/harness.py measures when imported; it prints its RESULT
    line)."""
    argv = sys.argv[:]
    sys.argv[:] = ["harness.py", "microhttpc", case, addr, str(secs)]
    try:
        sys.modules.pop("harness", None)
        import harness  # noqa: F401
    finally:
        sys.argv[:] = argv


def main():
    case, addr, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    print("unwrapped:")
    run_harness(case, addr, secs)
    n = instrument()
    ovh = overhead()
    for st in STATS.values():
        st[0] = st[1] = st[2] = 0
    print("wrapped (%d functions; a wrapped call costs about %.1f us more, partly counted in the function's"
          " own time and partly in its caller's):" % (n, ovh))
    gc.collect()
    run_harness(case, addr, secs)
    ops = 0
    for name in ("client.Connection.request", "websocket.WebSocket.recv", "wsconnect.ws_connect"):
        if STATS.get(name, (0,))[0]:
            ops = STATS[name][0]
            break
    ops = ops or 1
    rows = sorted(((k, v) for k, v in STATS.items() if v[0]), key=lambda kv: -kv[1][2])
    total = sum(v[2] for _, v in rows) or 1
    print("per operation (%d operations); own: the function's time less that of the wrapped functions it"
          " called; incl: with them" % ops)
    print("%-44s %8s %10s %7s %10s" % ("function", "calls/op", "own us/op", "own %", "incl us/op"))
    for name, (calls, incl, own) in rows[:30]:
        print("%-44s %8.2f %10.2f %6.1f%% %10.2f" % (name, calls / ops, own / ops, 100 * own / total, incl / ops))


main()
