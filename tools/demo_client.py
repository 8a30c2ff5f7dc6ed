"""The demo: one persistent connection, one HTTP GET, then the WebSocket upgrade on that same
connection, a text echo, a binary echo, a ping/pong and a clean close with code 1000.

Runs on the MicroPython unix port (``make demo``) and on CPython alike:
    micropython tools/demo_client.py 127.0.0.1:PORT
Exit status 0 when every step worked.
"""

import sys

import microhttpc


def step(msg):
    print("  " + msg)


def main(addr):
    print("runtime: %s %s" % (sys.implementation.name, ".".join([str(x) for x in sys.implementation.version])))
    print("implementation: %r" % (sys.implementation,))
    host, port = addr.rsplit(":", 1)
    conn = microhttpc.Connection(host, int(port), timeout=10)
    conn.open()
    step("connected to %s:%s (persistent)" % (host, port))

    r = conn.request("GET", "/hello")
    body = r.read()
    step("GET /hello -> %d %s, %d bytes: %r" % (r.status, r.reason, len(body), body))
    assert r.status == 200 and body == b"hello world", "unexpected HTTP answer"

    ws = conn.upgrade("/ws")
    step("upgraded the same connection to WebSocket: %d %s" % (ws.response.status, ws.response.reason))

    ws.send("hello, websocket")
    got = ws.recv()
    step("text echo: %r" % (got,))
    assert got == "hello, websocket", "text echo mismatch"

    data = bytes(range(256))
    ws.send(data)
    got = ws.recv()
    step("binary echo: %d bytes, equal=%s" % (len(got), got == data))
    assert got == data, "binary echo mismatch"

    pongs = []
    ws.on_pong = pongs.append
    ws.ping(b"are you there?")
    while not pongs:
        ws.poll(5)
    step("ping -> pong %r" % (pongs[0],))
    assert bytes(pongs[0]) == b"are you there?", "pong payload mismatch"

    ws.close(1000, "demo done")
    code = ws.close_code
    step("closed: server answered code %s" % (code,))
    assert code == 1000, "expected a 1000 close"
    conn.close()
    print("demo: all steps OK")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as exc:
        print("demo FAILED: %r" % (exc,))
        if hasattr(sys, "print_exception"):
            sys.print_exception(exc)
        else:
            import traceback

            traceback.print_exc()
        sys.exit(1)
