"""The WebSocket opening handshake (RFC 6455 section 4.1), sans-I/O: the upgrade request's head
(``start_upgrade``) and the checks of the server's 101 (``finish_upgrade``), for the three layers.
Loaded for an upgrade; on MicroPython unloaded once its 101 is checked when a small heap is short (less
than ``_KEEP_FREE`` bytes free then): a WebSocket that runs for days in a small heap does not keep this
code (as ``.mpy`` on the unix port 5 KB of heap beside the WebSocket's modules, 6.4 KB beside the HTTP
modules alone, as in ws_connect), and a reconnect loads it again (about 140 us on the unix port, a
quarter of a reconnect to a local server); with room to spare it stays for the next upgrade.
"""

import binascii

from . import http11
from . import errors
from .rt import urandom
from .errors import UsageError
from .session import count, seconds

# (wsession._OPTS, the callbacks a WebSocket takes: repeated here, so that the handshake loads no
# WebSocket module; ws_connect checks its 101 before they load, see wsconnect)
_OPTS = ("on_msg", "on_msg_rx_init", "on_msg_rx_data", "on_msg_rx_complete", "on_ping", "on_pong",
         "on_close", "on_err")
# The settings every layer's WebSocket takes (a layer adds its own: ``start_upgrade``'s ``more``).
_SETTINGS = ("max_message", "max_frame", "streaming", "rng", "allowed_rsv", "max_events", "timeout", "close_timeout",
             "user_data", "frame_size", "ping_interval", "ping_timeout")


def _err(name, *args):
    """An error only a fault raises (HandshakeError, UpgradeRefused, HeaderNotAllowed): from ``errors2``."""
    return getattr(errors, name)(*args)


def _b64(data):
    """Standard base64 of ``data`` as str (without the newline binascii adds)."""
    return binascii.b2a_base64(data).strip().decode()


try:
    from hashlib import sha1 as _sha1
except ImportError:  # a port without hashlib (or without its SHA-1): the pure-Python one, when needed
    _sha1 = None


def make_key(rng=urandom):
    """A fresh Sec-WebSocket-Key: base64 of 16 random bytes (section 4.1, item 7)."""
    return _b64(_draw(rng, 16))


def _draw(rng, n):
    """``rng(n)``, checked: ``n`` bytes (an empty or short key went out and the server said 400; a str
    passed on MicroPython, and every frame's mask failed after it)."""
    k = rng(n)
    if not isinstance(k, (bytes, bytearray)) or len(k) != n:
        raise UsageError("rng(n) must return n bytes: rng(%d) gave %r" % (n, k))
    return k


def accept_for(key):
    """The Sec-WebSocket-Accept value a server must answer to ``key`` (section 4.2.2, item 5.4): base64
    of the SHA-1 of the key and the GUID of section 1.3 (pure-Python SHA-1 on ports without hashlib)."""
    data = key.encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    if _sha1 is None:
        from .sha1 import sha1

        return _b64(sha1(data))
    return _b64(_sha1(data).digest())


def handshake_headers(key, subprotocols=None, extensions=None):
    """The module-owned upgrade headers (plus the offers), as (name, value) pairs."""
    out = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key),
        ("Sec-WebSocket-Version", "13"),
    ]
    if subprotocols:
        out.append(("Sec-WebSocket-Protocol", ", ".join(subprotocols)))
    if extensions:
        out.append(("Sec-WebSocket-Extensions", ", ".join(extensions)))
    return out


def check_app_headers(headers):
    """Refuse application headers that the module owns (HTTPc_WebSockUpgrade note 3)."""
    for name, _ in headers:
        if name.lower() in ("connection", "upgrade", "sec-websocket-key", "sec-websocket-accept",
                            "sec-websocket-version"):
            raise _err("HeaderNotAllowed",
                "%s is set by the WebSocket upgrade itself; remove it from the request headers" % name
            )


def offers(subprotocols, extensions, app_headers):
    """Everything offered, from the keywords and from raw Sec-WebSocket-Protocol / -Extensions request
    headers alike (RFC 6455 section 11.3.2/11.3.4 allow the headers to repeat, so both ways may be used
    together).  Returns (protocols, extension names) for check_handshake_response()."""
    protos = list(subprotocols or ())
    exts = [e.split(";")[0].strip(" \t") for e in (extensions or ())]
    for name, value in app_headers:
        n = name.lower()
        if n == "sec-websocket-protocol":
            protos.extend(t.strip(" \t") for t in value.split(","))  # (an empty one too: start_upgrade refuses it)
        elif n == "sec-websocket-extensions":
            from .rt import load  # (wsext: only then; a quoted string may hold a comma)

            exts.extend(t.split(";")[0].strip(" \t") for t in load("wsext").split((value,)))
    # Spaces and tabs only, and the names lower-cased once start_upgrade found them tokens (ASCII):
    # CPython's strip() and lower() reach beyond ASCII ("chat\u00a0" passed as "chat", and was sent
    # so; the Kelvin sign's "\u212a-foo" was offered and "k-foo" accepted), MicroPython's do not.
    return protos, exts


def check_handshake_response(head, key, subprotocols=None, extensions=None, response=None):
    """Validate the server's answer to the upgrade (section 4.1, client requirements 1-6).

    ``subprotocols`` and ``extensions`` are what was offered (names; see offers()).  Returns
    (subprotocol or None, [accepted extension values]).  Raises UpgradeRefused (another status than
    101) or HandshakeError (a wrong 101), carrying ``response`` (the caller's full response object).
    """
    if head.status != 101:
        raise _err("UpgradeRefused", "upgrade refused: expected status 101, got %d %s"
                   % (head.status, head.reason), response)
    h = head.headers
    # Exactly "websocket" (case-insensitive; section 4.1, client requirement 2), from an HTTP/1.1 server
    # (a 101 switches an HTTP/1.1 connection only: RFC 9110 section 15.2.2).
    if h.tokens("upgrade") != ["websocket"] or head.version != "HTTP/1.1":
        raise _err("HandshakeError", "a 101 must come from HTTP/1.1 with 'Upgrade: websocket' alone (got %s, "
                   "Upgrade %r)" % (head.version, h.get_all("upgrade")), response)
    if "upgrade" not in h.tokens("connection"):
        raise _err("HandshakeError", "101 response without an 'upgrade' token in Connection (got %r)"
                   % (h.get("connection"),), response)
    accept = h.get_all("sec-websocket-accept")
    want = accept_for(key)
    if len(accept) != 1 or accept[0] != want:  # (a value comes without the spaces around it: no strip(),
        # which took Unicode spaces on CPython alone)
        raise _err("HandshakeError", "wrong Sec-WebSocket-Accept: expected %r, got %r" % (want, accept),
                   response)
    exts = h.get_all("sec-websocket-extensions")
    if exts:  # Section 4.1, client requirement 5: only extensions the client asked for (wsext: only then).
        from .rt import load

        exts = load("wsext").split(exts, response, extensions or ())
    protos = h.get_all("sec-websocket-protocol")
    if not protos:
        return None, exts
    if len(protos) != 1 or "," in protos[0]:
        raise _err("HandshakeError", "server chose more than one subprotocol: %r" % (protos,), response)
    proto = protos[0]
    # Section 4.1, client requirement 6: a subprotocol the client offered (case-sensitive).
    if proto not in (subprotocols or ()):
        raise _err("HandshakeError", "server chose subprotocol %r that was not offered" % (proto,), response)
    return proto, exts


def check_settings(o, more=()):
    """The upgrade's other keywords ``o`` (the WebSocket's settings: the callbacks, ``_SETTINGS`` and the
    layer's ``more``), checked before the handshake on every layer: a wrong or unknown one fails the
    upgrade call and nothing is sent, not the connection right after its 101 (bare errors, or a
    WebSocket that failed at every recv() while it stayed open).  Here, not in the WebSocket modules:
    this code leaves the heap with the handshake."""
    for k in o:
        if k not in _OPTS and k not in _SETTINGS and k not in more:
            raise UsageError("unknown WebSocket keyword %r" % (k,))
    for k in ("timeout", "close_timeout", "ping_interval", "ping_timeout"):
        if seconds(o.get(k), k) == 0 and k[:4] == "ping":
            # (keepalive refuses 0 too: on the blocking and asyncio layers only after the 101, with the
            # connection lost to a WebSocket nobody held; ping_interval=0 turned the keepalive off)
            raise UsageError("%s must be positive seconds or None, not %r" % (k, o[k]))
    for k in ("buffer_size", "tx_buffer_size", "frame_size", "max_message", "max_frame", "max_events"):
        if o.get(k) is not None:
            count(o[k], k, k != "tx_buffer_size" and k != "max_message")
    rsv = o.get("allowed_rsv", 0)
    if type(rsv) is not int or rsv & ~0x70:
        raise UsageError("allowed_rsv takes the RSV bits 0x40, 0x20 and 0x10, not %r" % (rsv,))
    for k in _OPTS + ("rng",):  # (on_close=5 and the like failed at the close, or took the error's place)
        if o.get(k) is not None and not callable(o[k]):
            raise UsageError("%s must be callable, not %r" % (k, o[k]))
    # A callback the mode never calls (every message was dropped unseen: on_msg beside on_msg_rx_init)
    rx = o.get("on_msg_rx_init") or o.get("on_msg_rx_data")
    streaming = o.get("streaming")
    if streaming is not None and streaming is not True and streaming is not False:  # ("yes" was taken)
        raise UsageError("streaming is True, False or None, not %r" % (streaming,))
    if streaming is None:
        streaming = rx is not None  # (as make_protocol)
    if streaming and o.get("on_msg") is not None or not streaming and (rx or o.get("on_msg_rx_complete")) is not None:
        raise UsageError("streaming mode (on_msg_rx_init or on_msg_rx_data, or streaming=True) hands messages to "
                         "on_msg_rx_init/_data/_complete, else they go whole to on_msg: give the one kind")
    if o.get("rng") is not None:
        # Each frame's mask is rng(4): one of another length went into the frame as it was (every
        # frame 12 bytes too long, silently, from an rng that always gave 16), or failed every send
        # and close() after it.
        _draw(o["rng"], 4)


def start_upgrade(s, path, headers=None, subprotocols=None, extensions=None, options=None,
                  more=("buffer_size", "tx_buffer_size")):
    """The session ``s`` writes the WebSocket upgrade request now (RFC 6455 section 4.1): returns its
    head bytes.  Connection, Upgrade, Sec-WebSocket-* and Host are the module's (HeaderNotAllowed); the
    application's headers and the offers go through the same header check as every other header.
    ``options``: the upgrade's other keywords (``rng``; the rest checked by ``check_settings``, with
    ``more``, the names the layer's WebSocket takes besides the common ones: by default the blocking
    one's).  ``s`` None: everything is checked and nothing built (a one-call ``ws_connect`` before it
    connects: a wrong argument costs no connection)."""
    o = options or {}
    check_settings(o, more)
    rng = o.get("rng")
    if s is not None and not s.persistent:
        raise UsageError("WebSocket upgrade needs a persistent connection (persistent=True)")
    try:
        if type(path) is not str or path[:1] != "/" or isinstance(subprotocols, str) or isinstance(extensions, str):
            raise TypeError  # (a str of offers went out letter by letter: "c, h, a, t")
        subprotocols, extensions = list(subprotocols or ()), list(extensions or ())  # (a generator: read once)
    except TypeError:
        raise UsageError("upgrade() takes a path that starts with '/' and lists of subprotocols and extensions, "
                         "not %r" % ((path, subprotocols, extensions),))
    path = path.split(str(b"#", "utf-8"), 1)[0]  # a fragment is not sent (RFC 6455 section 3; see request.py)
    hdrs = []
    if headers is not None:
        from .rt import load  # only then: ws_connect() without headers never loads it

        hdrs = load("request").Request("GET", path, headers=headers).user_headers()  # checked like any request's
    check_app_headers(hdrs)
    for e in extensions:
        if type(e) is not str:
            raise UsageError("invalid extension %r: expected a str" % (e,))
        http11.check_header("Sec-WebSocket-Extensions", e)
        if "," in e or '"' in e:  # (wsext: only then; a quote not ended is UsageError there)
            from .rt import load

            if load("wsext").split((e,)) != [e.strip(" \t")]:  # one extension per item: "a, b" offered a
                # alone (its name was all that was checked) and sent b too, so a 101 that took b failed
                raise UsageError("invalid extension %r: one extension per item of extensions=" % (e,))
    offered = offers(subprotocols, extensions, hdrs)
    for t in offered[0]:  # the keyword's and a raw Sec-WebSocket-Protocol header's alike
        if type(t) is not str or not http11._is_token(t) or offered[0].count(t) > 1:
            raise UsageError("invalid subprotocol %r: expected an RFC 9110 token, offered once" % (t,))
    for t in offered[1]:  # (section 9.1: an extension's name is a token)
        if not http11._is_token(t):
            raise UsageError("invalid extension %r: its name is not an RFC 9110 token" % (t,))
    offered = offered[0], [t.lower() for t in offered[1]]
    if s is None:
        return None
    key = make_key(rng) if rng else make_key()
    # The module's own names and values (a base64 key, constants) need no check.
    head = http11.build_request_head("GET", path, [("Host", s.host_header)]
                                     + handshake_headers(key, subprotocols, extensions) + hdrs)
    s.begin("GET", None, path)
    s.upgrading = (key,) + offered + (_unload,)  # (the last: for Session.lost, an upgrade that ends before its 101)
    return head


def finish_upgrade(s, resp):
    """Check the server's 101 to the session's upgrade (RFC 6455 section 4.1): returns (subprotocol,
    accepted extensions, the bytes that followed the head, already frames).  Raises HandshakeError;
    the connection can't carry HTTP after a 101 either way."""
    key, protos, exts, _ = s.upgrading
    s.upgrading = None
    s.reusable = False
    try:
        sub, accepted = check_handshake_response(resp, key, protos, exts, resp)
    finally:
        _unload()  # checked: this module's work is done, right or wrong
    s.upgraded = True
    s.t_end = s._t_head = None  # the upgrade's deadline ends with it (asyncio's WebSocket writes met it)
    resp.request = resp._conn = None  # the upgrade's Request and connection: not kept for the WebSocket's
    # life (ws_connect's Connection is garbage then; the 101's ``url`` is None)
    leftover = s.parser.take_leftover()
    s.parser = None
    return sub, accepted, leftover


# Bytes of heap this module's unload keeps free; 0: it stays (CPython; more than 256 KiB free when it
# loaded, PSRAM: its 5-6 KB are not missed there, and counting the free bytes walks the table of the
# whole heap, 0.64 ms an upgrade with 8 MB on the unix port).  (A module attribute, not const(): a test
# changes it.)
_KEEP_FREE = 0
try:
    import gc

    if gc.mem_free() <= 262144:  # (rt._SHORT)
        _KEEP_FREE = 16384
except AttributeError:  # CPython
    pass


def _unload():
    """Drop this module (see the docstring) from ``sys.modules`` and from the package, when less than
    ``_KEEP_FREE`` bytes of the heap are free once the garbage is collected.  (Without the collection
    the garbage of the upgrade decided: with 32 KiB, half of the reconnects of a loop in a 128 KiB heap
    unloaded it, at about 37 KB free.)"""
    import gc
    import sys

    if not _KEEP_FREE:
        return
    # (The blocking layer loads the WebSocket's modules after the 101, about 30 KB: room for them too.)
    keep = _KEEP_FREE if "microhttpc.rfc6455" in sys.modules else _KEEP_FREE + 30720
    if gc.mem_free() >= keep:
        return
    gc.collect()  # (only then: a collection costs half a reload)
    if gc.mem_free() >= keep:
        return
    sys.modules.pop(__name__, None)  # (a thread's load of it, under rt.lock, finds it whole or not at all)
    # (pop(), not delattr(): the port's delattr leaves the module in the freed slot of the package's dict)
    sys.modules["microhttpc"].__dict__.pop("handshake", None)
