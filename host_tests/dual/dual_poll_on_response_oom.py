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
