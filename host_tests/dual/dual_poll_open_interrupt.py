"""poll: an interrupt (KeyboardInterrupt) from a WebSocket's on_open leaves poll() with the connection going
on, as one from its other callbacks does: the frames that came in the same read as the 101 (a PING and four
messages, raw WS path /ping-then-msgs) are handed out in the next round, the PING answered, and the request
queued behind the upgrade fails with its UsageError.  They were lost (no PONG, no message but the one sent
later), and the request stayed queued until the connection's end (an outside hunt of callbacks)."""

from check import server


def test_an_interrupt_from_on_open_loses_nothing():
    from microhttpc.errors import UsageError
    from microhttpc.poll import Engine

    e = Engine(timeout=3)
    conn = e.connect(*server("wsraw"))
    got, raised, errs = [], [], []

    def on_open(w):
        if not raised:
            raised.append(1)
            raise KeyboardInterrupt

    e.upgrade(conn, "/ping-then-msgs", on_open=on_open, on_msg=got.append,
                   on_ping=lambda d: got.append(("PING", bytes(d))))
    e.request(conn, "GET", "/hello", on_err=errs.append)
    interrupts = 0
    for _ in range(30):
        try:
            e.poll(100)
        except KeyboardInterrupt:
            interrupts += 1
        if "got pong p" in got:
            break
    assert interrupts == 1, interrupts
    assert got == [("PING", b"p"), "a", "b", "cd", "e", "later", "got pong p"], got
    assert len(errs) == 1 and isinstance(errs[0], UsageError), errs
    e.close(conn)
    e.run(timeout=3)
