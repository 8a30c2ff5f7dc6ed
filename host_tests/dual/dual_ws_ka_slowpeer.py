"""A keepalive (``ping_interval``/``ping_timeout``) does not fail a healthy connection while one large
message of ours goes out to a peer that takes every byte, slowly (found by an outside hunt: 30 MB to
a server reading 2 MB/s failed after 2 s on every layer).  The blocking and asyncio layers bounded
every write by the keepalive's patience (interval + timeout) even with a ``timeout`` set: now the
``timeout`` bounds it, and the patience only a WebSocket with none (dual_ws_ka_send).  poll counted
the PONG's deadline from when its PING was queued, behind the message: now from when it is written.
Both runtimes."""

MICROPYTHON_HEAP = "3M"  # the 600 KB message and its frame

from pumps_ws import connect_ws, elapsed, per_layer, raw_server, ticks

N = 600000  # about 3.7 s at the server's 160 KB/s: more than the patience (2.5 s)


def _small_send_buffer(layer, ws):
    """A send buffer of 8 KiB (the kernel's autotuning off) under the layer's WebSocket: the message
    waits for the server, instead of going into the kernel's buffers at once."""
    if layer == "blocking":
        sock = getattr(ws.stream, "s", ws.stream).raw  # (under the keepalive's wrapper)
    elif layer == "poll":
        sock = ws.conn.sock
    else:
        sock = ws.conn._writer
        sock = sock.get_extra_info("socket") if hasattr(sock, "get_extra_info") else sock  # (CPython: the transport)
    sock.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers)


def _a_slow_peer_is_alive(layer):
    h, p = raw_server()
    # (ping_timeout 2 s: what the kernels and the server's reader hold when the send returns, up to about
    # 150 KB, goes before the PONG)
    ws = connect_ws(layer, h, p, "/slowread", timeout=30, ping_interval=0.5, ping_timeout=2, close_timeout=2)
    _small_send_buffer(layer, ws)
    t0 = ticks()
    ws.send(bytes(N))
    took = elapsed(t0)
    assert ws.recv(10) == "got %d" % N
    ws.send("x")
    assert ws.recv(10) == "got 1"
    ws.close()
    assert ws.close_code == 1000, ws.close_code
    assert took > 2.5, took  # (the case: longer than the patience; a send into large kernel buffers is not)


per_layer(globals(), "a_slow_peer_is_alive", _a_slow_peer_is_alive)


def test_poll_a_peer_that_takes_nothing_is_dead_behind_our_message(pong=1):
    """poll, the other side: a PING queued behind a message the server never takes is not written, and
    its PONG not due; the patience from the last write that went on ends it all the same (with the
    engine's timeout None it stayed open for good: the first version of the fix above)."""
    from microhttpc.errors import TimeoutError
    from microhttpc.poll import Engine
    from pumps_ws import elapsed, ticks

    h, p = raw_server()
    e = Engine(timeout=None)
    conn = e.connect(h, p)
    opened, errs, done = [], [], []
    ws = e.upgrade(conn, "/noread", on_open=opened.append, on_err=errs.append, ping_interval=0.5,
                   ping_timeout=pong)
    try:
        assert e.run(until=lambda: opened or conn.closed, timeout=5) and opened, (conn.error, errs)
        conn.sock.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers): the message waits
        ws.send(bytes(200000), on_tx_complete=done.append)
        t0 = ticks()
        assert e.run(until=lambda: conn.closed, timeout=8), "still open after 8 s"
        assert elapsed(t0) < 6, elapsed(t0)  # (patience 1.5 s, from the last write that went on)
        assert done == [False] and any(isinstance(x, TimeoutError) for x in errs), (done, errs)
    finally:
        e.close(conn, abort=True)
        e.run(timeout=2)


def test_poll_a_peer_that_takes_nothing_is_dead_without_a_pong_timeout():
    """``ping_timeout=None`` awaits no PONG, but a write still waits at most the patience (2 x
    ``ping_interval``), as on the blocking and asyncio layers (poll never failed it: the connection
    stayed open for good with the engine's timeout None)."""
    test_poll_a_peer_that_takes_nothing_is_dead_behind_our_message(None)


def _poll_ka(path, **kw):
    from microhttpc.poll import Engine

    h, p = raw_server()
    e = Engine(timeout=None)
    conn = e.connect(h, p)
    opened, errs, done = [], [], []
    ws = e.upgrade(conn, path, on_open=opened.append, on_err=errs.append, ping_interval=0.5, ping_timeout=1, **kw)
    assert e.run(until=lambda: opened or conn.closed, timeout=5) and opened, (conn.error, errs)
    conn.sock.setsockopt(1, 7, 8192)  # SOL_SOCKET, SO_SNDBUF (Linux numbers): the message waits
    return e, conn, ws, errs, done


def test_poll_an_application_away_does_not_fail_a_slow_peer():
    """The application does not come back to poll() for longer than the patience while its PING waits
    behind the message; the server took what the socket held meanwhile: the round writes before it
    judges (the first version of the check above failed the connection at once)."""
    import time

    e, conn, ws, errs, done = _poll_ka("/slowread")
    try:
        ws.send(bytes(N), on_tx_complete=done.append)
        assert e.run(until=lambda: ws._ka._sent is True or conn.closed, timeout=5)  # the PING waits behind it
        time.sleep(2)  # (patience 1.5 s)
        assert e.run(until=lambda: done or conn.closed, timeout=30)
        assert done == [True] and not errs, (done, errs)
    finally:
        e.close(conn, abort=True)
        e.run(timeout=2)


def test_poll_a_peer_that_sends_but_takes_nothing_is_dead_behind_our_message():
    """Reads do not count as our writes going on: a server that sends a message every 0.2 s and reads
    nothing was never failed while our message waited (the check counted the time from the last read)."""
    from microhttpc.errors import TimeoutError
    from pumps_ws import elapsed, ticks

    e, conn, ws, errs, done = _poll_ka("/chatty-noread")
    try:
        ws.send(bytes(200000), on_tx_complete=done.append)
        t0 = ticks()
        assert e.run(until=lambda: conn.closed, timeout=8), "still open after 8 s"
        assert elapsed(t0) < 6, elapsed(t0)
        assert done == [False] and any(isinstance(x, TimeoutError) for x in errs), (done, errs)
    finally:
        e.close(conn, abort=True)
        e.run(timeout=2)
