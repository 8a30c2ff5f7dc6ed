"""poll: a poll() inside a callback that the engine calls while it changes a connection's state (the
README allows poll() inside on_complete, on_err and the callbacks of timers).  The engine finishes
the change first:

- a request past its deadline with one queued behind it: the queue goes out on a new connection
  before the failed request's on_err (a poll() there sent it on the old one, whose answer was due:
  the request was never answered and run() never returned);
- an answer that came before the request body was all sent: the connection can carry no other
  request before on_complete (a poll() there wrote the next head into the middle of the upload);
- a request queued behind an upgrade fails after the frames that came with the 101 are handed out
  (a poll() in its on_err read newer bytes first: a valid server failed as a protocol fault);
- the keepalive's dead peer: a poll() in on_err that ends the connection raises nothing more out of
  run() (the TimeoutError, told to on_err and on_close already, escaped run() too)."""

from check import server

from microhttpc.poll import Engine


def test_deadline_with_queue_nested_poll_in_on_err():
    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("http"), on_close=lambda c, x: log.append(("on_close", x)))

    def r1_err(exc):
        log.append(("r1 on_err", type(exc).__name__))
        e.poll(0)

    e.request(c, "GET", "/slow?s=1", deadline=0.5, on_err=r1_err)
    e.request(c, "GET", "/hello", on_complete=lambda r, ok: (log.append(("r2", ok, r.body)), e.close(c)),
              on_err=lambda x: log.append(("r2 on_err", x)))
    assert e.run(timeout=6) is True, e.connections
    assert log == [("r1 on_err", "TimeoutError"), ("r2", True, b"hello world"), ("on_close", None)], log


def test_early_answer_nested_poll_in_on_complete():
    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("raw"), on_close=lambda c, x: log.append(("on_close", x)))
    pieces = (b"B" * 1000 for _ in range(20000))  # 20 MB: more than the socket buffers take

    def r1_done(r, ok):
        log.append(("r1", r.status, ok))
        for _ in range(10):
            e.poll(20)

    e.request(c, "POST", "/raw/early-keep", body=pieces, on_complete=r1_done,
              on_err=lambda x: log.append(("r1 on_err", x)))
    e.request(c, "GET", "/raw/genuine", on_complete=lambda r, ok: (log.append(("r2", ok, r.body)), e.close(c)),
              on_err=lambda x: log.append(("r2 on_err", x)))
    assert e.run(timeout=4) is True, e.connections  # (the server holds the first connection 5 s)
    assert log == [("r1", 413, True), ("r2", True, b"genuine"), ("on_close", None)], log


def test_upgrade_leftover_before_queued_on_err_with_nested_poll():
    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("wsraw"), on_close=lambda c, x: log.append(("conn on_close", x)))
    e.upgrade(c, "/withleft", on_msg=lambda m: (log.append(m), m == "w9" and e.close(c, abort=True)),
              on_err=lambda x: log.append(("ws on_err", x)))

    def r_err(x):
        log.append(("queued on_err", type(x).__name__))
        for _ in range(20):
            e.poll(10)

    e.request(c, "GET", "/", on_err=r_err)
    assert e.run(timeout=5) is True, e.connections
    msgs = [m for m in log if isinstance(m, str)]
    assert msgs == ["w%d" % i for i in range(10)], log
    assert ("queued on_err", "UsageError") in log and log[-1] == ("conn on_close", None), log


def test_keepalive_dead_peer_nested_poll_in_on_err():
    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("wsraw"), on_close=lambda c, x: log.append(("conn on_close", type(x).__name__)))

    def werr(x):
        log.append(("ws on_err", type(x).__name__))
        e.poll(0)

    e.upgrade(c, "/noclose", ping_interval=0.3, ping_timeout=0.3, on_err=werr)
    assert e.run(timeout=5) is True, e.connections  # (it raised the TimeoutError told already)
    assert log == [("ws on_err", "TimeoutError"), ("conn on_close", "TimeoutError")], log


def test_deadline_cut_body_with_queue_reads_as_cut():
    """The same deadline with a request queued: the cut body's on_complete(resp, False) comes after the
    connection was dropped, so its read() raises ConnectionLost (it gave b"", as a whole empty body)."""
    from microhttpc.errors import ConnectionLost

    e = Engine(timeout=5)
    log = []
    c = e.connect(*server("raw"), deadline=0.5)

    def done(r, ok):
        for f in (r.read, r.text):
            try:
                log.append(f())
            except ConnectionLost:
                log.append("ConnectionLost")
        log.append(ok)

    e.request(c, "GET", "/raw/stall-body", on_complete=done, on_err=lambda x: log.append(type(x).__name__))
    e.request(c, "GET", "/raw/genuine", on_complete=lambda r, ok: (log.append(r.body), e.close(c)))
    assert e.run(timeout=5) is True, e.connections
    assert log == ["TimeoutError", "ConnectionLost", "ConnectionLost", False, b"genuine"], log
