"""poll: after redirects, ``resp.request`` and the Transaction's ``request`` are the application's own
Request, as on the other layers (they were the last hop's: its target, a deadline made a (tick, s)
pair, and sent again it failed its old chain's deadline at once).  Both runtimes."""

from check import server


def test_poll_redirect_keeps_the_request():
    from microhttpc import Request, poll

    h, p = server("http")
    e = poll.Engine(timeout=10)
    c = e.connect(h, p)
    got = []
    req = Request("GET", "/redirect-chain/2", follow_redirects=5, deadline=5, user_data=7)
    t = e.request(c, req, on_complete=lambda r, ok: got.append(r), on_err=got.append)
    assert e.run(until=lambda: got, timeout=10)
    r = got[0]
    assert r.status == 200 and len(r.history) == 2, (r, r.history)
    assert r.request is req and t.request is req, (r.request, t.request)
    assert req.deadline == 5 and req.target == "/redirect-chain/2"
    again = []
    e.request(c, r.request, on_complete=lambda r, ok: again.append(r.status), on_err=again.append)
    assert e.run(until=lambda: again, timeout=10) and again == [200], again
    e.close_all()
    e.run(timeout=2)


def test_poll_failed_chain_keeps_the_request():
    # A chain that fails midway (TooManyRedirects): the Transaction's request was the last hop's.
    from microhttpc import Request, poll
    from microhttpc.errors import TooManyRedirects

    h, p = server("http")
    e = poll.Engine(timeout=10)
    c = e.connect(h, p)
    got = []
    req = Request("GET", "/redirect-chain/4", follow_redirects=2, deadline=5)
    t = e.request(c, req, on_complete=lambda r, ok: got.append((r, ok)), on_err=got.append)
    assert e.run(until=lambda: t.done, timeout=10)
    assert isinstance(got[0], TooManyRedirects), got
    assert t.request is req and req.deadline == 5, t.request
    e.close_all()
    e.run(timeout=2)


def test_poll_hop_connection_oom_fails_the_request():
    # A MemoryError making the next hop's connection (a same-origin 302 with Connection: close): the
    # request was in no queue, never told, and its connection failed with it.
    from microhttpc import poll, urls

    h, p = server("raw")
    real = urls.connection_like
    armed = [True]

    def like(*a):
        if armed[0]:
            armed[0] = False
            raise MemoryError("injected")
        return real(*a)

    urls.connection_like = like
    try:
        # (/raw/redirect-cut: the 3xx's body broke, the hop's connection is made in resend(); the
        # MemoryError left poll() bare, and over and over while the heap stayed short)
        for path in ("/raw/redirect-close", "/raw/redirect-cut"):
            armed[0] = True
            e = poll.Engine(timeout=5)
            ev = []
            c = e.connect(h, p, follow_redirects=3, on_err=lambda c, x: ev.append(("conn err", x)))
            t = e.request(c, "GET", path, on_complete=lambda r, ok: ev.append(("complete", ok)),
                          on_err=lambda x: ev.append(("err", x)))
            e.run(until=lambda: t.done, timeout=5)  # (nothing raised from it)
            assert t.done and ev[0][0] == "err" and isinstance(ev[0][1], MemoryError), (path, ev)
            # then on_complete(the 3xx, False): its head had come (it was not told before)
            assert [k for k, _ in ev if k != "conn err"] == ["err", "complete"] and ("complete", False) in ev, (path, ev)
            e.close_all()
            e.run(timeout=2)
    finally:
        urls.connection_like = real
