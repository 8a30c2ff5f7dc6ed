"""WebSocket timeouts against hostile servers: ws_connect's default timeout is finite, a server that
never answers the upgrade, PINGs every 250 ms that must not stretch recv(timeout).  Bounds are generous:
these are hang checks, not performance tests."""

from check import raises, server
from pumps_ws import connect_ws, elapsed, per_layer, raw_server, ticks


def _run_aio(coro_fn):
    import asyncio

    return asyncio.new_event_loop().run_until_complete(asyncio.wait_for(coro_fn(), 20))


def _default_timeout(layer):
    # ws_connect without timeout=: the WebSocket's timeout is 30.0, as Connection's (not None).
    h, p = server("ws")
    url = "ws://%s:%d/" % (h, p)
    if layer == "blocking":
        from microhttpc.wsconnect import ws_connect

        ws = ws_connect(url)
        t = ws.timeout
        ws.close()
    else:
        from microhttpc import aio

        async def main():
            ws = await aio.ws_connect(url)
            await ws.close()
            return ws.timeout

        t = _run_aio(main)
    assert t == 30.0, t


def _ws_connect_times_out(layer, path):
    """ws_connect(timeout=1.0) to the raw server's ``path`` raises TimeoutError within 4 s (poll, which
    has no ws_connect: Engine.connect(timeout=1.0) + Engine.upgrade, the facade)."""
    from microhttpc.errors import TimeoutError

    h, p = raw_server()
    url = "ws://%s:%d%s" % (h, p, path)
    t0 = ticks()
    if layer == "blocking":
        from microhttpc.wsconnect import ws_connect

        raises(TimeoutError, ws_connect, url, timeout=1.0)
    elif layer == "aio":
        from microhttpc import aio

        async def main():
            try:
                await aio.ws_connect(url, timeout=1.0)
            except TimeoutError:
                return True
            return False

        assert _run_aio(main)
    else:
        raises(TimeoutError, connect_ws, "poll", h, p, path, timeout=1.0)
    assert elapsed(t0) < 4, elapsed(t0)


def _upgrade_never_answered(layer):
    # The server accepts TCP, reads the upgrade request and never answers: timeout=1.0 ends the wait
    # with TimeoutError.
    _ws_connect_times_out(layer, "/mute")


def _refused_upgrade_dribbled(layer):
    # The upgrade refused (401) with a body that comes a byte every 0.25 s: ws_connect's timeout=1.0
    # bounds the handshake as a whole (each read of the body was timed alone: 10 s), and so does a
    # connection's deadline= on every layer.  TimeoutError, not UpgradeRefused: the answer never came whole.
    from microhttpc.errors import TimeoutError

    if layer != "poll":  # (poll's timeout= is an inactivity bound: its deadline= below)
        _ws_connect_times_out(layer, "/refused-drip")
    h, p = raw_server()
    t0 = ticks()
    raises(TimeoutError, connect_ws, layer, h, p, "/refused-drip", timeout=5, conn_kw={"deadline": 1.0})
    assert elapsed(t0) < 4, elapsed(t0)


def _recv_timeout_with_pings(layer):
    # A PING every 250 ms and never a message: recv(timeout=1.0) raises TimeoutError after about 1 s
    # (the PINGs must not restart it), and the connection stays open.
    from microhttpc.errors import TimeoutError

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/ping250")
    ws.guard = 8  # aio: a recv that the PINGs keep alive fails after 8 s instead of hanging
    t0 = ticks()
    e = raises(TimeoutError, ws.recv, 1.0)
    assert elapsed(t0) < 3, elapsed(t0)
    assert "1.0 s" in str(e), e  # the call's timeout (aio named what was left of it at the last read)
    assert not ws.closed
    ws.send("still open")
    assert ws.recv(5) == "still open"
    ws.close()
    assert ws.close_code == 1000


# poll has no ws_connect, so no default to check: blocking and aio only.
per_layer(globals(), "ws_connect_default_timeout_is_30", _default_timeout, ("blocking", "aio"))
per_layer(globals(), "upgrade_never_answered_times_out", _upgrade_never_answered)
per_layer(globals(), "refused_upgrade_body_bounded", _refused_upgrade_dribbled)
# poll: the timeout= of Engine.upgrade is an idle timeout that closes the WebSocket, and a recv with a
# timeout would be the facade's own bounded loop: nothing of the layer's to check, so not run there.
per_layer(globals(), "recv_timeout_not_stretched_by_pings", _recv_timeout_with_pings, ("blocking", "aio"))


def _a_server_that_reads_nothing_cannot_stall_us(layer):
    """A server that floods PINGs and reads nothing: our PONGs fill the socket.  Blocking and aio:
    recv(timeout=2.0) fails within about those seconds although the WebSocket's timeout is 12 s (each
    PONG write waited up to the WebSocket's timeout, with timeout=None forever), and close() with
    close_timeout=1.0 is as quick.  poll: the PONGs waiting to be written stay bounded (they piled up
    by millions, a MemoryError on a board) and the engine's timeout (1 s) ends the connection."""
    from microhttpc.errors import ConnectionClosed, TimeoutError

    h, p = raw_server()
    if layer == "poll":
        ws = connect_ws(layer, h, p, "/pingflood-noread", timeout=1.0)
        # A small send buffer (no autotuning up to megabytes): the PONGs fill it at once, on a busy
        # machine too (the premise of the test).
        import socket

        ws.conn.sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_SNDBUF", 7), 8192)  # (7: Linux)
        t0 = ticks()
        e = raises((TimeoutError, ConnectionClosed), ws.recv, 6)
        assert elapsed(t0) < 4, (elapsed(t0), e)
        assert len(ws.conn._out) <= 64, len(ws.conn._out)
        assert any(isinstance(x, TimeoutError) for x in ws.errors), ws.errors
        return
    for recv_timeout in (2.0, None):
        ws = connect_ws(layer, h, p, "/pingflood-noread", timeout=12, close_timeout=1.0,
                        **({} if recv_timeout else {"ping_interval": 1.0, "ping_timeout": 1.0}))
        ws.guard = 15
        t0 = ticks()
        raises(TimeoutError, ws.recv, recv_timeout)
        # 2.0: the call's own bound; None: no write waits longer than the keepalive's 2 s, once the
        # socket is full (a second or two of flood; on a loaded machine filling it took up to 8.7 s in
        # all, aio on MicroPython): under the WebSocket's 12 s timeout, which a write waited before
        limit = 3.5 if recv_timeout else 11
        assert elapsed(t0) < limit, (recv_timeout, elapsed(t0))
        ws.close()
        assert elapsed(t0) < limit + 1.5, (recv_timeout, elapsed(t0))
    ws = connect_ws(layer, h, p, "/pingflood-noread", timeout=12, close_timeout=1.0)
    ws.guard = 15
    raises(TimeoutError, ws.recv, 1.5)  # (the PONGs fill the socket meanwhile)
    t0 = ticks()
    ws.close()  # the Close waits at most close_timeout
    assert elapsed(t0) < 3, elapsed(t0)


per_layer(globals(), "a_server_that_reads_nothing_cannot_stall_us", _a_server_that_reads_nothing_cannot_stall_us)


def _recv_timeout_bounds_the_wind_down(layer):
    # The server's Close, then its TCP connection kept open (/bye-then-hold): recv(1) echoed the Close
    # and waited for the TCP close as long as close_timeout (5 s); the call's timeout bounds it all.
    from microhttpc.errors import ConnectionClosed
    from pumps_ws import connect_ws, elapsed, raw_server, ticks

    h, p = raw_server()
    ws = connect_ws(layer, h, p, "/bye-then-hold", close_timeout=5)
    t0 = ticks()
    e = raises(ConnectionClosed, ws.recv, 1)
    took = elapsed(t0)
    assert e.code == 1001 and took < 3, (e.code, took)
    assert ws.closed


per_layer(globals(), "recv_timeout_bounds_the_wind_down", _recv_timeout_bounds_the_wind_down, ("blocking", "aio"))
