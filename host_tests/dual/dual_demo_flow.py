"""End to end against the aiohttp server: HTTP then the WebSocket upgrade on the same connection."""

import microhttpc
from check import server


def test_get_then_upgrade_same_connection():
    host, port = server("http")
    conn = microhttpc.Connection(host, port, timeout=10)
    conn.open()
    r = conn.request("GET", "/hello")
    assert r.status == 200
    assert r.reason == "OK"
    assert r.read() == b"hello world"
    sock_before = conn.stream
    ws = conn.upgrade("/ws")
    assert conn.stream is sock_before  # the same TCP connection carried the upgrade
    ws.send("hi")
    assert ws.recv() == "hi"
    ws.send(b"\x00\x01\xff")
    assert ws.recv() == b"\x00\x01\xff"
    ws.close()
    assert ws.close_code == 1000
    conn.close()


def test_keep_alive_reuses_connection():
    host, port = server("http")
    conn = microhttpc.Connection(host, port, timeout=10)
    conn.open()
    first = conn.stream
    for i in range(3):
        r = conn.request("GET", "/hello")
        assert r.read() == b"hello world"
    assert conn.stream is first
    conn.close()


def test_http_refused_after_upgrade():
    host, port = server("http")
    conn = microhttpc.Connection(host, port, timeout=10)
    conn.open()
    ws = conn.upgrade("/ws")
    try:
        conn.request("GET", "/hello")
        raise AssertionError("HTTP request allowed on an upgraded connection")
    except microhttpc.UsageError as exc:
        assert "WebSocket" in str(exc)
    ws.close()
    conn.close()
