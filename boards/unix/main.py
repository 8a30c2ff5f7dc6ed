"""microhttpc example for the MicroPython unix port (the board that needs no hardware).

    micropython main.py                          # with lib/microhttpc and config.py beside it
    MHC_SERVER=127.0.0.1:8080 micropython main.py

One HTTP GET, then a WebSocket session that echoes MESSAGES messages and survives a server restart:
when the connection drops it reconnects with exponential backoff (1 s, 2 s, 4 s ... 30 s, with
jitter: microhttpc.reconnect).  The ESP32 and Pico W examples are this file plus a Wi-Fi connect.
"""

import gc
import os
import time

import microhttpc

try:
    import config
except ImportError:
    print("config.py is missing: copy config_template.py to config.py and fill it in")
    raise

SERVER = os.getenv("MHC_SERVER") or config.SERVER


def mem():
    gc.collect()
    return gc.mem_alloc()


def connect():
    host, port = SERVER.rsplit(":", 1)
    conn = microhttpc.Connection(host, int(port), timeout=10, tls=config.TLS, cadata=config.CADATA)
    conn.open()
    return conn


def http_get():
    conn = connect()
    try:
        r = conn.request("GET", config.HTTP_PATH)
        body = r.read()
        print("http: GET %s -> %d %s, %d bytes: %r" % (config.HTTP_PATH, r.status, r.reason, len(body), body[:60]))
    finally:
        conn.close()


def open_ws():
    """One attempt: a new connection and its upgrade (the reconnect loop calls this each time)."""
    conn = connect()
    try:
        ws = conn.upgrade(config.WS_PATH, ping_interval=getattr(config, "PING_INTERVAL", None))
    except BaseException:
        conn.close()
        raise
    print("ws: connected to %s%s, heap in use %d bytes" % (SERVER, config.WS_PATH, mem()))
    return ws


def on_retry(exc, delay):
    print("ws: connection lost (%s: %s); reconnecting in %.1f s" % (type(exc).__name__, exc, delay))


def ws_session(messages):
    """Echo ``messages`` messages (None: forever).  microhttpc.reconnect opens the WebSocket again
    whenever the link drops, waiting 1 s, 2 s, 4 s ... 30 s (with some jitter) between failed
    attempts; the loop ends with our own close(1000)."""
    done = 0
    for ws in microhttpc.reconnect(open_ws, base_delay=1, max_delay=30, on_retry=on_retry):
        try:
            while messages is None or done < messages:
                text = "message %d" % (done + 1)
                ws.send(text)
                got = ws.recv(timeout=10)
                if got != text:
                    raise microhttpc.ProtocolError("echo mismatch: sent %r, got %r" % (text, got))
                done += 1
                print("ws: echo %d ok" % done)
                time.sleep(config.INTERVAL)
            ws.close(1000)
            print("ws: closed with code %s" % (ws.close_code,))
        except (microhttpc.HTTPCError, OSError):
            pass  # on_retry says what ended it; the loop reconnects
    return done


def main():
    print("microhttpc %s, heap in use after import %d bytes" % (microhttpc.__version__, mem()))
    http_get()
    done = ws_session(config.MESSAGES)
    print("done: %d messages echoed, heap in use %d bytes" % (done, mem()))


main()
