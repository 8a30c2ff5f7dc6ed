"""One-call requests, as in ``requests`` (loaded on first use; the asyncio ones are in ``aio``):

    import microhttpc
    r = microhttpc.get("http://example.com/items", query={"q": 1}).raise_for_status()
    print(r.status, r.json())
    microhttpc.post("http://example.com/items", json={"a": 1}, auth=("user", "secret"))
    microhttpc.close_all()                  # close the connections kept between calls

``request(method, url, **kw)`` (here: ``microhttpc.api.request``, since ``microhttpc.request`` is the
module of ``Request``) and ``get``, ``post``, ``put``, ``patch``, ``delete``, ``head``.  Each origin
(scheme, host, port, and the TLS settings ``ssl_context``, ``cadata``, ``verify``) keeps one keep-alive
``Connection`` between calls; one the server closed is reopened.  Redirects are followed
(``follow_redirects=10``; 0 returns the 3xx).  The body is read before the call returns (at most
``max_body`` bytes, default 1 MiB; ``on_body`` streams it instead), so ``read()``, ``text()``,
``json()`` and ``iter_lines()`` work afterwards.  ``timeout`` (30 s) and ``connect_timeout`` (10 s)
apply to the call; every other keyword is a ``Request`` keyword (headers, query, body, json, form,
auth, content_type, deadline ...).
"""

from .errors import UsageError

_POOL = {}


def pooled(pool, url, tls_kw, kind, timeout, connect_timeout, max_body):
    """(connection of ``url``'s origin, taken out of the pool, or a new one, with the call's settings;
    pool key; target).  The settings are checked first: a wrong one never reaches a pooled connection
    (aio: a bare ValueError there left the connection refusing every later call to its origin)."""
    from .rt import load, seconds  # (load, not plain imports: a thread may be loading them, see rt.load)

    count = load("session").count
    split_url = load("urlsplit").split_url
    seconds(timeout, "timeout")
    seconds(connect_timeout, "connect_timeout")
    if max_body is not None:
        count(max_body, "max_body")
    scheme, host, port, target = split_url(url)
    if scheme not in ("http", "https"):
        raise UsageError("expected an http:// or https:// URL, got %r" % (url,))
    if isinstance(tls_kw[1], bytearray):  # (the pool's key: bytes; a Connection takes either)
        tls_kw = (tls_kw[0], bytes(tls_kw[1]), tls_kw[2])
    # (cadata's type before it: a str and bytes of the same text hash alike, and MicroPython warned
    # "Comparison between bytes and str" on the console as the pool compared them)
    key = (scheme, host.lower(), port, tls_kw[0], type(tls_kw[1])) + tls_kw[1:]
    try:
        hash(key)  # (a list: a bare TypeError as the call gave its connection back, which then leaked)
    except TypeError:
        raise UsageError("ssl_context takes an ssl.SSLContext, cadata PEM text or DER bytes and verify True "
                         "or False, not %r, %r and %r" % tls_kw)
    conn = pool.pop(key, None)
    if conn is None:
        conn = kind(host, port, tls=scheme == "https", ssl_context=tls_kw[0], cadata=tls_kw[1],
                    verify=tls_kw[2])
    conn.timeout = timeout
    conn.connect_timeout = connect_timeout
    conn.max_body = max_body
    return conn, key, target


def give_back(pool, conn, key):
    """Keep ``conn`` for the next call to its origin: None, or ``conn`` when there is one already
    (another call put its own back meanwhile) and this one must be closed.  One dict call: between a
    look and a store another thread's connection was replaced, and leaked."""
    return None if pool.setdefault(key, conn) is conn else conn


def request(method, url, timeout=30.0, connect_timeout=10.0, max_body=1 << 20, follow_redirects=10,
            ssl_context=None, cadata=None, verify=True, **kw):
    """Send one request to ``url`` and return its Response with the body read."""
    from .rt import load

    Connection = load("client").Connection
    conn, key, target = pooled(_POOL, url, (ssl_context, cadata, verify), Connection, timeout, connect_timeout,
                               max_body)
    try:
        r = conn.request(method, target, follow_redirects=10 if follow_redirects is None else follow_redirects, **kw)
        r.read()
        return r
    finally:
        extra = give_back(_POOL, conn, key)
        if extra is not None:
            extra.close()


def get(url, **kw):
    """``request("GET", url, **kw)``."""
    return request("GET", url, **kw)


def post(url, **kw):
    """``request("POST", url, **kw)``."""
    return request("POST", url, **kw)


def put(url, **kw):
    """``request("PUT", url, **kw)``."""
    return request("PUT", url, **kw)


def patch(url, **kw):
    """``request("PATCH", url, **kw)``."""
    return request("PATCH", url, **kw)


def delete(url, **kw):
    """``request("DELETE", url, **kw)``."""
    return request("DELETE", url, **kw)


def head(url, **kw):
    """``request("HEAD", url, **kw)``."""
    return request("HEAD", url, **kw)


def close_all():
    """Close the connections kept between calls (the next call opens a new one)."""
    while True:
        try:
            conn = _POOL.popitem()[1]
        except KeyError:  # (empty: another thread's close_all() may have taken the last one since a look)
            return
        conn.close()
