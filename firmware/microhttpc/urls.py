"""Sans-I/O URLs and redirects: splitting and resolving URLs (RFC 3986 section 5), origins, and the
rules for following a redirect (RFC 9110 section 15.4).

Owns: what a Location header means relative to the request it answers, which method and body the
next request carries, and which headers must not leave the origin.  Must not: touch sockets or clocks.
Imported only when a request has an absolute target or a redirect is followed.
"""

from .errors import UsageError
from .request import Request
from .urlsplit import default_port, split_url  # noqa: F401  (urls.split_url, as before)

# RFC 9110 section 15.4: the redirect status codes that carry a Location to follow.
REDIRECT_CODES = (301, 302, 303, 307, 308)
# Credentials that must not follow a redirect to another origin (RFC 9110 section 15.4).
_CREDENTIALS = ("authorization", "cookie", "proxy-authorization")


# -- URLs -------------------------------------------------------------------------------------------
def make_url(scheme, host, port, target):
    """``scheme://host[:port]target`` (the port only when not the scheme's default)."""
    if ":" in host:
        host = "[" + host + "]"
    if port != default_port(scheme):
        host = "%s:%d" % (host, port)
    return "%s://%s%s" % (scheme, host, "" if target == "*" else target)  # (OPTIONS *: the server itself)


def _remove_dot_segments(path):
    # RFC 3986 section 5.2.4, on whole segments.
    out = []
    segs = path.split("/")
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    res = "/".join(out)
    return res if res.startswith("/") else "/" + res


def resolve_url(base, ref):
    """Resolve the reference ``ref`` (absolute, protocol-relative ``//host/x``, absolute-path ``/x``,
    relative ``x``, or query-only ``?q``) against the absolute URL ``base`` (RFC 3986 section 5.2)."""
    ref = ref.strip(" \t\n\r\x0b\x0c")  # (ASCII: CPython's strip() took U+00A0 and the like, MicroPython's not)
    h = ref.find("#")
    if h >= 0:
        ref = ref[:h]
    if _has_scheme(ref) or ref.startswith("//"):  # (dot segments go there too: section 5.2.2)
        scheme, host, port, new = split_url(ref if ref[0] != "/" else split_url(base)[0] + ":" + ref)
    else:
        scheme, host, port, target = split_url(base)
        q = target.find("?")
        path = target if q < 0 else target[:q]
        if not ref:
            return make_url(scheme, host, port, target)
        if ref.startswith("?"):
            return make_url(scheme, host, port, path + ref)
        new = ref if ref.startswith("/") else path[: path.rfind("/") + 1] + ref
    q = new.find("?")
    p, query = (new, "") if q < 0 else (new[:q], new[q:])
    return make_url(scheme, host, port, _remove_dot_segments(p) + query)


def _has_scheme(ref):
    # RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ":"
    # (On its bytes: a character taken from a str by a loop or an index is interned on MicroPython, for
    # good, and a server chooses this text.)
    c = ref.find(":")
    if c <= 0:
        return False
    try:
        raw = ref[:c].encode()
    except UnicodeError:  # (CPython: a lone surrogate)
        return False
    for i in range(len(raw)):
        b = raw[i]
        if not (65 <= b & 0xDF <= 90 or i and (48 <= b <= 57 or b in b"+-.")):
            return False
    return True


def redirect_method(status, method):
    """(method, keep_body) for following a ``status`` redirect of a ``method`` request.

    RFC 9110 section 15.4: 303 becomes GET (HEAD stays HEAD); 301 and 302 turn POST into GET, as every
    browser does (section 15.4.2/15.4.3 note); 307 and 308 keep the method and the body.
    """
    if status == 303 and method != "HEAD":
        return "GET", False
    if status in (301, 302) and method == "POST":
        return "GET", False
    return method, True



def redirect_request(req, status, target, cross_origin, headers):
    """The Request to send after a ``status`` redirect to ``target`` (a path), or None when it can't
    be followed (a 307/308 whose body can't be sent again).  ``headers`` are the resolved headers of
    ``req``; credentials are dropped when the redirect leaves the origin, and the content headers
    when the body is dropped."""
    method, keep_body = redirect_method(status, req.method)
    if keep_body and not req.replayable():
        return None
    hdrs = []
    for k, v in headers:
        kl = k.lower()
        if cross_origin and kl in _CREDENTIALS:
            continue
        if not keep_body and kl in ("content-type", "content-encoding", "content-language"):
            continue
        hdrs.append((k, v))
    r = Request(method, target, None, None, req.body if keep_body else None,
                req.content_length if keep_body else None, req.form if keep_body else None,
                req.multipart and keep_body, req.content_type if keep_body else None, req.on_header, req.on_body,
                req.follow_redirects, req.user_data, req.rng)
    r.headers, r.deadline = hdrs, req.deadline  # (the chain's (tick, seconds): not a user's, not checked again)
    return r


def same_origin(conn, scheme, host, port):
    """True when (scheme, host, port) is the origin of ``conn`` (RFC 6454: all three equal)."""
    return (scheme in ("https", "wss")) == bool(conn.tls) and host.lower() == conn.host.lower() and port == conn.port


def origin_path(conn, url):
    """The path of the absolute URI ``url``, which must be of ``conn``'s origin (UsageError)."""
    scheme, host, port, path = split_url(url)
    if not same_origin(conn, scheme, host, port):
        raise UsageError("%s is not on this connection's origin %s://%s: use a connection to it"
                         % (url, conn.scheme, conn.host_header))
    return path


def next_hop(first, conn, resp, cur, hdrs, limit, history):
    """The redirect verdict (RFC 9110 section 15.4) for ``resp``, the answer to Request ``cur`` on
    ``conn`` (``first``, the connection the chain began on, or one made for another origin), ``hdrs``
    its resolved headers, ``limit`` the hops allowed, ``history`` the (status, url) of those taken
    (appended to): None to stop here, else (the connection to use, the next Request, its path).
    Another origin gets a one-request connection of ``first``'s class with its settings
    (``Connection: close``).  One hop too many raises TooManyRedirects."""
    loc = resp.headers.get_all("location")  # (the first, if a server sent more than one)
    loc = loc[0] if loc else None
    if not limit or resp.status not in REDIRECT_CODES or loc is None:
        return None
    if len(history) >= limit:
        from .errors import TooManyRedirects

        resp._history = history  # (the hops taken: it was [], as requests' response.history is not)
        raise TooManyRedirects("more than %d redirects (last: %d to %s)" % (limit, resp.status, loc), resp)
    try:
        scheme, host, port, path = split_url(resolve_url(resp.url, loc))
        if scheme not in ("http", "https"):  # (ws/wss: not an HTTP URI; it was followed as http)
            raise UsageError("unsupported scheme %r" % scheme)
        from .bodies import iri

        iri(path)  # (a control character: the next hop's head refused it, a UsageError, after the 3xx)
    except UsageError as exc:  # (the server's URL, not the caller's: a protocol error)
        from .errors import ProtocolError

        raise ProtocolError("the redirect's Location %r can't be followed: %s" % (loc[:200], exc))
    nxt = redirect_request(cur, resp.status, path, not same_origin(first, scheme, host, port), hdrs)
    if nxt is None:
        return None
    # A deadline bounds the whole chain: the next hop ends when it does, the drain of this 3xx's body
    # and a connect included (its (tick, seconds), for Session.begin).
    nxt.deadline = t = conn.t_end
    history.append((resp.status, resp.url))
    if same_origin(first, scheme, host, port):
        conn = back_to(first, t)
    elif not same_origin(conn, scheme, host, port):
        try:
            conn = connection_like(first, host, port, scheme in ("https", "wss"))
        except UsageError as exc:  # a name with no IDNA form (CPython): unresolvable, as on MicroPython
            from .errors import ConnectError

            raise ConnectError("cannot resolve %r: %s" % (host, exc))
        conn.connect_timeout = conn.remaining(t)
    return conn, nxt, path


def back_to(first, t):
    """The connection for a hop back to the origin of ``first``, where the chain began: ``first``, unless
    it became a WebSocket, or is becoming one, while the chain was away (another task's upgrade on
    aio, an upgrade queued behind the request on poll): then a one-request connection like it, its
    connect bounded by the chain's deadline ``t``.  (aio's hop closed the other task's WebSocket and
    reconnected, and that task's frames went to the new HTTP connection; poll's waited behind the
    WebSocket, past its deadline.)"""
    if not first.upgraded and first.upgrading is None:
        return first
    conn = connection_like(first, first.host, first.port, first.tls)
    conn.connect_timeout = conn.remaining(t)
    return conn


def connection_like(first, host, port, tls):
    """A one-request connection (``Connection: close``) to host:port of ``first``'s class, with its
    settings, not connected yet."""
    m = first.limits
    return first.__class__(host, port, tls, False, first.connect_timeout, first.timeout, first.ssl_context,
                           first.cadata, first.verify, first.server_hostname if host.lower() == first.host.lower()
                           else None, first.buffer_size, m[0], m[1], m[2], m[3], first.max_body, None, 0,
                           first.drain_limit, first.deadline, first.drain_timeout, m[4])
