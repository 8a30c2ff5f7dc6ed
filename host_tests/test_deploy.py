"""Deploying onto a virtual board: the MicroPython unix port on a pseudo-terminal (tools/vboard.py),
driven by mpremote exactly as a USB-serial board is.

- tools/deploy.py --board unix --mpy --main puts the package and the example on the board, and
  ``import microhttpc`` works there;
- the board's example (boards/unix/main.py) then runs on the board against the local server, and its
  WebSocket session survives a server restart (a relay in front of the real server goes down and
  comes back on the same port) by reconnecting with backoff;
- ``mpremote mip install ./package.json`` installs the package from a checkout;
- deploy errors are clear.

Every wait is bounded; the only processes started are the board, mpremote and deploy.py, each
stopped by its own handle.
"""

import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

import vboard

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "tools", "deploy.py")
PKG = os.path.join(ROOT, "firmware", "microhttpc")
CPYTHON_ONLY = ("_cpython.py", "_cpyaio.py")  # (tools/deploy.py: not copied to a board)


def mpremote_cmd():
    here = os.path.join(os.path.dirname(sys.executable), "mpremote")
    return here if os.path.exists(here) else "mpremote"


def mpremote(vb, *args, timeout=60):
    proc = subprocess.run([mpremote_cmd(), "connect", vb.port, "resume"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, cwd=ROOT)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, "mpremote %s failed:\n%s\nboard log:\n%s" % (
        " ".join(args), out, bytes(vb.log).decode(errors="replace"))
    return out


def deploy(*args, timeout=180):
    proc = subprocess.run([sys.executable, DEPLOY] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout, cwd=ROOT)
    return proc.returncode, proc.stdout.decode(errors="replace")


def firmware_version():
    ns = {}
    with open(os.path.join(PKG, "__init__.py")) as f:
        for line in f:
            if line.startswith("__version__"):
                exec(line, ns)
    return ns["__version__"]


class RestartableRelay:
    """A TCP relay on 127.0.0.1 in front of the real server; ``restart()`` drops every connection,
    stops listening for a while (connects are refused, as while a server restarts) and listens again
    on the same port."""

    def __init__(self, target):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.lsock = self._listen(0)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.accepted = 0
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @staticmethod
    def _listen(port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(8)
        return s

    def _serve(self):
        while self.running:
            with self.lock:
                lsock = self.lsock
                pairs = list(self.conns)
            fds = [lsock] if lsock is not None else []
            for a, b in pairs:
                fds += [a, b]
            try:
                r, _, _ = select.select(fds, [], [], 0.1)
            except (OSError, ValueError):
                continue  # a socket was closed under us by restart(): next round
            for s in r:
                if s is lsock:
                    try:
                        c, _ = lsock.accept()
                        u = socket.create_connection(self.target, timeout=5)
                    except OSError:
                        continue
                    with self.lock:
                        self.conns.append((c, u))
                        self.accepted += 1
                    continue
                for a, b in pairs:
                    if s is a or s is b:
                        other = b if s is a else a
                        try:
                            data = s.recv(65536)
                            if data:
                                other.sendall(data)
                                continue
                        except OSError:
                            pass
                        self._drop((a, b))

    def _drop(self, pair):
        with self.lock:
            if pair in self.conns:
                self.conns.remove(pair)
        for s in pair:
            try:
                s.close()
            except OSError:
                pass

    def restart(self, down=4.0):
        with self.lock:
            lsock, self.lsock = self.lsock, None
            pairs, self.conns = self.conns, []
        lsock.close()
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        time.sleep(down)  # connection refused meanwhile
        new = self._listen(self.port)
        with self.lock:
            self.lsock = new

    def close(self):
        self.running = False
        self.thread.join(5)
        with self.lock:
            socks = [self.lsock] if self.lsock else []
            for pair in self.conns:
                socks += list(pair)
        for s in socks:
            s.close()


def run_on_board(vb, code, on_line=None, timeout=120):
    """``mpremote exec`` on the board, streaming its output lines to ``on_line``; returns the output."""
    proc = subprocess.Popen([mpremote_cmd(), "connect", vb.port, "resume", "exec", code], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=ROOT)
    lines = []
    timer = threading.Timer(timeout, proc.kill)  # bound the whole run; kills only this mpremote
    timer.start()
    try:
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            lines.append(line)
            if on_line is not None:
                on_line(line)
        proc.wait(10)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    out = "\n".join(lines)
    assert proc.returncode == 0, "board run failed (rc %s):\n%s" % (proc.returncode, out)
    return out


def test_deploy_mpy_then_example_survives_server_restart(live_servers):
    relay = RestartableRelay(live_servers.addresses["http"])
    board_server = "127.0.0.1:%d" % relay.port
    try:
        with vboard.VirtualBoard(heap="128K", env={"MHC_SERVER": board_server}) as vb:
            # A __pycache__ folder a `mpremote cp -r firmware/microhttpc :lib/` brought along: removed
            # with the other leftovers (the deploy failed on it, EISDIR, for good).
            stale = os.path.join(vb.root, "lib", "microhttpc", "__pycache__")
            os.makedirs(stale)
            with open(os.path.join(stale, "client.cpython-311.pyc"), "wb") as f:
                f.write(b"\0" * 100)
            rc, out = deploy("--port", vb.port, "--board", "unix", "--mpy", "--main")
            assert rc == 0, out
            assert "[5/5]" in out and "imports on the board" in out, out
            assert not os.path.exists(stale)

            # What the board's filesystem now holds: .mpy files for every module a board imports (not
            # CPython's), and the example.
            names = sorted(n[:-3] for n in os.listdir(PKG) if n.endswith(".py") and n not in CPYTHON_ONLY)
            on_board = sorted(n[:-4] for n in os.listdir(os.path.join(vb.root, "lib", "microhttpc")))
            catalogs = [n for n in on_board if re.match(r"_t[0-9]+$", n)]  # error texts (tools/build_mpy.py)
            assert catalogs and [n for n in on_board if n not in catalogs] == names, (on_board, names)
            assert os.path.exists(os.path.join(vb.root, "main.py"))

            # `import microhttpc` on the board (its own REPL, its own heap).
            out = mpremote(vb, "exec", "import microhttpc, sys; print('mhc', microhttpc.__version__, "
                                       "sys.implementation.name, microhttpc.Connection.__name__)")
            assert "mhc %s micropython Connection" % firmware_version() in out, out

            # The example needs a config.py: the template (5 messages), 2 s apart so that the restart
            # below, triggered by the second echo, lands well inside the session even on a slow machine.
            with open(os.path.join(ROOT, "boards", "unix", "config_template.py")) as f:
                cfg = f.read() + "\nINTERVAL = 2\n"
            with open(os.path.join(vb.root, "config.py"), "w") as f:  # the board's filesystem
                f.write(cfg)

            # Press "reset": the unix port never soft-resets under mpremote, so everything the deploy
            # imported would still fill the 128 KiB heap.  A board boots with an empty one.
            vb.reset()

            restarted = []

            def on_line(line):
                if line == "ws: echo 2 ok" and not restarted:
                    restarted.append(True)
                    relay.restart()

            out = run_on_board(vb, "import main", on_line=on_line, timeout=120)
    finally:
        relay.close()

    print(out)  # shown by pytest on failure (and with -s)
    lines = out.splitlines()
    assert "http: GET /hello -> 200 OK, 11 bytes: b'hello world'" in lines, out
    assert restarted, "the example never reached its second echo:\n" + out
    for n in range(1, 6):
        assert "ws: echo %d ok" % n in lines, out
    lost = [i for i, line in enumerate(lines) if line.startswith("ws: connection lost")]
    connected = [i for i, line in enumerate(lines) if line.startswith("ws: connected to %s/ws" % board_server)]
    assert lost, "the restart was not noticed:\n" + out
    assert len(connected) >= 2 and connected[-1] > lost[0], "no reconnect after the restart:\n" + out
    assert lines.index("ws: echo 2 ok") < lost[0] < lines.index("ws: echo 5 ok"), out  # resumed after it
    # Backoff (microhttpc.reconnect): the delays announced after consecutive failures double (1 s, 2 s,
    # ...), each times a jitter of 1 to 1.25.
    delays = [float(lines[i].rsplit("reconnecting in ", 1)[1].split()[0]) for i in lost]
    assert all(2 ** k <= d <= 1.25 * 2 ** k + 0.05 for k, d in enumerate(delays)), delays
    assert "ws: closed with code 1000" in lines, out
    assert "done: 5 messages echoed" in lines[-1], out
    assert relay.accepted >= 3  # the GET, the first session, the session after the restart


def test_mip_install_from_checkout():
    # The local route of the README: `mpremote mip install ./package.json` from the repository root.
    # The board gets the .py sources; compiling them on the board needs more than 128 KiB of heap.
    with vboard.VirtualBoard(heap="1M") as vb:
        out = mpremote(vb, "mip", "install", "./package.json", timeout=120)
        assert "Done" in out, out
        dest = os.path.join(vb.root, "lib", "microhttpc")
        for name in os.listdir(PKG):
            if name.endswith(".py") and name not in CPYTHON_ONLY:
                with open(os.path.join(PKG, name), "rb") as a, open(os.path.join(dest, name), "rb") as b:
                    assert a.read() == b.read(), name
        out = mpremote(vb, "exec", "import microhttpc; from microhttpc import client, websocket; "
                                   "print('mhc', microhttpc.__version__)")
        assert "mhc " + firmware_version() in out, out


def test_deploy_errors_are_clear():
    rc, out = deploy("--port", "/dev/this-board-is-not-plugged-in", "--board", "esp32", "--mpy")
    assert rc == 1, out
    assert "does not exist" in out and "mpremote devs" in out, out

    rc, out = deploy("--board", "rp2")
    assert rc == 1 and "no --port given" in out, out

    # A port where no MicroPython answers: a pseudo-terminal with nothing behind it.
    import pty

    master, slave = pty.openpty()
    try:
        rc, out = deploy("--port", os.ttyname(slave), "--board", "rp2350", "--mpy", timeout=200)
    finally:
        os.close(master)
        os.close(slave)
    assert rc == 1, out
    assert "does not answer the raw REPL" in out, out
    assert "armv7emsp" in out  # --board rp2350 compiled for the Pico 2 W's Cortex-M33


def test_deploy_dry_run_names_every_step():
    rc, out = deploy("--board", "esp32", "--mpy", "--main", "--dry-run")
    assert rc == 0, out
    assert "-march=xtensawin" in out
    for step in ("[1/5]", "[2/5]", "[3/5]", "[4/5]", "[5/5]"):
        assert step in out, out
    assert "fs cp" in out and ":lib/microhttpc/" in out and ":main.py" in out, out
    assert "resume" not in out  # real boards get mpremote's usual soft reset; only the unix port needs resume
