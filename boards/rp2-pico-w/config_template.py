# Copy this file to config.py (git-ignored), fill it in, and deploy it with main.py:
#     cp boards/rp2-pico-w/config_template.py boards/rp2-pico-w/config.py
#     python tools/deploy.py --port /dev/ttyACM0 --board rp2 --mpy --main      # Pico W
#     python tools/deploy.py --port /dev/ttyACM0 --board rp2350 --mpy --main  # Pico 2 W
# Never commit config.py: it holds your Wi-Fi password.

WIFI_SSID = "your-network"
WIFI_PASSWORD = "your-password"
COUNTRY = "GB"  # two-letter Wi-Fi regulatory country code (channels and power)
WIFI_TIMEOUT = 15  # seconds to wait for one connection attempt
WIFI_RETRIES = 5  # attempts before giving up (the example then resets the board)

SERVER = "192.168.1.10:8080"  # host:port of your HTTP + WebSocket server
HTTP_PATH = "/hello"  # fetched once with GET
WS_PATH = "/ws"  # an echo WebSocket on the same server
TLS = False  # True for https/wss (certificates are verified; see CADATA)
CADATA = None  # PEM or DER bytes of the CA that signed the server's certificate, when TLS

MESSAGES = None  # echo this many messages and stop; None = run forever
INTERVAL = 5  # seconds between messages
PING_INTERVAL = 20  # seconds between keepalive PINGs while waiting for the echo (None: off)
