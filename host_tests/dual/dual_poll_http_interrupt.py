"""poll: an interrupt (KeyboardInterrupt) raised inside an HTTP connection's step (a request body's iterator,
on_header) ends that connection as any exception of a callback does, its request, the requests queued
behind it and the Conn told, and then leaves poll().  It left the connection going with the request half
made: a body iterator that raised was taken as the body's end (half of a Content-Length upload went out,
then 'no response within 2 s', blaming the server); after on_header's, the body went to an on_body that
was never given (TypeError for the request, the queue and the Conn) and on_response never came (an outside
hunt of callbacks).  A WebSocket's interrupt still leaves the rest of its read for the next round."""

from check import server


def _run(e, out):
    raised = 0
    for _ in range(60):
        try:
            e.poll(100)
        except KeyboardInterrupt:
            raised += 1
        if not e.connections:
            break
    out.append(("raised", raised))


def _engine(out):
    from microhttpc.poll import Engine

    e = Engine(timeout=2)
    conn = e.connect(*server("http"), on_err=lambda c, x: out.append(("conn on_err", type(x).__name__)),
                     on_close=lambda c, x: out.append(("conn on_close", type(x).__name__)))
    return e, conn


def test_an_interrupt_from_a_body_iterator_ends_the_connection():
    for kw in ({}, {"content_length": 40000}):
        out = []
        e, conn = _engine(out)

        def chunks():
            for i in range(40):
                if i == 20:
                    raise KeyboardInterrupt
                yield b"x" * 1000

        e.request(conn, "POST", "/echo", body=chunks(), on_err=lambda x: out.append(("on_err", type(x).__name__)),
                  on_complete=lambda r, ok: out.append(("complete", ok)), **kw)
        _run(e, out)
        assert out == [("on_err", "KeyboardInterrupt"), ("conn on_err", "KeyboardInterrupt"),
                       ("conn on_close", "KeyboardInterrupt"), ("raised", 1)], (kw, out)


def test_an_interrupt_from_on_header_ends_the_connection():
    out = []
    e, conn = _engine(out)

    def on_header(name, value):
        raise KeyboardInterrupt

    e.request(conn, "GET", "/hello", on_header=on_header, on_response=lambda r: out.append(("on_response",)),
              on_err=lambda x: out.append(("on_err", type(x).__name__)))
    e.request(conn, "GET", "/hello", on_err=lambda x: out.append(("2nd on_err", type(x).__name__)))
    _run(e, out)
    assert out == [("on_err", "KeyboardInterrupt"), ("2nd on_err", "KeyboardInterrupt"),
                   ("conn on_err", "KeyboardInterrupt"), ("conn on_close", "KeyboardInterrupt"), ("raised", 1)], out
