"""Sans-I/O: an absolute URL split into (scheme, host, port, target).  Its own small module so that
``ws_connect(url)`` and the one-call functions load it without the redirect rules of ``urls`` (which
re-exports both names).  Must not: touch sockets or clocks.
"""

from .errors import UsageError


def default_port(scheme):
    """443 for https and wss, else 80."""
    return 443 if scheme in ("https", "wss") else 80


def split_url(url):
    """``scheme://host[:port]/path?query`` -> (scheme, host, port, target); the target is at least "/".

    Fragments are dropped (RFC 9110 section 7.1: never sent).  Credentials in the authority are refused.
    """
    if not isinstance(url, str):
        raise UsageError("a URL is a str, not %s" % type(url).__name__)
    i = url.find("://")
    if i <= 0:
        raise UsageError("not an absolute URL: %r" % (url,))
    scheme = url[:i].lower()
    if scheme not in ("http", "https", "ws", "wss"):
        raise UsageError("unsupported scheme %r in %r" % (scheme, url))
    rest = url[i + 3 :]
    h = rest.find("#")
    if h >= 0:
        rest = rest[:h]
    end = len(rest)
    for sep in "/?":
        j = rest.find(sep)
        if 0 <= j < end:
            end = j
    hostport, target = rest[:end], rest[end:]
    if not target.startswith("/"):
        target = "/" + target
    if "@" in hostport:
        raise UsageError("credentials in the URL are not supported; send an Authorization header")
    port = None
    if hostport.startswith("["):
        k = hostport.find("]")
        if k < 0:
            raise UsageError("unterminated IPv6 literal in %r" % (url,))
        host = hostport[1:k]
        tail = hostport[k + 1 :]
        if tail and not tail.startswith(":"):
            raise UsageError("unexpected %r after the IPv6 literal in %r" % (tail, url))
        if tail[1:]:
            port = tail[1:]
    elif ":" in hostport:
        host, port = hostport.rsplit(":", 1)
        if not port:
            port = None
    else:
        host = hostport
    bad = not host or (":" in host) != hostport.startswith("[")  # (an IPv6 literal in brackets, nothing else)
    try:
        b = host.encode()
    except UnicodeError:  # (CPython: a lone surrogate, as a byte that sys.argv could not decode gives)
        b = b"\0"
    for c in b:  # no space, control or character a URI never holds (non-ASCII: IDNA)
        bad = bad or c <= 32 or c == 127 or c in b'"<>\\^`{|}'
    if bad:
        raise UsageError("no host, or not a name or address (an IPv6 one in brackets), in %r" % (url,))
    if port is not None:
        if port.strip("0123456789") or len(port) > 9 or not 0 < int(port) < 65536:  # ASCII digits only
            raise UsageError("invalid port in %r" % (url,))
        port = int(port)
    return scheme, host, port or default_port(scheme), target
