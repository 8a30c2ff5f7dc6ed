"""Incremental UTF-8 validation (RFC 3629 section 4), for text messages and close reasons.

A text message may arrive in many frames and each frame in many reads; RFC 6455 section 8.1 asks the
client to fail the connection (1007) as soon as the bytes cannot be UTF-8, not at the end.  So the
validator keeps a small state between chunks:

    state = validate(chunk, state)    # -1 once invalid, else an int to pass to the next call
    complete = state == 0             # at message end: no partial sequence pending

The state packs the number of continuation bytes still expected and the allowed range of the next
byte (which is narrower right after E0, ED, F0 and F4: overlongs, surrogates, > U+10FFFF).

CPython uses its own UTF-8 decoder (C speed), and validate_plain() for the few bytes of a sequence
split between chunks; MicroPython uses a viper loop, or the same loop as plain Python on ports without
the native emitter.  A host test checks all of them agree.
"""

import sys

VALID = 0
INVALID = -1


def validate_plain(data, state=0):
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


validate = validate_plain

if sys.implementation.name == "micropython":
    # Compiled at import so the module stays plain bytecode (see mask.py).  The body is the loop of
    # validate_plain() with machine-int locals.
    _VIPER = """
@micropython.viper
def _validate_viper(buf: ptr8, n: int, state: int) -> int:
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
"""
    try:
        import micropython

        _ns = {"micropython": micropython}
        exec(_VIPER, _ns)
        _validate_viper = _ns["_validate_viper"]

        def validate(data, state=0):  # noqa: F811
            if state < 0:
                return -1
            return _validate_viper(data, len(data), state)

    except Exception:  # port without the native emitter
        validate = validate_plain
    _VIPER = _ns = None
else:
    from codecs import utf_8_decode

    # CPython's decoder at C speed for the bulk of a chunk.  Its incremental state is not used between
    # chunks: it holds back an incomplete tail without judging it (b"\xed\xa0" waits for a third
    # byte before the surrogate is refused), which let a server stall a bad message.  So the tail it
    # holds back (at most 3 bytes) goes through validate_plain(), and the int state that returns
    # finishes the sequence at the start of the next chunk, with validate_plain() again.

    def validate(data, state=0):  # noqa: F811
        if state:
            if state < 0:
                return -1
            need = state & 3
            state = validate_plain(data[:need], state)
            if state:  # invalid, or the chunk ended inside the sequence
                return state
            data = memoryview(data)[need:]
        try:
            k = utf_8_decode(data, "strict", False)[1]
        except UnicodeDecodeError:
            return -1
        if k < len(data):
            return validate_plain(data[k:], 0)
        return 0
