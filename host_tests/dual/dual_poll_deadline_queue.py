"""The poll engine: a request that passes its own ``deadline=`` with requests queued behind it fails
alone, and the queue goes out on a new connection of the same Conn, as on the blocking and asyncio
layers (the whole Conn ended: on_close(conn, TimeoutError), each queued request failed with the first
one's deadline, which it never had, and the Conn took no more requests; an outside hunt).  Without a
queue the Conn ends with the TimeoutError, as before.  Both runtimes, against the real aiohttp server."""

from check import server
from microhttpc.errors import TimeoutError
from microhttpc.poll import Engine


def test_a_request_past_its_deadline_fails_alone_and_the_queue_goes_on():
    e = Engine(timeout=5)
    host, port = server("http")
    log = []
    conn = e.connect(host, port, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, "GET", "/slow", query={"s": "1"}, deadline=0.3,
              on_complete=lambda r, ok: log.append((1, r.status, ok)), on_err=lambda x: log.append((1, x)))
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: log.append((2, r.status, r.body, ok)),
              on_err=lambda x: log.append((2, x)))
    assert e.run(until=lambda: len(log) >= 2, timeout=5), log
    assert log[0][0] == 1 and isinstance(log[0][1], TimeoutError), log
    assert "deadline" in str(log[0][1]), log
    assert log[1] == (2, 200, b"hello world", True), log
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: log.append((3, r.status, r.body, ok)),
              on_err=lambda x: log.append((3, x)))  # the Conn takes more
    assert e.run(until=lambda: len(log) >= 3, timeout=5), log
    assert log[2] == (3, 200, b"hello world", True), log
    e.close(conn)
    assert e.run(until=lambda: conn.closed, timeout=5), log
    assert log[3:] == [("close", None)], log


def test_without_a_queue_the_conn_ends_with_the_timeout():
    e = Engine(timeout=5)
    host, port = server("http")
    log = []
    conn = e.connect(host, port, on_close=lambda c, x: log.append(("close", x)))
    e.request(conn, "GET", "/slow", query={"s": "1"}, deadline=0.3, on_err=lambda x: log.append((1, x)))
    assert e.run(until=lambda: conn.closed, timeout=5), log
    assert len(log) == 2 and isinstance(log[0][1], TimeoutError) and log[1] == ("close", log[0][1]), log
