"""A MemoryError that an Engine call raises itself (``Engine.upgrade()``, ``Engine.close()`` of an open
WebSocket) reaches the application once, as that call's exception: the connection then ends from the
next poll(), its ``on_close(conn, cause)`` names that MemoryError (not None, a clean close), and
neither the connection's nor the WebSocket's ``on_err`` reports it again.

The MemoryError is raised on purpose where a board's heap fails: loading ``pollws`` (the engine's
WebSocket module, loaded by the first upgrade: outside pollws's own handling, the connection stayed
open in HTTP state, no callback at all) and building the Close frame (the close was reported as clean)."""

import gc

from check import server
from microhttpc import poll
from microhttpc.poll import Engine
from microhttpc.rfc6455 import Protocol


def _oom(*args, **kw):
    raise MemoryError


def _conn(e, log):
    host, port = server("http")
    return e.connect(host, port, timeout=10, on_err=lambda c, x: log.append(("conn err", x)),
                     on_close=lambda c, x: log.append(("conn close", x)))


def _after_gc_an_upgrade_works(e):
    gc.collect()
    got = []
    c = _conn(e, [])
    e.upgrade(c, "/ws", on_open=lambda w: w.send("again"), on_msg=lambda m: (got.append(m), e.close(c)))
    assert e.run(until=lambda: c.closed, timeout=10) and got == ["again"], got


def test_memory_error_loading_the_websocket_module_closes_the_connection():
    e = Engine()
    log = []
    conn = _conn(e, log)
    done = []
    e.request(conn, "GET", "/hello", on_complete=lambda r, ok: done.append(ok))
    assert e.run(until=lambda: done, timeout=10) and done == [True], done
    load = poll.load
    poll.load = _oom  # rt.load("pollws"): no heap for the module
    raised = None
    try:
        e.upgrade(conn, "/ws", on_err=lambda x: log.append(("ws err", x)))
    except MemoryError as x:
        raised = x
    finally:
        poll.load = load
    assert raised is not None, "upgrade() returned"
    assert e.run(until=lambda: conn.closed, timeout=5), "the connection stayed open: %s" % conn.state_name
    assert len(log) == 1 and log[0][0] == "conn close" and log[0][1] is raised, log
    assert not e.connections and conn.websocket is None
    _after_gc_an_upgrade_works(e)


def test_memory_error_from_engine_close_is_reported_once():
    e = Engine()
    log = []
    conn = _conn(e, log)
    got = []
    w = e.upgrade(conn, "/ws", on_open=lambda w: w.send("hi"), on_msg=got.append,
                  on_err=lambda x: log.append(("ws err", x)), on_close=lambda code, reason: log.append(("ws close", code)))
    assert e.run(until=lambda: got, timeout=10) and got == ["hi"], got
    build = Protocol._build
    Protocol._build = _oom  # no heap for the Close frame
    raised = None
    try:
        e.close(conn)
    except MemoryError as x:
        raised = x
    finally:
        Protocol._build = build
    assert raised is not None, "close() returned"
    assert e.run(until=lambda: conn.closed, timeout=5), "the connection did not end"
    # The WebSocket's on_close (1006: no Close frame went out), the connection's on_close with the
    # MemoryError; no on_err (the caller had it).
    assert log == [("ws close", 1006), ("conn close", raised)], log
    assert conn.error is raised and w.close_code == 1006
    _after_gc_an_upgrade_works(e)
