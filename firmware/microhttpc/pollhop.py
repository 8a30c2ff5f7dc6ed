"""The poll Engine's redirects and resends, loaded by the first one.  The session decides
(``Session.redirect`` with the rules of ``urls``; ``Session.may_retry``); this moves the Transaction:

- a redirect's next request goes first in the queue of the connection it needs: the one the chain
  began on for its origin, or for another origin a one-request connection made here as
  ``Engine.connect`` makes one (``Connection: close``; no callbacks of its own: the Transaction's
  report).  The 3xx's body is dropped as it comes; over ``drain_limit`` bytes its connection ends
  and the redirect goes on a new connection (so do the requests queued behind it: ``Conn._next``);
- a 3xx whose body broke (cut, reset, malformed) is followed as one over ``drain_limit`` is;
- a request a stale keep-alive connection lost (closed before any byte of the answer) reopens that
  connection, and goes first again (once; ``on_connect`` is not called again).
"""

from select import POLLOUT

from .errors import HTTPCError, TimeoutError
from .rtio import ticks_add, ticks_diff, ticks_ms


def verdict(conn, req, resp):
    """The redirect verdict for ``resp``, the 3xx answer to Transaction ``req`` on ``conn``: None (the
    response is the final one: delivered, ``on_header`` called), or the hop [connection, next
    Request, its path, bytes of the 3xx body dropped]."""
    first = req.first = req.first or conn
    r = req.request
    limit = first.follow_redirects if r.follow_redirects is None else r.follow_redirects
    if req.history is None:
        req.history = []
    try:
        hop = first.redirect(conn, resp, r, req.hdrs, limit, req.history)
    except HTTPCError as exc:  # TooManyRedirects, a Location that can't be followed: this request fails
        hop = (None, exc, None)  # once the 3xx's body is dropped, as a hop waits for it (the connection goes on)
    if hop is None:
        return None
    if not resp.complete:  # its body is dropped within drain_timeout (the session's bound; see drain: an
        # error's too, as on the other layers: it came only with the body's end, a byte every timeout)
        conn.drain(resp, b"")
        conn._drain = None  # (its pieces are not kept)
    return [hop[0], hop[1], hop[2], 0]


def drain(conn, req, piece):
    """A piece of the 3xx's body, dropped; over ``drain_limit`` bytes in all, or ``piece`` None (not
    done within ``drain_timeout``: the engine's timer), the redirect leaves now on a new connection
    and this one ends."""
    hop = req.hop
    hop[3] += conn.drain_limit + 1 if piece is None else len(piece)
    if hop[3] > conn.drain_limit:
        conn.reusable = False  # it ends (the requests queued: on a new one, poll's Conn._next); so the hop
        follow(conn, req)  # gets a connection of its own (_follow: out of memory there, the request fails)


def follow(conn, req):
    """The 3xx is done with: the next request of the chain goes first in its connection's queue.  When
    it came before the whole body went out, the body stops there and ``conn`` ends (part of it is on
    the wire), as after any early answer: the next hop's head went out inside it and the rest of the
    body followed, to another origin too."""
    unsent = req.chunks is not None or bool(conn._out)
    req.chunks = None
    _follow(conn, req, unsent)
    if unsent:  # the connection ends (the requests queued: on a new one, poll's Conn._next)
        conn.reusable = False


def _follow(conn, req, unsent):
    c, nxt, path = req.hop[0], req.hop[1], req.hop[2]
    conn._active = req.hop = None
    conn._used = True
    if c is None:  # the verdict was an error (``nxt``)
        return conn._req_fail(req, nxt)
    # (req.response stays the 3xx until the next head: a hop that fails reports on_complete(3xx, False))
    req.asked = req.asked or req.request  # (the application's Request: the response's, and the Transaction's at its end)
    try:  # (out of memory making or connecting the next connection: the request fails with it; it was in no
        # queue and never told.  A connection _open() began ends from the next poll(), see Engine._open.)
        if c.engine is not None and (c.closed or c is conn and (unsent or c is not req.first or not c.reusable)):
            c = _like(req.first, c, nxt.deadline)  # closed, or can't carry the next request: a new connection to its origin
        elif c is req.first:  # (an upgrade queued behind the request may have made it a WebSocket meanwhile)
            from .urls import back_to

            c = back_to(c, nxt.deadline)
        req.request, req.path, req.hdrs = nxt, path, nxt.headers
        if c.engine is None:  # made for this chain: connect it (Engine.close(first) closes it too)
            first = req.first
            if c.tls:
                from .tls import tls_context

                c._tls_ctx = first._tls_ctx or tls_context(first.ssl_context, first.cadata, first.verify)
            c.engine, c._owner, c._app_close = first.engine, first, first._app_close  # (closed meanwhile: it ends too)
            first.engine._open(c)
    except Exception as exc:  # (no TLS settings for it too: the request fails, its connection goes on)
        return conn._req_fail(req, exc)
    req.conn = c
    c._queue.insert(0, req)
    c.engine._hot = True


def ended(conn, exc):
    """``exc`` ends ``conn``, a redirect chain's own connection (``Engine._guard``): its request is told; an
    exception that request's callbacks raise as it is told (its connect failed, on_err raised), or ``exc``
    itself when no request is on it, goes to the application's Conn (``orphan``): it left poll() and that
    Conn went on, untold."""
    if conn._active or conn._queue:
        try:
            return conn._end(exc)
        except BaseException as e:  # (an interrupt too, as orphan takes it)
            exc = e
    orphan(conn, exc)


def orphan(conn, exc):
    """``exc`` on ``conn``, a redirect chain's own connection (no callbacks), that no request on it
    takes (``ended``): a callback of a request it carried raised (``on_complete``, ``on_err``; as the
    request was told, or as the connection ended), or the connection's own end.  ``conn`` ends, and the
    application's Conn with it from its next round (``on_err``, ``on_close`` there, as when the callback
    raises on that Conn itself: it was lost without a word), or now for an interrupt, which then leaves
    poll() once (deferred, it came out of this one and the next).  If that Conn has ended, is closing
    at Engine.close() or connecting, or has become a WebSocket, ``exc`` leaves poll() (an interrupt
    too, the WebSocket going on).  (``conn`` may have ended already: its connect failed, and on_err
    raised as it was told.)"""
    conn._end(None)
    first = conn._owner
    if not (first.closed or isinstance(exc, Exception) or first.websocket is not None):
        first._end(exc)
    if first.closed or first._app_close or first.websocket is not None or first.state < 3:
        # (ended, closing at Engine.close(), a WebSocket now: no HTTP request's callback ends it, or
        # connecting, below poll._HTTP: what is deferred there is a connect's error)
        raise exc
    first._deferred = first._deferred or exc


def resend(conn, req=None, cause=None, pending=None):
    """``req`` went out on a kept-alive connection that the server had closed (``may_retry``): reopen
    ``conn`` and send it first again.  Without ``req``: the server closed the idle connection before
    the next request of the queue went out: reopen for the queue.  ``req`` with a redirect to follow
    (``req.hop``): the 3xx's body broke (``cause``: cut, reset, malformed; it is dropped all the same),
    the redirect goes on, on a new connection, as on the other layers (the request failed with the
    body's error), and ``conn`` ends; another ``cause`` (no heap, the application's close) fails it.
    ``cause`` a body over ``max_body`` (or the heap) with requests queued: ``req`` fails alone, and the
    queue goes on a new connection, as after the request's deadline (``due``): a limit of ours is no
    fault of the server's (each queued request failed with that other request's LimitExceeded)."""
    if req is not None and req.hop is None and getattr(cause, "limit", 0) == "max_body":
        conn._active = None
        resend(conn)  # (first: see due)
        return conn._req_fail(req, cause)
    if req is not None and req.hop is not None:
        if isinstance(cause, HTTPCError):
            conn.reusable = False  # it ends as after a 3xx body over drain_limit (the hop: a connection of its
            follow(conn, req)  # own, made in _follow), the requests queued go on a new connection (they
            return conn._next()  # failed, on_err told the connection's end)
        req.hop = None
        return conn._end(cause, pending)
    conn.engine._forget(conn)  # the old socket
    if req is not None:
        req.t_end = conn.t_end  # (the resend's deadline: the first attempt's, see Session.begin)
    conn.lost()
    conn._active, conn._out, conn._out_pos, conn._mask, conn._deferred = None, [], 0, 0, None
    conn.state, conn._want = 1, POLLOUT  # poll._CONNECTING
    conn._t_start = conn._t_io = ticks_ms()
    t = req is not None and req.t_end
    if t and conn.connect_timeout is not None:  # the connect within the request's deadline too: its timer
        cut = int(conn.connect_timeout * 1000) - ticks_diff(t[0], conn._t_start)  # (from _t_start) ends
        if cut > 0:  # there (it took a whole connect_timeout more)
            conn._t_start = ticks_add(conn._t_start, -cut)
    conn._used = False  # a request lost again on the new connection is not resent twice
    conn._cb = (None,) + conn._cb[1:]  # on_connect once
    if req is not None:
        req.chunks = None  # (response: a hop's 3xx stays, for its on_complete(3xx, False) if this fails)
        conn._queue.insert(0, req)
    try:
        conn.engine._open(conn)
    except MemoryError:  # it ends from the next poll() (Engine._open): the request's on_err, then on_close
        pass  # (raised from this poll() too, that was one report more)


def due(conn):
    """A timer of the HTTP connection ``conn`` fired (poll's ``Conn._tick``, which ends it itself with
    the head's or the inactivity's TimeoutError when none of these applies).  A 3xx body not dropped
    within ``drain_timeout``: its redirect goes on a new connection (``drain``).  The request's own
    ``deadline`` with requests queued behind it: it fails alone (on_err(TimeoutError)), and as its
    answer is half read (or its body half sent) the connection can't carry another: the queue goes out
    on a new one, as on the other layers (the Conn ended, each queued request failed with that
    request's deadline, and the Conn took no more).  Another timer: the Conn ends with its
    TimeoutError, the deadline's, the head's (``timeout`` from the request's last byte), or, while
    bytes of ours wait, "the server did not accept data" (it said "no response" of a request not out)."""
    req = conn._active
    if req is not None and req.hop is not None:
        return drain(conn, req, None)
    if conn._queue and conn.t_end and ticks_diff(conn.t_end[0], ticks_ms()) <= 0:
        exc = conn.expired()
        conn._active = None
        resend(conn)  # first: a poll() in its on_err sent the queue on the old connection, its answer due
        return req and conn._req_fail(req, exc)
    if conn._out or req is not None and req.chunks is not None:
        raise conn.expired(TimeoutError("the server did not accept data within %s s" % conn.timeout))
    conn.wait_time()  # raises the session's own TimeoutError when one of its timers is due
    raise TimeoutError("no progress on %s:%d within %s s" % (conn.host, conn.port, conn.timeout))


def _like(first, conn, t):
    """A one-request connection like ``first`` to the origin of ``conn``, its connect bounded by the
    chain's deadline ``t`` too (it took connect_timeout whatever remained)."""
    from .urls import connection_like

    c = connection_like(first, conn.host, conn.port, conn.tls)
    c.connect_timeout = c.remaining(t)
    return c
