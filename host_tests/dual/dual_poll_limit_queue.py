"""poll: a body over max_body (declared, or found so as it comes) with a request queued behind it: the
request fails alone (on_err(LimitExceeded), on_complete(resp, False)) and the queue goes on a new
connection, as on the other layers and as after a request's deadline (each queued request failed with
that other request's LimitExceeded, and the Conn ended)."""

from check import server

from microhttpc.poll import Engine


def _first_over_limit(path, max_body):
    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("raw"), max_body=max_body, on_close=lambda c, x: log.append(("on_close", x)))
    e.request(c, "GET", path, on_complete=lambda r, ok: log.append(("first", r.status, ok)),
              on_err=lambda x: log.append(("first on_err", type(x).__name__, x.limit)))
    e.request(c, "GET", "/raw/genuine", on_complete=lambda r, ok: (log.append(("next", ok, r.body)), e.close(c)),
              on_err=lambda x: log.append(("next on_err", x)))
    assert e.run(timeout=5) is True, e.connections
    assert log == [("first on_err", "LimitExceeded", "max_body"), ("first", 200, False), ("next", True, b"genuine"),
                   ("on_close", None)], log


def test_declared_length_over_max_body():
    _first_over_limit("/raw/stall-1g", 1 << 20)  # (1 GiB declared, "ok", then nothing)


def test_chunked_body_over_max_body():
    _first_over_limit("/raw/chunked-pause", 7)  # (two chunks of 5; "genuine" is 7)
