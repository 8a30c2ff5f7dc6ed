"""WebSocket over TLS (wss://): the upgrade and the frames on a verified TLS connection (aiohttp over
TLS with a certificate from the session's test CA)."""

import os

from microhttpc import Connection, ws_connect
from check import server


def ca():
    with open(os.getenv("MHC_TLS_CA"), "rb") as f:
        return f.read()


def test_wss_echo_ping_close():
    host, port = server("tls")
    pongs = []
    ws = ws_connect("wss://localhost:%d/ws" % port, timeout=10, cadata=ca(), on_pong=pongs.append,
                    frame_size=100)
    ws.send("over TLS " * 30)  # fragmented into 100-byte frames
    assert ws.recv() == "over TLS " * 30
    ws.send(b"\x00\x01\x02")
    assert ws.recv() == b"\x00\x01\x02"
    ws.ping(b"tls")
    ws.send("after ping")
    assert ws.recv() == "after ping"
    assert pongs == [b"tls"]
    ws.close()
    assert ws.close_code == 1000


def test_https_request_then_upgrade_same_tls_connection():
    host, port = server("tls")
    conn = Connection(host, port, tls=True, timeout=10, cadata=ca(), server_hostname="localhost")
    conn.open()
    r = conn.request("GET", "/hello")
    assert r.status == 200 and r.read() == b"hello world"
    ws = conn.upgrade("/ws")
    ws.send("same TLS connection")
    assert ws.recv() == "same TLS connection"
    ws.close()
    conn.close()


def test_wss_poll_0_and_recv_0_find_nothing_and_keep_the_connection():
    # Nothing there: poll(0) is False and recv(0) a TimeoutError, the connection goes on (CPython's TLS
    # socket with a zero timeout raised SSLWantReadError, taken for a lost connection: 1006).
    from microhttpc.errors import TimeoutError

    host, port = server("tls")
    ws = ws_connect("wss://localhost:%d/ws" % port, timeout=10, cadata=ca())
    assert ws.poll(0) is False
    try:
        ws.recv(0)
        raise AssertionError("recv(0) returned")
    except TimeoutError:
        pass
    ws.send("still here")
    assert ws.recv() == "still here"
    ws.close()
    assert ws.close_code == 1000


def test_wss_reset_in_the_middle_ends_the_websocket_as_on_tcp():
    # The server resets the connection after a message: the next write ends the WebSocket (1006), as on
    # plain TCP.  MicroPython's blocking layer took any failed TLS write (an mbedTLS code) for a TLS
    # verdict: send() raised TLSError and left the socket open.
    import time

    from microhttpc.errors import ConnectionClosed

    host, port = server("tls")
    closes = []
    ws = ws_connect("wss://localhost:%d/ws" % port, timeout=10, cadata=ca(),
                    on_close=lambda c, r: closes.append(c))
    ws.send("reset-me")
    time.sleep(0.3)
    sent = 0
    try:
        while sent < 50:
            ws.send("x" * 1000)
            sent += 1
            time.sleep(0.01)
    except ConnectionClosed as e:
        assert e.code == 1006, e
    assert ws.closed and sent < 50, sent
    try:
        ws.recv()
        raise AssertionError("recv() returned")
    except ConnectionClosed as e:
        assert e.code == 1006, e
    assert closes == [1006], closes
