"""CPython, blocking, TLS: an interrupt (Ctrl-C) that lands in ``net.Stream.readable()`` just after the
TLS socket was made non-blocking for its probe left the socket so, while the stream's cached timeout
still said 5 s: the next request on the same Connection failed at once with TimeoutError although the
server had answered (an outside hunt: 6 of ~4,400 real SIGINTs, all there).  The interrupt is made to
land there by the socket itself, a real one (the probe's own call raises it once the mode is set).
MicroPython's readable() polls and never changes the socket's mode; plain TCP selects."""

import os

from microhttpc import Connection


class _Interrupting:
    """The TLS socket, whose first switch to non-blocking mode is followed by a KeyboardInterrupt."""

    def __init__(self, sock):
        self._sock = sock
        self.armed = True

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def _then(self):
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt("after the switch to non-blocking")

    def setblocking(self, flag):
        self._sock.setblocking(flag)
        if not flag:
            self._then()

    def settimeout(self, t):
        self._sock.settimeout(t)
        if t == 0:
            self._then()


def test_an_interrupt_in_the_idle_probe_leaves_the_connection_usable(live_servers):
    host, port = os.environ["MHC_TLS"].rsplit(":", 1)
    with open(os.environ["MHC_TLS_CA"], "rb") as f:
        ca = f.read()
    c = Connection(host, int(port), tls=True, cadata=ca, server_hostname="localhost", timeout=5)
    assert c.request("GET", "/hello").read() == b"hello world"
    probe = c.stream.sock = _Interrupting(c.stream.sock)
    try:
        c.request("GET", "/hello")
        raise AssertionError("the probe was not interrupted")
    except KeyboardInterrupt:
        pass
    assert not probe.armed
    # (it was left 0.0: non-blocking; restored to what is left of the connection's 5 s: 4.999 on a loaded
    # machine, where an exact 5 failed a CI run here)
    assert 4 < probe.gettimeout() <= 5, probe.gettimeout()
    r = c.request("GET", "/hello")
    assert (r.status, r.read()) == (200, b"hello world")
    c.close()
