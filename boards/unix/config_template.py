# Copy this file to config.py (git-ignored) and fill it in; the MHC_SERVER environment variable, when
# set, overrides SERVER (the test suite uses it).  The unix port has no Wi-Fi: the host's network is used.
#     cp boards/unix/config_template.py boards/unix/config.py

SERVER = "127.0.0.1:8080"  # host:port of your HTTP + WebSocket server (python tools/servers.py prints one)
HTTP_PATH = "/hello"  # fetched once with GET
WS_PATH = "/ws"  # an echo WebSocket on the same server
TLS = False  # True for https/wss (certificates are verified; see CADATA)
CADATA = None  # PEM or DER bytes of the CA that signed the server's certificate, when TLS

MESSAGES = 5  # echo this many messages and stop; None = run forever
INTERVAL = 1  # seconds between messages
PING_INTERVAL = 20  # seconds between keepalive PINGs while waiting for the echo (None: off)
