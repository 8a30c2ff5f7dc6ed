"""Incremental UTF-8 validation (RFC 3629 section 4), for text messages and close reasons.

A text message may arrive in many frames and each frame in many reads; RFC 6455 section 8.1 asks the
client to fail the connection (1007) as soon as the bytes cannot be UTF-8, not at the end.  So the
validator keeps a small state between chunks:

    state = validate(chunk, state)    # -1 once invalid, else an int to pass to the next call (0 first)
    complete = state == 0             # at message end: no partial sequence pending

The state packs the number of continuation bytes still expected and the allowed range of the next
byte (which is narrower right after E0, ED, F0 and F4: overlongs, surrogates, > U+10FFFF).

CPython uses its own UTF-8 decoder (C speed, ``_cpython``), and validate_plain() for the few bytes of
a sequence split between chunks; MicroPython uses the same loop compiled to machine code (``_viper``),
or validate_plain() on ports without the native emitter.  A host test checks all of them agree.
"""

import sys


def validate_plain(data, state=0):
    """The validator of the module docstring in plain Python: the state after ``data``, -1 once it is
    not UTF-8."""
    need = state & 3
    lo = (state >> 2) & 0xFF
    hi = (state >> 10) & 0xFF
    for b in data:
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


if sys.implementation.name == "micropython":
    try:
        from ._viper import validate
    except Exception:  # no native emitter, or a build without -march: the plain loop
        validate = validate_plain
else:
    from . import errors  # noqa: F401  (before _cpython, which takes its base class from errors)
    from ._cpython import validate  # noqa: F401  (this module's validate on CPython)
