"""Keepalive (ping_interval= / ping_timeout=) on every layer, against the raw server: PINGs go out
while the application waits in recv(); a peer that never answers them (/nopong) fails the connection
with TimeoutError and a Close 1011; the rule itself (keepalive.Keepalive) with a fake clock.  Time
bounds are hang checks, not performance checks."""

from check import raises, server, tls_ca
from pumps_ws import connect_ws, elapsed, per_layer, raw_server, seen, sent_close_code, ticks

# A pass that ran each MicroPython test with 1 to 8 KiB less heap found these failing 1 to 2 KiB under
# 128K (a CI run here is as close: a few hundred bytes of the package's growth would fail them)
MICROPYTHON_HEAPS = {
    "test_keepalive_pings_while_in_recv_poll": "136K",  # (the second WebSocket's upgrade beside the first's engine)
    "test_keepalive_pings_while_in_recv_over_tls_aio": "136K",  # (the second connection's handshake module)
}


def _pings_while_in_recv(layer, tls=False):
    # A PING every 0.3 s while the application sits in one recv(1.6) that gets no message: the raw
    # server (which answers each PING) counts them.  Without ping_interval none goes out.  Over TLS
    # too: on MicroPython the blocking WebSocket's reads between frames bypassed the keepalive's
    # stream and failed every recv() and close() with an AttributeError.
    from microhttpc.errors import TimeoutError

    h, p = server("tlswsraw") if tls else raw_server()
    kw = {"conn_kw": {"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"}} if tls else {}
    path = "/ka?" + layer + ("-tls" if tls else "")
    ws = connect_ws(layer, h, p, path, ping_interval=0.3, ping_timeout=5, **kw)
    raises(TimeoutError, ws.recv, 1.6)
    assert not ws.closed  # the PONGs came: the connection is fine
    ws.send("still open")
    assert ws.recv(5) == "still open"
    ws.close()
    ws = None  # (its Engine goes before seen()'s comes: on MicroPython's 128 KiB the new Engine's 2 KiB
    # buffer found no block in 1 of 4 runs)
    got = [f for f in seen(layer, path) if f.startswith("9:")]
    assert len(got) >= 3, got  # about 5; fewer only on a very slow machine
    assert got[:3] == ["9:ka1", "9:ka2", "9:ka3"], got

    path = "/noka?" + layer + ("-tls" if tls else "")
    ws = connect_ws(layer, h, p, path, **kw)
    raises(TimeoutError, ws.recv, 0.8)
    ws.close()
    ws = None
    assert [f for f in seen(layer, path) if f.startswith("9:")] == []


def _silent_peer_fails(layer):
    # /nopong reads every frame and never answers a PING: within ping_interval + ping_timeout (plus
    # slack) the connection fails with TimeoutError, sends Close 1011, closes, and reports once.
    from microhttpc.errors import ConnectionClosed, TimeoutError

    h, p = raw_server()
    path = "/nopong?" + layer
    closes = []
    ws = connect_ws(layer, h, p, path, ping_interval=0.5, ping_timeout=1.0,
                    on_close=lambda code, reason: closes.append(code))
    t0 = ticks()
    if layer == "poll":
        # No recv() on this layer: the engine's timer fails the connection; on_err gets the error.
        exc = raises(ConnectionClosed, ws.recv, 10)
        assert isinstance(exc.cause, TimeoutError), exc.cause
        assert isinstance(ws.conn.error, TimeoutError), ws.conn.error
    else:
        exc = raises(TimeoutError, ws.recv, 10)
    t = elapsed(t0)
    assert 1.2 < t < 6, t  # 0.5 s to the PING, 1 s for its PONG
    assert "no PONG within 1.0 s" in str(exc if layer != "poll" else exc.cause), exc
    assert ws.closed
    assert closes == [1006], closes  # on_close once (no Close frame came from the server)
    if layer != "aio":  # the aio facade takes no on_err
        assert len(ws.errors) == 1 and isinstance(ws.errors[0], TimeoutError), ws.errors
    exc = raises(ConnectionClosed, ws.recv, 1)  # later: closed, and why
    assert exc.code == 1006 and exc.sent_code == 1011 and isinstance(exc.cause, TimeoutError), exc
    ws = exc = None  # (its engine and buffers may go: the checks below open a connection of their own)
    assert sent_close_code(layer, path) == 1011
    got = seen(layer, path)
    assert got[0] == "9:ka1" and got[-1].startswith("8:"), got  # the PING, nothing, then our Close


def _silent_peer_fails_between_short_recvs(layer):
    """An application that polls with recv(0) or recv(0.001) between its other work: the PONG that
    does not come still fails the connection, with the keepalive's TimeoutError (recv(0) never checked
    it: the peer was never found dead; recv(0.001) on asyncio often gave "no message within" in its
    place, and the next call ConnectionClosed)."""
    import time

    from microhttpc.errors import ConnectionClosed, TimeoutError

    h, p = raw_server()
    for t in (0, 0.001):
        ws = connect_ws(layer, h, p, "/nopong?%s-%s" % (layer, t), ping_interval=0.3, ping_timeout=0.5)
        t0, got = ticks(), None
        while got is None and elapsed(t0) < 6:
            try:
                ws.recv(t)
            except TimeoutError as exc:
                if "no message" not in str(exc):
                    got = exc
            except ConnectionClosed as exc:
                got = exc
            time.sleep(0.01)
        assert isinstance(got, TimeoutError) and "no PONG within 0.5 s" in str(got), (t, got)
        assert ws.closed
        ws.close()


per_layer(globals(), "keepalive_pings_while_in_recv", _pings_while_in_recv)
per_layer(globals(), "keepalive_silent_peer_fails_between_short_recvs", _silent_peer_fails_between_short_recvs,
          ("blocking", "aio"))
# (not poll's: the engine, TLS, a WebSocket and the keepalive at once need more than this 128K heap)
per_layer(globals(), "keepalive_pings_while_in_recv_over_tls", lambda layer: _pings_while_in_recv(layer, True),
          ("blocking", "aio"))
per_layer(globals(), "keepalive_silent_peer_fails", _silent_peer_fails)


class _Clock:
    def __init__(self):
        self.t = 1000

    def ticks_ms(self):
        return self.t

    def ticks_diff(self, a, b):
        return a - b


class _WS:
    """What Keepalive uses of a WebSocket: ``protocol`` and ``_report_err``."""

    def __init__(self):
        from microhttpc import rfc6455

        self.protocol = rfc6455.Protocol(rng=lambda n: b"\x00" * n)
        self.errors = []

    def _report_err(self, exc):
        self.errors.append(exc)


def test_keepalive_rule_with_a_fake_clock():
    from microhttpc.errors import TimeoutError, UsageError
    from microhttpc.keepalive import Keepalive

    c = _Clock()
    w = _WS()
    ka = Keepalive(w, 2, 1.5, c)
    assert ka.left() == 2000 and ka.step() == 2000 and w.protocol.data_to_send() == ()
    c.t += 2000
    assert ka.step() == 1500  # the PING went out; its PONG has 1.5 s
    frames = w.protocol.data_to_send()
    assert len(frames) == 1 and frames[0][0] == 0x89 and frames[0][1] == 0x80 | 3, frames  # PING "ka1"
    c.t += 1000
    ka.pong(b"other")  # not its payload: still waiting
    assert ka.left() == 500 and not ka.late()
    ka.pong(b"ka1")
    assert ka.left() == 1000  # the next PING 2 s after the previous one
    c.t += 1000
    assert ka.step() == 1500 and ka.pings == 2
    w.protocol.data_to_send()
    c.t += 1499
    assert not ka.late()
    c.t += 1
    assert ka.late()
    exc = ka.fail()
    assert isinstance(exc, TimeoutError) and str(exc) == "no PONG within 1.5 s", exc
    assert w.errors == [exc] and w.protocol.close_sent == 1011 and w.protocol.failure is exc
    assert ka.step() <= 0 and w.protocol.data_to_send()[0][0] == 0x88  # the Close; no PING after it

    # ping_timeout=None: PINGs only, never a failure
    ka = Keepalive(_WS(), 1, None, c)
    c.t += 1000
    assert ka.step() == 1000 and ka.pings == 1 and not ka.late()
    raises(UsageError, Keepalive, _WS(), 0.0 - 1, 1, c)
    raises(UsageError, Keepalive, _WS(), 1, 0, c)
