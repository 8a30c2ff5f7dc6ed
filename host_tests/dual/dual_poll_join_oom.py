"""MicroPython: a collected body whose pieces fit in the heap but whose joining at its end does not
(poll): on_err(LimitExceeded), on_complete(resp, False), and read()/text()/iter_lines() then raise
ConnectionLost, never a whole empty body (the END had been read: the response was not marked cut off,
and read() gave b"").  On CPython every size is read whole.  A module of its own: it needs the
package alone in the 128K heap."""

import sys

from check import raises, server

MP = sys.implementation.name == "micropython"


def test_poll_a_body_too_large_to_join_is_never_an_empty_one():
    import gc

    from microhttpc.errors import ConnectionLost, LimitExceeded
    from microhttpc.poll import Engine

    h, p = server("http")
    failed = 0
    for n in range(20000, 64001, 4000) if MP else (40000,):
        gc.collect()
        e = Engine(timeout=10)
        conn = e.connect(h, p)
        log = []
        e.request(conn, "GET", "/bytes/%d" % n, on_complete=lambda r, ok: log.append((r, ok)), on_err=log.append)
        assert e.run(until=lambda: log and type(log[-1]) is tuple, timeout=15), (n, log)
        r, ok = log[-1]
        if ok:
            assert len(r.read()) == n, n
        else:
            failed += 1
            assert isinstance(log[0], LimitExceeded), (n, log)
            raises(ConnectionLost, r.read)
            raises(ConnectionLost, lambda: list(r.iter_lines()))
        e.close(conn)
        e.run(timeout=5)
        r = log = e = conn = None
    assert failed or not MP, "no size met the heap's end"
