"""The ESP32 and Pico W examples (boards/*/main.py) run on the MicroPython unix port, in a 128 KiB heap,
against the real local server.  Only the radio is simulated: the unix port has no ``network`` module,
so a small stand-in WLAN (written below into the board's directory) joins on its second
``connect()`` call, which exercises the examples' Wi-Fi timeout and retry path.  ``machine.reset``
ends the run with exit status 3, so a reset would show as a failure."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MPY = os.path.join(ROOT, "build", "mpy")

NETWORK_STANDIN = '''
# Stand-in for a board's network module on the unix port: the host's network is already up; the
# WLAN object only reports "connected" from its JOIN_AFTER-th connect() call on.
STA_IF = 0
JOIN_AFTER = 2
_calls = []
_country = []


class WLAN:
    PM_NONE = 16

    def __init__(self, interface):
        self.interface = interface

    def active(self, on=None):
        return True

    def config(self, *args, **kw):
        pass

    def connect(self, ssid, key):
        _calls.append((ssid, key))

    def isconnected(self):
        return len(_calls) >= JOIN_AFTER

    def disconnect(self):
        pass

    def ifconfig(self):
        return ("127.0.0.1", "255.0.0.0", "127.0.0.1", "127.0.0.1")


def country(code=None):
    if code is None:
        return _country[-1] if _country else "XX"
    _country.append(code)
'''

MACHINE_STANDIN = '''
import sys


def reset():
    print("machine.reset() called")
    sys.exit(3)
'''


def micropython_cmd():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else "micropython"


def run_example(board, addr, tmp_path):
    import build_mpy

    build_mpy.build(MPY, build_mpy.host_march(), quiet=True)
    d = tmp_path / board
    d.mkdir()
    (d / "network.py").write_text(NETWORK_STANDIN)
    (d / "machine.py").write_text(MACHINE_STANDIN)
    with open(os.path.join(ROOT, "boards", board, "main.py")) as f:
        (d / "main.py").write_text(f.read())
    with open(os.path.join(ROOT, "boards", board, "config_template.py")) as f:
        cfg = f.read()
    cfg += "\n# test settings\nSERVER = %r\nWIFI_TIMEOUT = 1\nWIFI_RETRIES = 3\nMESSAGES = 3\nINTERVAL = 0\n" % addr
    (d / "config.py").write_text(cfg)
    # The package through a link in the board's folder, and paths relative to it: MicroPython interns the
    # file name of every module it loads, so the heap must not depend on where the checkout or tmp lies.
    os.symlink(MPY, str(d / "lib"))
    env = dict(os.environ, MICROPYPATH=os.pathsep.join([".", "lib"]))
    proc = subprocess.run([micropython_cmd(), "-X", "heapsize=128K", "main.py"], cwd=str(d), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return proc.returncode, proc.stdout.decode(errors="replace")


def check_output(rc, out, addr):
    assert rc == 0, out
    lines = out.splitlines()
    assert "wifi: connecting to 'your-network' (attempt 1 of 3)" in lines, out
    assert "wifi: connecting to 'your-network' (attempt 2 of 3)" in lines, out
    assert "wifi: connecting to 'your-network' (attempt 3 of 3)" not in lines, out
    assert "wifi: connected, address 127.0.0.1" in lines, out
    assert "http: GET /hello -> 200 OK, 11 bytes: b'hello world'" in lines, out
    assert any(x.startswith("ws: connected to %s/ws" % addr) for x in lines), out
    for n in (1, 2, 3):
        assert "ws: echo %d ok" % n in lines, out
    assert "ws: closed with code 1000" in lines, out
    assert "machine.reset() called" not in out, out


def test_esp32_example_runs(live_servers, tmp_path):
    addr = live_servers.addresses["http"]
    rc, out = run_example("esp32", addr, tmp_path)
    check_output(rc, out, addr)


def test_pico_w_example_runs(live_servers, tmp_path):
    addr = live_servers.addresses["http"]
    rc, out = run_example("rp2-pico-w", addr, tmp_path)
    check_output(rc, out, addr)
