"""The WebSocket upgrade (HTTPc_WebSockUpgrade) against real servers: the websockets reference server,
aiohttp (HTTP and WebSocket on one port) and the scripted raw server for wrong handshakes."""

import json

from microhttpc import Connection, ws_connect
from microhttpc.errors import ConnectionClosed, HandshakeError, HeaderNotAllowed, UpgradeRefused, UsageError
from check import raises, server, url


def test_upgrade_needs_open_persistent_connection():
    host, port = server("ws")
    conn = Connection(host, port)
    e = raises(UsageError, conn.upgrade, "/")
    assert "open" in str(e)
    conn = Connection(host, port, persistent=False)
    conn.open()
    try:
        e = raises(UsageError, conn.upgrade, "/")
        assert "persistent" in str(e)
    finally:
        conn.close()


def test_owned_headers_refused_others_sent():
    host, port = server("ws")
    with Connection(host, port) as conn:
        for name in ("Connection", "upgrade", "Sec-WebSocket-Key", "SEC-WEBSOCKET-ACCEPT", "Sec-WebSocket-Version"):
            e = raises(HeaderNotAllowed, conn.upgrade, "/", headers={name: "x"})
            assert name in str(e)
        # Nothing was sent: the same connection still upgrades, with the application's own headers.
        ws = conn.upgrade("/headers", headers=[("Origin", "http://board.local"), ("Authorization", "Bearer t"),
                                                ("Cookie", "a=1"), ("X-Custom", "yes")])
        got = [(k.lower(), v) for k, v in json.loads(ws.recv())]
        for item in (("origin", "http://board.local"), ("authorization", "Bearer t"), ("cookie", "a=1"),
                     ("x-custom", "yes"), ("sec-websocket-version", "13"), ("upgrade", "websocket")):
            assert item in got, (item, got)
        assert ws.subprotocol is None and ws.extensions == []
        ws.close()


def test_unknown_keyword_refused_before_the_handshake():
    # The upgrade went out, the 101 came, and only then the keyword was refused: the connection closed
    # with it (ws_connect's too).  Now nothing is sent: the same connection still upgrades.
    host, port = server("http")
    conn = Connection(host, port)
    conn.open()
    stream = conn.stream
    for kw in ({"on_mesage": print}, {"ping_intervall": 5}, {"on_open": print}):
        e = raises(UsageError, conn.upgrade, "/ws", **kw)
        assert "unknown WebSocket keyword" in str(e), e
    assert conn.is_open and conn.stream is stream
    ws = conn.upgrade("/ws", tx_buffer_size=64, buffer_size=1024)  # (the blocking WebSocket's own)
    assert conn.stream is stream
    ws.send("same connection")
    assert ws.recv() == "same connection"
    ws.close()
    raises(UsageError, ws_connect, url("ws", "ws"), max_mesage=5)


def test_ws_connect_refuses_a_keyword_before_connecting():
    # ws_connect checked its arguments only after the connect: to a port that refuses connections a
    # wrong keyword was a ConnectError (over TLS, server_hostname= a TLSError on CPython: the keyword
    # was not one of ws_connect's then; it is now, and a name no TLS stack takes is refused before the
    # connect), and to a silent server a wait until the timeout.  Both layers; a good call to the
    # refusing port still says ConnectError.
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectError

    host, port = server("closed")
    for kw in ({"server_hostname": "a..b"}, {"server_hostname": 5}, {"max_mesage": 5}, {"ping_interval": 0}, {"subprotocols": "chat"},
               {"subprotocols": ["a b"]}, {"headers": {"Upgrade": "x"}}, {"headers": {"X": "a\r\nb"}},
               {"extensions": ["x\n"]}):
        raises(UsageError, ws_connect, "wss://%s:%d/" % (host, port), **kw)
        raises(UsageError, asyncio.run, aio.ws_connect("wss://%s:%d/" % (host, port), **kw))
    ok = {"subprotocols": ["chat"], "headers": {"X": "1"}, "extensions": ["permessage-x"], "ping_interval": 5,
          "server_hostname": "localhost"}
    raises(ConnectError, ws_connect, "ws://%s:%d/" % (host, port), buffer_size=1024, **ok)
    raises(ConnectError, asyncio.run, aio.ws_connect("ws://%s:%d/" % (host, port), **ok))


def test_http_then_upgrade_on_the_same_connection_then_http_refused():
    host, port = server("http")
    conn = Connection(host, port)
    conn.open()
    r = conn.request("GET", "/hello")
    assert r.status == 200 and r.read() == b"hello world"
    ws = conn.upgrade("/ws")
    ws.send("same connection")
    assert ws.recv() == "same connection"
    e = raises(UsageError, conn.request, "GET", "/hello")
    assert "WebSocket" in str(e)
    e = raises(UsageError, conn.upgrade, "/ws")
    assert "already" in str(e)
    assert conn.is_open
    ws.close()
    assert ws.close_code == 1000
    assert not conn.is_open and conn.stream is None  # the connection closes with its WebSocket
    conn.close()  # (still safe)


def test_refused_upgrade_gives_whole_response_and_connection_stays_usable():
    # aiohttp answers /hello with 200 and a body, ignoring the Upgrade headers, and keeps the connection.
    host, port = server("http")
    conn = Connection(host, port)
    conn.open()
    e = raises(UpgradeRefused, conn.upgrade, "/hello")
    r = e.response
    assert r.status == 200 and r.reason == "OK" and r.read() == b"hello world"
    assert r.headers.get("content-type").startswith("text/plain")
    assert conn.is_open
    r = conn.request("GET", "/hello")
    assert r.status == 200 and r.read() == b"hello world"
    conn.close()
    # The raw server does the same and then closes after a second request.
    host, port = server("wsraw")
    conn = Connection(host, port)
    conn.open()
    e = raises(UpgradeRefused, conn.upgrade, "/200body")
    assert e.response.status == 200 and e.response.read() == b"nope!" and "200" in str(e)
    r = conn.request("GET", "/again")
    assert r.status == 200 and r.read() == b"second GET /again HTTP/1.1"
    conn.close()


def test_server_rejection_with_status_and_body():
    # The aiohttp /status route answers 404 with a body whatever the request's headers say.
    host, port = server("http")
    conn = Connection(host, port)
    conn.open()
    e = raises(UpgradeRefused, conn.upgrade, "/status/404")
    assert e.response.status == 404 and e.response.read() == b"status 404"
    conn.close()


def test_wrong_101_answers_fail_and_drop_the_connection():
    host, port = server("wsraw")
    for path, word in (("/badaccept", "Accept"), ("/noconn", "Connection"), ("/noupgrade", "Upgrade"),
                       ("/evilproto", "evil"), ("/ext", "x-unoffered")):
        conn = Connection(host, port)
        conn.open()
        e = raises(HandshakeError, conn.upgrade, path)
        assert word in str(e), (path, str(e))
        assert e.response.status == 101
        assert not conn.is_open, path  # the server switched protocols: the stream is not HTTP any more
        conn.close()


def test_connection_token_list_any_case():
    # "Connection: keep-alive, UPGRADE" and "Upgrade: WebSocket" are valid (RFC 6455 section 4.1).
    ws = ws_connect(url("ws", "wsraw", "/connlist"), timeout=10)
    assert ws.recv() == "listed"
    ws.close()


def test_subprotocols_by_keyword_and_by_header_together():
    # The raw server picks the first offered protocol and reports every offer it saw.
    ws = ws_connect(url("ws", "wsraw", "/proto"), timeout=10, subprotocols=["chat.v2", "chat"],
                    headers={"Sec-WebSocket-Protocol": "raw.one, raw.two"})
    assert ws.subprotocol == "chat.v2"
    assert json.loads(ws.recv()) == ["chat.v2", "chat", "raw.one", "raw.two"]
    ws.close()
    ws = ws_connect(url("ws", "wsraw", "/proto"), timeout=10, headers=[("Sec-WebSocket-Protocol", "only.header")])
    assert ws.subprotocol == "only.header"
    ws.close()
    # aiohttp with a real subprotocol choice.
    ws = ws_connect(url("ws", "http", "/ws?protocols=b,a"), timeout=10, subprotocols=["a", "b"])
    assert ws.subprotocol in ("a", "b")
    ws.close()


def test_frames_in_the_same_read_as_the_101_head_are_kept():
    # The raw server writes the 101 head, a text, a ping and a binary frame in one write.
    pings = []
    ws = ws_connect(url("ws", "wsraw", "/early"), timeout=10, on_ping=pings.append)
    assert ws.recv() == "early"
    assert ws.recv() == b"\x00\x01"
    assert pings == [b"p"]
    assert ws.recv() == "got pong p"  # our automatic PONG reached the server
    ws.close()
    assert raises(ConnectionClosed, ws.recv).code == 1000


def test_reconnect_gives_every_attempt_the_headers_given_as_iterators():
    # A reconnect loop passed the same iterators to every attempt: the first used them up (ws_connect
    # itself takes lists there, as the README says: it reads them twice).
    from microhttpc.backoff import Reconnect

    r = Reconnect(url("ws", "wsraw", "/proto"), 1.0, 2.0, 10.0, None,
                  {"headers": iter([("X-A", "1")]), "subprotocols": iter(["chat"])})
    assert r.kw["headers"] == [("X-A", "1")] and r.kw["subprotocols"] == ["chat"], r.kw
