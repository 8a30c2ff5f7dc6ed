"""Every ```python block of README.md runs as written, on CPython and on the MicroPython unix port.

The blocks talk to the local servers at the fixed address of the README (``127.0.0.1:8765``, what
``tools/servers.py --port 8765`` gives a reader); here the servers of the test session listen on a
free port, so before a block runs every ``8765`` in it becomes that port (the ``http`` server,
MHC_HTTP; the host stays 127.0.0.1).  Nothing else of a block is changed.

Fence info strings choose where a block runs:
  ```python            both runtimes
  ```python cpython    CPython only (CPython-only APIs: typing, asyncio.timeout ...)
  ```python no-run     not run (a board's hardware: ``import network``, a remote server)
Each block runs in a fresh process in an empty directory (CPython: PYTHONPATH=firmware; MicroPython:
MICROPYPATH=the .mpy build of the package, as a board runs it), must exit with status 0 within 30 s,
and must not print a traceback.
"""

import os
import re
import subprocess
import sys

import pytest
from conftest import MPY_DIR, ROOT, build_mpy, micropython_cmd

README = os.path.join(ROOT, "README.md")
FIXED_PORT = "8765"
TIMEOUT = 30


def blocks():
    """[(line number, info words, code)] for every fenced block whose language is python."""
    out = []
    lines = open(README, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\S*)(.*)$", lines[i])
        if m is None:
            i += 1
            continue
        start, lang, words = i + 1, m.group(1), m.group(2).split()
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if lang == "python":
            out.append((start, words, "\n".join(body) + "\n"))
    return out


def cases():
    params = []
    for line, words, code in blocks():
        if "no-run" in words:
            continue
        runtimes = ["cpython"] if "cpython" in words else ["cpython", "micropython"]
        for rt in runtimes:
            params.append(pytest.param(rt, line, code, id="line%d-%s" % (line, rt)))
    return params


def test_readme_has_runnable_blocks():
    found = blocks()
    assert len(found) >= 10, found
    assert all(set(w) <= {"no-run", "cpython"} for _, w, _ in found), [w for _, w, _ in found]
    assert len(cases()) >= 2 * 10


@pytest.mark.parametrize("runtime,line,code", cases())
def test_readme_block(runtime, line, code, live_servers, tmp_path):
    port = os.environ["MHC_HTTP"].rsplit(":", 1)[1]
    assert FIXED_PORT in code or "8765" not in code
    src = tmp_path / "block.py"
    src.write_text(re.sub(r"\b%s\b" % FIXED_PORT, port, code), encoding="utf-8")
    env = dict(os.environ)
    if runtime == "cpython":
        env["PYTHONPATH"] = os.path.join(ROOT, "firmware")
        cmd = [sys.executable, str(src)]
    else:
        build_mpy()
        env["MICROPYPATH"] = os.pathsep.join([MPY_DIR, ".frozen"])
        cmd = [micropython_cmd(), str(src)]
    try:
        p = subprocess.run(cmd, env=env, cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError("README block at line %d did not end within %d s:\n%s"
                             % (line, TIMEOUT, (exc.stdout or b"").decode(errors="replace")))
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0 and "Traceback" not in out, "README block at line %d on %s:\n%s" % (line, runtime, out)
