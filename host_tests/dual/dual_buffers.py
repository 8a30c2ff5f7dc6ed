"""Receive buffers across connections (``rtio.long_lived`` / ``give_back``): the buffer of a closed
connection is the next connection's (a reconnecting board reuses one block instead of leaving a hole
per connection); the buffer of an open connection or WebSocket is never handed out, nor is one given
back twice."""

from microhttpc import Connection, ws_connect
from check import server, url


def test_a_reconnect_reuses_the_closed_connections_buffer():
    host, port = server("http")
    c1 = Connection(host, port).open()
    buf = c1._buf
    assert c1.request("GET", "/hello").read() == b"hello world"
    c1.close()
    c1.close()  # closing again gives nothing back a second time
    c2 = Connection(host, port).open()
    c3 = Connection(host, port).open()
    try:
        assert c2._buf is buf  # the one block, again
        assert c3._buf is not buf  # an open connection's buffer is never handed out
        assert c2.request("GET", "/hello").read() == b"hello world"
        assert c3.request("GET", "/hello").read() == b"hello world"
    finally:
        c2.close()
        c3.close()


def test_a_websocket_keeps_its_buffer_until_it_closes():
    host, port = server("ws")
    ws = ws_connect(url("ws", "ws"))
    buf = ws._buf
    c = Connection(host, port).open()
    try:
        assert c._buf is not buf  # the WebSocket's, while it is open
        ws.send("still mine")
        assert ws.recv() == "still mine"
        ws.close()
        ws.close()
        c2 = Connection(host, port).open()
        c3 = Connection(host, port).open()
        assert c2._buf is buf and c3._buf is not buf  # given back once, when the WebSocket closed
        c2.close()
        c3.close()
    finally:
        c.close()


def test_an_upgraded_connection_hands_its_buffer_to_the_websocket():
    host, port = server("http")
    conn = Connection(host, port).open()
    assert conn.request("GET", "/hello").read() == b"hello world"
    ws = conn.upgrade("/ws")
    assert conn._buf is None  # the connection is the WebSocket's now, and so is the buffer
    buf = ws._buf
    ws.send(b"\x00\x01")
    assert ws.recv() == b"\x00\x01"
    ws.close()
    assert not conn.is_open
    conn.close()
    c2 = Connection(host, port).open()
    try:
        assert c2._buf is buf
        assert c2.request("GET", "/hello").read() == b"hello world"
    finally:
        c2.close()
