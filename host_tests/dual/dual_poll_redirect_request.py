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
