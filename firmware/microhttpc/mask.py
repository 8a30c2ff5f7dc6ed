"""The masking kernel (RFC 6455 section 5.3): XOR a frame payload with a 4-byte key, in place.

Versions of one function, chosen once at import:
- ``mask_viper``: MicroPython's viper emitter, a native loop over the bytearray (ESP32, RP2, unix);
- ``mask_translate``: CPython, four strided ``bytearray.translate`` calls, one per key byte, through
  256-byte XOR tables made on first use (C speed; about 5x the big-integer version on 1 MiB);
- ``mask_bigint``: one big-integer XOR over the whole slice (a portable pure-Python alternative; it
  would allocate two payload-sized integers on a board, so it is never chosen on MicroPython);
- ``mask_plain``: a byte loop, for MicroPython ports built without the native emitters.
A host test proves they all give identical bytes for many lengths and offsets.

``mask(buf, start, end, key)`` masks ``buf[start:end]`` (a bytearray) with ``key`` (4 bytes), the key
phase starting at ``start``.
"""

import sys


def mask_plain(buf, start, end, key):
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


def mask_bigint(buf, start, end, key):
    n = end - start
    if n <= 0:
        return
    reps = (n + 3) >> 2
    k = int.from_bytes(bytes(key) * reps, "little")
    v = int.from_bytes(buf[start:end], "little") ^ k
    buf[start:end] = v.to_bytes(reps * 4, "little")[:n]


_XOR_TABLES = {}


def _xor_table(k):
    t = _XOR_TABLES.get(k)
    if t is None:
        t = _XOR_TABLES[k] = bytes([b ^ k for b in range(256)])
    return t


def mask_translate(buf, start, end, key):
    if not isinstance(buf, bytearray):  # a memoryview (a lent frame buffer) has no translate()
        mask_bigint(buf, start, end, key)
        return
    for j in range(4):
        s = start + j
        if s < end:
            buf[s:end:4] = buf[s:end:4].translate(_xor_table(key[j]))


mask_viper = None
if sys.implementation.name == "micropython":
    # The viper source is compiled at import (a few hundred bytes of heap, once) so that the module
    # itself stays plain bytecode: mpy-cross without -march, and ports without the native emitter,
    # can still load it.
    _VIPER = """
@micropython.viper
def mask_viper(buf: ptr8, start: int, end: int, key: ptr8):
    i = start
    j = 0
    while i < end:
        buf[i] = buf[i] ^ key[j & 3]
        i += 1
        j += 1
"""
    try:
        import micropython

        _ns = {"micropython": micropython}
        exec(_VIPER, _ns)
        mask_viper = _ns["mask_viper"]
    except Exception:  # no native emitter on this port
        mask_viper = None
    _VIPER = _ns = None

if mask_viper is not None:
    mask = mask_viper
elif sys.implementation.name == "micropython":
    mask = mask_plain
else:
    mask = mask_translate
