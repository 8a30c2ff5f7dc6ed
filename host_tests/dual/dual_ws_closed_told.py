"""The blocking WebSocket's ``closed`` and ``on_close`` agree: the poll() that closes the connection
(the server's Close, a fault) calls ``on_close`` too, so ``while not ws.closed: ws.poll()`` sees it
(``closed`` was True one poll() before on_close, which that loop never made).  Both runtimes."""

from check import server


def _loop(path, **kw):
    from microhttpc import ws_connect

    h, p = server("wsraw")
    ev = []
    ws = ws_connect("ws://%s:%d%s" % (h, p, path), timeout=10, on_msg=ev.append,
                    on_close=lambda c, r: ev.append(("close", c, r)), **kw)
    n = 0
    while not ws.closed:
        ws.poll(0.5)
        n += 1
        assert n < 40, ev
    return ws, ev


def test_poll_loop_sees_on_close_of_server_close():
    ws, ev = _loop("/msgthenclose")
    assert ev == ["last words", ("close", 1000, "done")], ev
    assert ws.close_code == 1000


def test_poll_loop_sees_on_close_of_fault():
    errs = []
    ws, ev = _loop("/msgthenfault", on_err=errs.append)
    assert ev[0] == "hello" and ev[1][:2] == ("close", 1006) and len(ev) == 2, ev
    assert len(errs) == 1 and ws.close_code == 1006, errs


def test_recv_after_on_close_still_gives_messages_then_closed():
    # Whole messages: recv() hands over the message that came with the Close, then ConnectionClosed;
    # on_close once.
    from microhttpc import ws_connect
    from microhttpc.errors import ConnectionClosed

    h, p = server("wsraw")
    ev = []
    ws = ws_connect("ws://%s:%d/msgthenclose" % (h, p), timeout=10, on_close=lambda c, r: ev.append((c, r)))
    assert ws.recv() == "last words"
    try:
        ws.recv()
        raise AssertionError("no ConnectionClosed")
    except ConnectionClosed as exc:
        assert exc.code == 1000 and exc.reason == "done", exc
    ws.close()
    assert ev == [(1000, "done")], ev


def test_poll_loop_sees_on_close_of_reset_met_by_a_write():
    # The PONG of a poll() met the server's reset: the socket closed in that poll(), which returned
    # True with no on_close (it came only with a later call).
    import time

    from microhttpc import ws_connect

    h, p = server("wsraw")
    ev = []
    ws = ws_connect("ws://%s:%d/ping-reset" % (h, p), timeout=10, on_ping=lambda d: ev.append(d),
                    on_close=lambda c, r: ev.append(("close", c, r)))
    time.sleep(0.5)  # the PING and the reset are both here
    n = 0
    while not ws.closed:
        ws.poll(0.5)
        n += 1
        assert n < 40, ev
    assert ev and ev[-1] == ("close", 1006, ""), ev
