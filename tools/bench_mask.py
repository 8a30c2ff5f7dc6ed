"""Throughput of the WebSocket hot kernels on the runtime that runs this script: the masking
kernels (RFC 6455 section 5.3) and the incremental UTF-8 validators.  Reports MB/s; asserts nothing.

    python tools/bench_mask.py                 # CPython
    python tools/bench_mask.py --both          # CPython, then the MicroPython unix port (.venv/bin/micropython)
    MICROPYPATH=firmware micropython tools/bench_mask.py

The kernels are the package's own (microhttpc.mask / microhttpc.utf8); the version chosen at import
is marked with "*".  Buffers stay small enough for a 128 KiB MicroPython heap.
"""

import sys

try:
    from time import ticks_diff, ticks_us  # MicroPython
except ImportError:
    from time import perf_counter

    def ticks_us():
        return int(perf_counter() * 1000000)

    def ticks_diff(a, b):
        return a - b


MICROPYTHON = sys.implementation.name == "micropython"
if not MICROPYTHON and "microhttpc" not in sys.modules:
    _here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
    sys.path.insert(0, _here + "/../firmware")

from microhttpc import mask, utf8  # noqa: E402


def rate(fn, size, min_us=300000):
    """MB/s of fn() over at least min_us microseconds (fn processes ``size`` bytes per call)."""
    n = 0
    t0 = ticks_us()
    while True:
        fn()
        n += 1
        dt = ticks_diff(ticks_us(), t0)
        if dt >= min_us:
            return size * n / dt  # bytes per microsecond == MB/s


def bench_mask(size):
    buf = bytearray(size)
    key = b"\x9a\x3c\x01\xfe"
    rows = [("mask_plain", mask.mask_plain)]
    if getattr(mask, "mask_viper", None) is not None:  # MicroPython, built with -march
        rows.append(("mask_viper", mask.mask_viper))
    if not MICROPYTHON:  # CPython-only kernels (firmware/microhttpc/_cpython.py)
        rows.append(("mask_bigint", mask.mask_bigint))
        rows.append(("mask_translate", mask.mask_translate))
    for name, fn in rows:
        mbs = rate(lambda: fn(buf, 0, size, key), size)
        print("  %-14s %s %7d bytes  %9.2f MB/s" % (name, "*" if fn is mask.mask else " ", size, mbs))


def bench_utf8(size):
    text = ("κόσμε ascii € " * (size // 20 + 1)).encode()[:size]
    while utf8.validate_plain(text, 0) != 0:  # do not end inside a sequence
        text = text[:-1]
    rows = [("utf8_plain", utf8.validate_plain), ("utf8_chosen", utf8.validate)]
    for name, fn in rows:
        mbs = rate(lambda: fn(text, 0), len(text))
        print("  %-14s %s %7d bytes  %9.2f MB/s" % (name, "*" if fn is utf8.validate else " ", len(text), mbs))


def main():
    print("%s %s" % (sys.implementation.name, ".".join(str(v) for v in sys.implementation.version[:3])))
    for size in (64, 2048, 16384):
        bench_mask(size)
    for size in (2048, 16384):
        bench_utf8(size)


if __name__ == "__main__":
    main()
    if "--both" in sys.argv and not MICROPYTHON:
        import os
        import subprocess

        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        mp = os.path.join(root, ".venv", "bin", "micropython")
        env = dict(os.environ, MICROPYPATH=os.path.join(root, "firmware"))
        subprocess.run([mp if os.path.exists(mp) else "micropython", "-X", "heapsize=128K", __file__], env=env)
