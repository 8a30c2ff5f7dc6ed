"""The kernels of mask and utf8 outside the dual tests: the machine code of _viper is built per CPU
(and only with -march), and CPython's decoder-based UTF-8 check agrees with the plain loop on fuzzed
input split at random points."""

import os
import random
import subprocess
import sys

import build_mpy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "firmware"))

from microhttpc import errors  # noqa: E402,F401  (first: _cpython and errors import each other)
from microhttpc import _cpython, utf8  # noqa: E402


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_viper_is_machine_code_per_cpu(tmp_path):
    built = {}
    for march in ("xtensawin", "armv6m", None):
        out = str(tmp_path / (march or "bytecode"))
        build_mpy.build(out, march, quiet=True)
        built[march] = out
    viper = {m: read(os.path.join(d, "microhttpc", "_viper.mpy")) for m, d in built.items()}
    assert viper["xtensawin"] != viper["armv6m"]
    for m in ("xtensawin", "armv6m"):
        assert viper[m][2] != 0, m  # the header's architecture byte: native code inside
    assert viper[None][2] == 0 and len(viper[None]) < 200  # bytecode build: the placeholder
    for name in os.listdir(os.path.join(built[None], "microhttpc")):  # the rest is bytecode, the same
        if name != "_viper.mpy":
            assert read(os.path.join(built["xtensawin"], "microhttpc", name)) == read(
                os.path.join(built["armv6m"], "microhttpc", name)), name


def test_unix_port_runs_native_kernels_or_falls_back(tmp_path):
    mp = os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(mp):
        mp = "micropython"
    code = ("from microhttpc import mask, utf8, rfc6455\n"
            "b = bytearray(b'abcdefgh'); mask.mask(b, 1, 7, b'\\x01\\x02\\x03\\x04')\n"
            "print(mask.mask_viper is not None, rfc6455._mask is mask.mask, bytes(b),"
            " utf8.validate(b'ab\\xed', 0) > 0, utf8.validate(b'\\xed\\xa0', 0))\n")
    for march in (build_mpy.host_march(), None):
        out = str(tmp_path / (march or "bytecode"))
        build_mpy.build(out, march, quiet=True)
        got = subprocess.run([mp, "-X", "heapsize=128K", "-c", code], env=dict(os.environ, MICROPYPATH=out),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60).stdout.decode()
        assert got.split() == [str(march is not None), "True", "b'acagageh'", "True", "-1"], (march, got)


def test_cpython_utf8_agrees_with_the_plain_loop():
    rnd = random.Random(6455)
    alphabet = [b"a", b"\x7f", "é".encode(), "€".encode(), "😀".encode(), b"\xed\xa0\x80", b"\xc0\xaf",
                b"\xe0\x80\xaf", b"\xf4\x90\x80\x80", b"\xff", b"\x80", b"\xc2", b"\xf0\x9f"]
    for _ in range(3000):
        pool = alphabet[:5] if rnd.random() < 0.7 else alphabet  # mostly valid text
        data = b"".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12)))
        cut = rnd.randint(0, len(data))
        a = utf8.validate_plain(data[:cut], 0)
        a = a if a == -1 else utf8.validate_plain(data[cut:], a)
        b = _cpython.validate(memoryview(bytearray(data))[:cut], 0)
        b = b if b == -1 else _cpython.validate(data[cut:], b)
        assert (a == -1) == (b == -1) and (a == 0) == (b == 0), (data, cut, a, b)
