"""An upgrade of a connection whose last redirect chain ended on another origin, that answer's body
left unread (a module of its own: the MicroPython test process of dual_http_redirects has no heap to
spare for the WebSocket's modules)."""

import microhttpc
from check import raises, server
from microhttpc.errors import ConnectionLost


def conn(**kw):
    host, port = server("http")
    return microhttpc.Connection(host, port, timeout=10, **kw)


def test_an_upgrade_after_another_origin_closes_that_connection():
    # The connection the chain ended on, its body unread, stayed open after an upgrade of this one and
    # after the WebSocket's end (only close() of the Connection closed it).  The upgrade closes it, as a
    # request does.
    import os

    def _open_fds():  # (dual_aio_tasks's, not imported: its module takes heap this test needs)
        try:
            return len(os.listdir("/proc/self/fd"))
        except (OSError, AttributeError):
            return None

    host2, port2 = server("http2")
    c = conn(follow_redirects=3)
    q = {"to": "http://%s:%d/bytes/100" % (host2, port2)}
    c.request("GET", "/redirect/302", query=q).read()
    before = _open_fds()
    kept = c.request("GET", "/redirect/302", query=q)  # (unread, kept)
    ws = c.upgrade("/ws")
    ws.send("x")
    assert ws.recv() == "x"
    ws.close()
    after = _open_fds()
    assert after is None or after - before <= 1, "%d sockets left after the WebSocket's end" % (after - before)
    raises(ConnectionLost, kept.read)
