"""poll: a MemoryError that on_response raises itself (an allocation of the application's that failed) is
its own, reported as any exception of a callback: to the request's on_err and the Conn's on_err and
on_close, as the same error from on_header, on_body or on_complete is.  It was turned into the package's
LimitExceeded ('body does not fit in memory (give on_body to stream it)'), advice that does not help, as
if collecting the body had failed: on_response ran while that body was being collected (an outside hunt
of callbacks)."""

from check import server


def test_on_response_own_memory_error_is_reported_as_itself():
    from microhttpc.poll import Engine

    mine = MemoryError("the application's")
    seen = []

    def on_response(r):
        raise mine

    e = Engine(timeout=3)
    conn = e.connect(*server("http"), on_err=lambda c, x: seen.append(("conn on_err", x)),
                     on_close=lambda c, x: seen.append(("conn on_close", x)))
    e.request(conn, "GET", "/hello", on_response=on_response, on_err=lambda x: seen.append(("on_err", x)))
    e.run(timeout=5)
    assert [k for k, x in seen] == ["on_err", "conn on_err", "conn on_close"], seen
    assert all(x is mine for k, x in seen), seen
    assert conn.state_name == "CLOSED", conn.state_name


def test_on_response_may_run_until_its_body_is_in():
    # (README: inside on_response run() runs, until its body is in; a first version of the fix above made
    # the body's collector after on_response: the body read by that run() went to an on_body never given,
    # TypeError for the request and the queue, then a bare AttributeError out of run(): an outside review)
    from microhttpc.poll import Engine

    e = Engine(timeout=3)
    conn = e.connect(*server("http"))
    out = []

    def on_response(r):
        out.append(("in", e.run(until=lambda: r.complete, timeout=3), r.complete, len(r.body or b"")))

    for path in ("/chunked?n=3&d=0.2", "/bytes/5000"):
        e.request(conn, "GET", path, on_response=on_response, on_err=lambda x: out.append(("on_err", x)),
                  on_complete=lambda r, ok: out.append(("complete", ok, len(r.body or b""))))
    assert e.run(until=lambda: len(out) == 4, timeout=10), out
    n = out[0][2]  # (the chunked body's size; on_complete comes inside the nested run())
    assert n > 0 and out == [("complete", True, n), ("in", True, True, n), ("complete", True, 5000),
                             ("in", True, True, 5000)], out
    e.close_all()
    e.run(timeout=2)


def test_a_run_in_on_response_gets_the_body_that_came_with_the_head():
    # A body that came in the same read as its head waited in the parser: the run() inside on_response
    # polled the socket, which had nothing more, until its timeout (False, the body not in), and the
    # body came after on_response returned (an outside hunt of callbacks)
    from microhttpc.poll import Engine

    e = Engine(timeout=3)
    conn = e.connect(*server("http"))
    out = []

    def on_response(r):
        out.append(("in", e.run(until=lambda: r.complete, timeout=2), r.complete, r.body))

    for _ in range(2):  # (the second on the kept-alive connection)
        e.request(conn, "GET", "/hello", on_response=on_response, on_err=lambda x: out.append(("on_err", x)),
                  on_complete=lambda r, ok: out.append(("complete", ok, r.body)))
    assert e.run(until=lambda: len(out) == 4, timeout=10), out
    assert out == [("complete", True, b"hello world"), ("in", True, True, b"hello world")] * 2, out
    e.close_all()
    e.run(timeout=2)


def test_a_body_over_the_heap_in_a_run_inside_on_response_fails_its_request_alone():
    # The heap that runs out while a body is collected is that request's LimitExceeded ("does not fit in
    # memory"), its heap given back, and the requests queued behind it go on a new connection: so in a
    # read, and so now in a run() inside on_response, whose round hands out what came with the head (a
    # bare MemoryError there failed every queued request and ended the Conn: an outside review).  The heap
    # running out is made by Body.add raising MemoryError, as a full heap's does.
    from microhttpc import session
    from microhttpc.errors import LimitExceeded
    from microhttpc.poll import Engine

    real_add = session.Body.add
    armed = [False]

    def add(self, piece):
        if armed[0]:
            raise MemoryError("no heap for the body")
        return real_add(self, piece)

    session.Body.add = add
    try:
        for nested in (False, True):
            e = Engine(timeout=3)
            out = []
            conn = e.connect(*server("http"))

            def on_response(r):
                armed[0] = True
                if nested:
                    e.run(until=lambda: r.transaction.done, timeout=2)

            def on_err(x):
                armed[0] = False
                out.append(("A err", type(x)))

            e.request(conn, "GET", "/bytes/1000", on_response=on_response, on_err=on_err)
            e.request(conn, "GET", "/hello", on_complete=lambda r, ok: out.append(("B", ok, r.body)),
                      on_err=lambda x: out.append(("B err", x)))
            assert e.run(until=lambda: len(out) == 2, timeout=10), (nested, out)
            assert out == [("A err", LimitExceeded), ("B", True, b"hello world")], (nested, out)
            e.close_all()
            e.run(timeout=2)
    finally:
        session.Body.add = real_add
        armed[0] = False


def test_a_request_bodys_own_memory_error_is_itself_while_an_early_answer_is_collected():
    # The code of a body pulled as the socket drains raised its own MemoryError while the server's early
    # answer was being collected: it was taken for that answer's body not fitting (LimitExceeded, "give
    # on_body to stream it"), the queue resent and the Conn told nothing (an outside review).  It ends the
    # connection as any exception of that code does.
    from microhttpc.poll import Engine

    for kind in ("generator", "fill"):
        e = Engine(timeout=3)
        out = []
        seen = [False]
        conn = e.connect(*server("raw"), on_err=lambda c, x: out.append(("conn on_err", type(x))),
                         on_close=lambda c, x: out.append(("conn on_close", type(x))))
        if kind == "generator":
            def body():
                while True:
                    if seen[0]:
                        raise MemoryError("the generator's own")
                    yield b"x" * 100
            b = body()
        else:
            def b(buf):
                if seen[0]:
                    raise MemoryError("the fill callable's own")
                buf[:100] = b"x" * 100
                return 100
        def on_response(r):
            seen[0] = True

        # /raw/stall-body answers at once (a Content-Length of 10, 3 bytes of it) and holds
        e.request(conn, "POST", "/raw/stall-body", body=b, on_response=on_response,
                  on_err=lambda x: out.append(("A on_err", type(x))))
        e.request(conn, "GET", "/raw/no-reason", on_err=lambda x: out.append(("B on_err", type(x))))
        assert e.run(until=lambda: conn.closed, timeout=6), (kind, out)
        assert out == [("A on_err", MemoryError), ("B on_err", MemoryError), ("conn on_err", MemoryError),
                       ("conn on_close", MemoryError)], (kind, out)
        e.run(timeout=1)


def test_a_redirects_deferred_memory_error_is_not_the_next_bodys():
    # A redirect chain's on_complete raised its own MemoryError on the other origin's connection; it is
    # told on the Conn the request was given to from its next round, which meanwhile collected the next
    # request's body: it was taken for that body not fitting (LimitExceeded for B, the queue resent, the
    # Conn told nothing: an outside review).  The Conn ends with it, as README says.
    from microhttpc.poll import Engine

    h, p = server("http")
    h2, p2 = server("http2")
    e = Engine(timeout=5)
    out = []
    conn = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: out.append(("conn on_err", type(x))),
                     on_close=lambda c, x: out.append(("conn on_close", type(x))))

    def a_done(r, ok):
        out.append(("A on_complete", ok))
        if ok:
            raise MemoryError("A's on_complete: the application's own")

    e.request(conn, "GET", "/redirect/302", query={"to": "http://%s:%d/slow" % (h2, p2)}, on_complete=a_done)
    e.request(conn, "GET", "/chunked", query={"n": "40", "d": "0.05"}, on_err=lambda x: out.append(("B on_err", type(x))))
    assert e.run(until=lambda: conn.closed, timeout=10), out
    assert out == [("A on_complete", True), ("B on_err", MemoryError), ("conn on_err", MemoryError),
                   ("conn on_close", MemoryError)], out
    e.run(timeout=1)
