"""The poll Engine's on_tx_complete callbacks that raise as a connection ends (both runtimes; a
module of its own: in dual_hostile_ws_api its code took the 128K heap's room for that module's poll
tests).  They are reported as other callbacks' exceptions are."""

from check import raises
from pumps_ws import raw_server


def test_poll_on_tx_complete_raising_as_the_connection_ends():
    # Frames that can't be written (the server reset the connection before they went out): each one's
    # on_tx_complete(False) is called, and one that raises leaves poll() after every report, as any
    # callback's exception does.  It was called outside the reports: on_err and on_close, of the
    # WebSocket and of the connection, were never made.
    import time

    from microhttpc.poll import Engine

    h, p = raw_server()
    e = Engine(timeout=5)
    log = []
    conn = e.connect(h, p, on_err=lambda c, x: log.append("conn err"), on_close=lambda c, x: log.append("conn close"))
    opened = []
    ws = e.upgrade(conn, "/reset", on_open=opened.append, on_err=lambda x: log.append("ws err"),
                   on_close=lambda c, r: log.append(("ws close", c)))
    assert e.run(until=lambda: opened or conn.closed, timeout=5) and opened
    time.sleep(0.4)  # (the server resets the connection 0.1 s after the 101)

    def tx(ok):
        log.append(("tx", ok))
        raise RuntimeError("on_tx_complete failed")

    ws.send("one", on_tx_complete=tx)
    ws.send("two", on_tx_complete=tx)
    raises(RuntimeError, e.run, until=lambda: conn.closed, timeout=5)
    assert conn.closed and log == [("tx", False), ("tx", False), "ws err", ("ws close", 1006), "conn err",
                                   "conn close"], log


def test_poll_on_tx_complete_raising_in_the_ends_last_writes():
    # The reply queued to the server's last message goes out as the connection ends (the server closed
    # TCP after it): an on_tx_complete(True) that raises there is the cause the ending reports, as it
    # is when it raises on the way (it was lost: the end said ConnectionLost).
    from microhttpc.poll import Engine

    h, p = raw_server()
    e = Engine(timeout=5)
    errs = []
    conn = e.connect(h, p, on_err=lambda c, x: errs.append(x))

    def tx(ok):
        raise RuntimeError("on_tx_complete(%s) failed" % ok)

    ws = e.upgrade(conn, "/eof", on_msg=lambda m: ws.send("reply", on_tx_complete=tx), on_err=errs.append)
    try:
        e.run(until=lambda: conn.closed, timeout=5)
    except RuntimeError:
        pass  # (raised on the way, from the write of a poll before the end: reported the same)
    assert conn.closed and isinstance(conn.error, RuntimeError), (conn.error, errs)
    assert [type(x).__name__ for x in errs] == ["RuntimeError", "RuntimeError"], errs
