"""``Engine.close(conn, abort=True)`` from inside a WebSocket callback ends the connection there: no
callback for the messages that came behind the one being handled (they went on to ``on_msg``), then
``on_close`` once.  Both runtimes."""

from check import server


def test_abort_inside_on_msg_stops_the_round():
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    e = Engine(timeout=5)
    got = []
    closes = []
    conn = e.connect(h, p)

    def on_msg(m):
        got.append(m)
        e.close(conn, abort=True)

    e.upgrade(conn, "/abc", on_msg=on_msg, on_close=lambda code, reason: closes.append(code))  # a, b, c in one write
    assert e.run(until=lambda: conn.closed, timeout=10)
    assert got == ["a"], got
    assert closes == [1006], closes


def test_abort_inside_on_open_is_no_fault():
    # From on_open it was reported as a ConnectionLost ("ended without a Close frame") to both on_errs:
    # the abort is the application's, on_close(conn, None) as from anywhere else.
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    for path in ("/pinged/3", "/later", "/noclose"):
        e = Engine(timeout=5)
        log = []
        conn = e.connect(h, p, on_close=lambda c, x: log.append(("conn close", x)),
                         on_err=lambda c, x: log.append(("conn err", x)))

        def on_open(w):
            log.append("open")
            e.close(conn, abort=True)

        e.upgrade(conn, path, on_open=on_open, on_msg=lambda m: log.append(("msg", m)),
                  on_close=lambda code, r: log.append(("ws close", code)), on_err=lambda x: log.append(("ws err", x)))
        assert e.run(until=lambda: conn.closed, timeout=10)
        assert log == ["open", ("ws close", 1006), ("conn close", None)], (path, log)


def test_a_memoryerror_raised_by_a_callback_while_the_end_is_told():
    """A request's ``on_err`` that raises a MemoryError of its own while its connection ends (a board's
    callback that allocates): the requests queued behind it are told all the same, and the MemoryError
    comes out of ``poll()`` after them all, as any other exception a callback raises there.  It was
    taken for the end's own shortage: the queued requests never ended (no callback at all) and the
    MemoryError was reported to no one (found by an outside hunt)."""
    from microhttpc.poll import Engine

    h, p = server("silent")
    for boom in (ValueError, MemoryError):
        e = Engine(timeout=0.3)
        log = []
        c = e.connect(h, p, on_err=lambda c, x: log.append("conn on_err"), on_close=lambda c, x: log.append("conn on_close"))

        def first(x, boom=boom):
            log.append("r1")
            raise boom("the application's")

        e.request(c, "GET", "/", on_err=first)
        t = [e.request(c, "GET", "/", on_err=lambda x, i=i: log.append("r%d" % i)) for i in (2, 3)]
        raised = []
        for _ in range(100):
            try:
                e.poll(20)
            except Exception as x:
                raised.append(type(x))
            if not e.connections:
                break
        assert log == ["r1", "r2", "r3", "conn on_err", "conn on_close"], (boom, log)
        assert raised == [boom] and t[0].done and t[1].done, (boom, raised)


def test_requests_queued_behind_an_upgrade_end_once_with_no_heap_for_their_error():
    """Requests queued behind an upgrade fail with UsageError once the 101 came; with no heap for that
    error (injected: the UsageError raises MemoryError) the request taken from the queue first was
    told nothing, ever (a change of this session made the error after taking it; found by an outside
    review).  Now each request ends exactly once: the connection ends by the MemoryError, which its end
    tells them."""
    from microhttpc import pollws
    from microhttpc.poll import Engine

    h, p = server("wsraw")
    e = Engine(timeout=5)
    ends = [0, 0, 0]
    c = e.connect(h, p)
    e.upgrade(c, "/later")

    def mk(i):
        def end(*a):
            ends[i] += 1
        return end

    for i in range(3):
        e.request(c, "GET", "/", on_err=mk(i))

    def no_heap(*a):
        raise MemoryError

    saved = pollws.UsageError
    pollws.UsageError = no_heap
    try:
        for _ in range(200):
            try:
                e.poll(10)
            except MemoryError:
                pass
            if not e.connections:
                break
    finally:
        pollws.UsageError = saved
    assert ends == [1, 1, 1], ends
