"""microhttpc example for ESP32 boards (ESP32, ESP32-S2, ESP32-S3, ESP32-C3 ...).

Deploy it with the package (see boards/esp32/NOTES.md):
    cp boards/esp32/config_template.py boards/esp32/config.py      # then edit config.py
    python tools/deploy.py --port /dev/ttyUSB0 --board esp32 --mpy --main

At boot: join Wi-Fi (timeout and retries from config.py), one HTTP GET, then a WebSocket session that
echoes a message every INTERVAL seconds and survives a server restart: when the connection drops it
reconnects with exponential backoff (1 s, 2 s, 4 s ... 30 s, with jitter: microhttpc.reconnect).
Anything else resets the board.
"""

import gc
import sys
import time

import machine
import network

import microhttpc

try:
    import config
except ImportError:
    print("config.py is missing: copy config_template.py to config.py and fill it in")
    raise

SERVER = config.SERVER


def wifi_connect():
    """Join the network from config.py: WIFI_RETRIES attempts of WIFI_TIMEOUT seconds each.
    Called again before every connection, so a dropped Wi-Fi is rejoined with the server."""
    wlan = network.WLAN(network.STA_IF)
    if wlan.isconnected():
        return wlan
    wlan.active(True)
    for attempt in range(1, config.WIFI_RETRIES + 1):
        print("wifi: connecting to %r (attempt %d of %d)" % (config.WIFI_SSID, attempt, config.WIFI_RETRIES))
        wlan.connect(config.WIFI_SSID, config.WIFI_PASSWORD)
        t0 = time.ticks_ms()
        while not wlan.isconnected() and time.ticks_diff(time.ticks_ms(), t0) < config.WIFI_TIMEOUT * 1000:
            time.sleep_ms(200)
        if wlan.isconnected():
            break
        wlan.disconnect()
        time.sleep(attempt)  # back off a little more each time
    if not wlan.isconnected():
        raise OSError("wifi: no connection to %r after %d attempts" % (config.WIFI_SSID, config.WIFI_RETRIES))
    print("wifi: connected, address %s" % (wlan.ifconfig()[0],))
    return wlan


def mem():
    gc.collect()
    return gc.mem_alloc()


def connect():
    wifi_connect()  # no-op while connected
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
    try:
        wifi_connect()
        http_get()
        ws_session(config.MESSAGES)
    except Exception as exc:  # noqa: BLE001 - an unattended board restarts rather than stops
        sys.print_exception(exc)
        print("resetting in 10 s (Ctrl-C to stop)")
        time.sleep(10)
        machine.reset()


main()
