"""A request body's own code that uses its Connection (blocking layer; an outside hunt of callbacks that
call back into the library).  A request made from a body callable closed the connection the upload was
on, went out on a new one, and the upload went on over that one, awaiting a head for ever: request()
never returned, spinning, its timeout=3 ignored.  Now that request is a UsageError (as aio's 'another
task is using this connection') that leaves the upload as it was.  A body that
closes its Connection between pieces got a bare AttributeError; now UsageError.  So is one that closes
and reopens it, or closes it and makes a request (between pieces, or after its last): the rest of the
upload went out on the new connection, and request() spun for ever (an outside review)."""

from check import raises, server


def _conn():
    from microhttpc import Connection

    h, p = server("http")
    c = Connection(h, p, timeout=3)
    assert c.request("GET", "/hello").read() == b"hello world"  # a kept-alive connection
    return c


def test_a_request_from_the_body_of_a_request_is_a_usage_error():
    from microhttpc import UsageError

    c = _conn()
    seen = []
    left = [6000]

    def fill(buf):
        if left[0] == 3000:  # half way
            seen.append(raises(UsageError, c.request, "GET", "/hello"))
        n = min(len(buf), left[0], 1000)
        buf[:n] = b"x" * n
        left[0] -= n
        return n

    try:
        r = c.request("POST", "/echo", body=fill)  # (the nested request took nothing of it)
        assert len(seen) == 1 and "in flight" in str(seen[0]), seen
        assert r.status == 200 and len(r.json()["body"]) == 6000, r.status
        assert c.request("GET", "/hello").read() == b"hello world"
    finally:
        c.close()


def test_a_body_that_closes_its_connection_is_a_usage_error():
    from microhttpc import UsageError

    c = _conn()

    def pieces():
        yield b"first piece,"
        c.close()  # the data source failed: give up on this upload
        yield b"second piece"

    try:
        e = raises(UsageError, c.request, "POST", "/echo", body=pieces())
        assert "not open" in str(e), e
        assert c.request("GET", "/hello").read() == b"hello world"  # (request() opens it again)
    finally:
        c.close()


def _closes_and(c, then, last):
    def pieces():
        yield b"first piece,"
        if not last:
            c.close()
            then()
        yield b"second piece"
        if last:
            c.close()
            then()

    return pieces()


def test_a_body_that_closes_and_reopens_its_connection_is_a_usage_error():
    from microhttpc import UsageError

    c = _conn()
    try:
        for then in (c.open, lambda: c.request("GET", "/hello").read()):
            for last in (False, True):
                e = raises(UsageError, c.request, "POST", "/echo", body=_closes_and(c, then, last), deadline=3)
                assert "not open" in str(e), e
                assert c.request("GET", "/hello").read() == b"hello world"
    finally:
        c.close()
