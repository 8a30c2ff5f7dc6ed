"""pyright on firmware/ against the ESP32 stubs, the RP2 (Pico W) stubs and CPython: zero errors.
Also the board examples against their own board's stubs, and proof that the checks catch what they
are for (an import the board lacks, an undefined name).  tools/pyright/check.py says what is checked."""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(ROOT, "tools", "pyright", "check.py")


def check(*args):
    proc = subprocess.run([sys.executable, CHECK] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=900, cwd=ROOT)
    return proc.returncode, proc.stdout.decode(errors="replace")


def test_firmware_is_pyright_clean_for_esp32_rp2_and_cpython():
    # 'basic' type checking of the modules (calls checked against the stubs) and 'strict' of the stubs.
    rc, out = check()
    print(out)
    names = os.listdir(os.path.join(ROOT, "firmware", "microhttpc"))
    n_py = len([f for f in names if f.endswith(".py")])
    n_pyi = len([f for f in names if f.endswith(".pyi")])
    assert n_pyi >= 12, names
    for name in ("esp32", "rp2", "cpython"):
        line = [x for x in out.splitlines() if x.startswith("pyright %-8s" % name)]
        assert line and line[0].endswith(" 0 errors"), out
        assert int(line[0].split()[2]) == n_py + n_pyi, out
        line = [x for x in out.splitlines() if x.startswith("stubs   %-8s" % name)]
        assert line and line[0].endswith(" 0 errors (strict)"), out
        assert int(line[0].split()[2]) == n_pyi, out
    assert rc == 0, out


def test_board_examples_against_their_board_stubs(tmp_path):
    # Each example as it sits on its board: main.py, config.py (from the template) and lib/microhttpc.
    for board, config in (("esp32", "esp32"), ("rp2-pico-w", "rp2")):
        d = tmp_path / board
        shutil.copytree(os.path.join(ROOT, "firmware", "microhttpc"), str(d / "microhttpc"))
        shutil.copy(os.path.join(ROOT, "boards", board, "main.py"), str(d / "main.py"))
        shutil.copy(os.path.join(ROOT, "boards", board, "config_template.py"), str(d / "config.py"))
        # The examples are small and plain: full 'basic' type checking, so that every board API they
        # call (network.WLAN.PM_NONE, machine.reset, time.ticks_ms ...) exists in the board's stubs.
        rc, out = check("--only", config, "--basic", "--extra-path", str(d), str(d / "main.py"))
        assert rc == 0 and " 0 errors" in out, out


def test_checks_catch_missing_board_modules_and_undefined_names(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import logging\nimport network\nprint(undefined_name)\n")
    rc, out = check(str(bad))
    assert rc == 1, out
    lines = out.splitlines()
    board_lines = lines[lines.index([x for x in lines if x.startswith("pyright esp32")][0]):]
    text = "\n".join(board_lines)
    # On the boards: no logging module (CPython has it); on CPython: no network module (boards have it).
    assert 'Import "logging" could not be resolved' in text, out
    assert 'Import "network" could not be resolved' in text, out
    assert text.count('"undefined_name" is not defined') == 3, out
