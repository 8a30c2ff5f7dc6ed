"""The masking kernel (RFC 6455 section 5.3): XOR a frame payload with a 4-byte key, in place.

``mask(buf, start, end, key)`` masks ``buf[start:end]`` (a bytearray) with ``key`` (4 bytes), the key
phase starting at ``start``.  The version is chosen once at import:
- MicroPython: ``mask_viper`` from ``_viper`` (machine code from mpy-cross -march: ESP32, RP2, unix),
  else ``mask_plain``, a byte loop, on ports without the native emitter;
- CPython: ``mask_translate`` (``_cpython``: strided ``bytearray.translate``, C speed).
A host test proves they all give identical bytes for many lengths and offsets.
"""

import sys


def mask_plain(buf, start, end, key):
    """XOR ``buf[start:end]`` in place with the 4-byte ``key``, repeated (RFC 6455 section 5.3)."""
    k0, k1, k2, k3 = key[0], key[1], key[2], key[3]
    i = start
    # Four bytes per iteration keeps the interpreter overhead per byte low without a lookup table.
    stop4 = start + ((end - start) & ~3)
    while i < stop4:
        buf[i] ^= k0
        buf[i + 1] ^= k1
        buf[i + 2] ^= k2
        buf[i + 3] ^= k3
        i += 4
    j = 0
    while i < end:
        buf[i] ^= key[j]
        i += 1
        j += 1


if sys.implementation.name == "micropython":
    try:
        from ._viper import mask as mask_viper
    except Exception:  # no native emitter, or a build without -march: the plain loop
        mask_viper = None
    mask = mask_viper or mask_plain
else:
    from . import errors  # noqa: F401  (before _cpython, which takes its base class from errors)
    from ._cpython import mask_bigint, mask_translate  # noqa: F401  (mask_bigint: for tests, benches)

    mask = mask_translate
