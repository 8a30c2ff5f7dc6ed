"""MicroPython's native kernels (viper): the masking loop of ``mask`` and the UTF-8 loop of ``utf8``.

MicroPython only: CPython never imports this module.  mpy-cross compiles it to machine code for the
board's CPU (``tools/build_mpy.py --march``), so a board pays no compiler heap at import; from source
it compiles on the board.  Where it cannot load (no native emitter, a build without --march, another
CPU's .mpy), ``mask`` and ``utf8`` keep their plain loops.
"""

# pyright: reportUndefinedVariable=false
# (ptr8 is a viper type, known to the viper compiler only)

import micropython


@micropython.viper
def mask(buf: ptr8, start: int, end: int, key: ptr8):
    """XOR buf[start:end] with the 4-byte ``key``, its phase starting at ``start`` (see mask.py); four
    bytes per turn of the loop."""
    k0 = key[0]
    k1 = key[1]
    k2 = key[2]
    k3 = key[3]
    i = start
    stop = end - 3
    while i < stop:
        buf[i] = buf[i] ^ k0
        buf[i + 1] = buf[i + 1] ^ k1
        buf[i + 2] = buf[i + 2] ^ k2
        buf[i + 3] = buf[i + 3] ^ k3
        i += 4
    j = 0
    while i < end:
        buf[i] = buf[i] ^ key[j]
        i += 1
        j += 1


@micropython.viper
def validate(data, state: int) -> int:
    """utf8.validate(): the loop of utf8.validate_plain() with machine-int locals."""
    if state < 0:
        return -1
    buf = ptr8(data)
    n = int(len(data))
    need = state & 3
    lo = (state >> 2) & 0xFF
    hi = (state >> 10) & 0xFF
    i = 0
    while i < n:
        b = buf[i]
        i += 1
        if need == 0:
            if b < 0x80:
                continue
            if b < 0xC2:
                return -1
            lo = 0x80
            hi = 0xBF
            if b < 0xE0:
                need = 1
            elif b < 0xF0:
                need = 2
                if b == 0xE0:
                    lo = 0xA0
                elif b == 0xED:
                    hi = 0x9F
            elif b < 0xF5:
                need = 3
                if b == 0xF0:
                    lo = 0x90
                elif b == 0xF4:
                    hi = 0x8F
            else:
                return -1
        else:
            if b < lo or b > hi:
                return -1
            need -= 1
            lo = 0x80
            hi = 0xBF
    if need == 0:
        return 0
    return need | (lo << 2) | (hi << 10)
