"""MicroPython's native kernels (viper): the masking loop of ``mask`` and the UTF-8 loop of ``utf8``.

MicroPython only: CPython never imports this module.  mpy-cross compiles it to machine code for the
board's CPU (``tools/build_mpy.py --march``), so a board pays no compiler heap at import; from source
it compiles on the board.  Where it cannot load (no native emitter, a build without --march, another
CPU's .mpy), ``mask`` and ``utf8`` keep their plain loops.
"""

# pyright: reportUndefinedVariable=false
# (ptr8 and ptr32 are viper types, known to the viper compiler only)

import micropython


@micropython.viper
def mask(buf: ptr8, start: int, end: int, key: ptr8):
    """XOR buf[start:end] with the 4-byte ``key``, its phase starting at ``start`` (see mask.py): byte by
    byte up to a 4-byte aligned address, then 32-bit words, four per turn of the loop (the key as a
    little-endian word, rotated to the phase there: every MicroPython CPU with a native emitter is
    little-endian; four a turn: 2.4 times the rate of one on the unix port), then the last bytes."""
    i = start
    j = 0
    while i < end and (int(buf) + i) & 3:
        buf[i] = buf[i] ^ key[j]
        i += 1
        j = (j + 1) & 3
    n = (end - i) >> 2
    if n > 0:
        kw = key[j] | (key[(j + 1) & 3] << 8) | (key[(j + 2) & 3] << 16) | (key[(j + 3) & 3] << 24)
        a = int(buf) + i
        stop = a + ((n >> 2) << 4)
        while a < stop:
            w = ptr32(a)
            w[0] = w[0] ^ kw
            w[1] = w[1] ^ kw
            w[2] = w[2] ^ kw
            w[3] = w[3] ^ kw
            a += 16
        w = ptr32(a)
        m = 0
        while m < (n & 3):
            w[m] = w[m] ^ kw
            m += 1
        i += n << 2
    while i < end:
        buf[i] = buf[i] ^ key[j]
        i += 1
        j = (j + 1) & 3


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
