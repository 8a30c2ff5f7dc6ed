"""TLS settings a new user gets wrong, through the three layers: each is UsageError when the
connection is made (poll and aio) or at its first connection (blocking), before any I/O.  (A module
of its own: the MicroPython test process of dual_hostile_api_values has little heap to spare.)"""

import sys

from check import raises
from pumps_http import open_client, per_layer


def _tls_settings(layer):
    # ssl_context=5, cadata=5 and server_hostname=5 failed the connection with a bare AttributeError or
    # TypeError from the ssl module, on every layer.
    from check import server
    from microhttpc.errors import UsageError

    h, p = server("tls")

    def attempt(**kw):
        c = open_client(layer, h, p, timeout=5, tls=True, **kw)  # (poll and aio check here)
        try:
            c.request("GET", "/hello")  # (the blocking layer at its first connection)
        finally:
            c.close()

    for kw in ({"ssl_context": 5}, {"ssl_context": "ctx"}, {"cadata": 5}, {"cadata": ["pem"]},
               {"server_hostname": 5}, {"server_hostname": b"localhost"},
               # A NUL cut the name short on MicroPython (checked against "localhost") and was a bare
               # TypeError on CPython; the others failed at the handshake (aio: "cannot resolve").
               {"server_hostname": "localhost\x00.evil.example"}, {"server_hostname": "localhost\r\nX: y"},
               {"server_hostname": ""}, {"server_hostname": "a" * 300},
               # An empty label or one over 63 characters: the TLS stack's name encoder refused it at the
               # handshake (TLSError on two layers, aio's "cannot resolve" the host, a ConnectError)
               {"server_hostname": ".localhost"}, {"server_hostname": "a..b"}, {"server_hostname": "."},
               {"server_hostname": "a" * 64 + ".com"}, {"server_hostname": "local host"},
               {"server_hostname": "local\thost"}) + (({"server_hostname": "b\xfccher.example"},)  # (no IDNA codec)
                                                          if sys.implementation.name == "micropython" else (
                   # CPython: a lone surrogate; labels over 63 in their IDNA form, or with no IDNA form
                   {"server_hostname": "\ud800x"}, {"server_hostname": "\xe9" * 58}, {"server_hostname": "x.\u200d.y"})):
        raises(UsageError, attempt, **kw)
    # and names it takes: a fully qualified one with its dot, a label of 63 (the certificate decides)
    from check import tls_ca
    from microhttpc.errors import HTTPCError

    names = ("localhost.", "a" * 63 + ".localhost", "127.0.0.1", "::1")
    for name in names if sys.implementation.name == "micropython" else names + ("b\xfccher.example",):
        try:
            attempt(server_hostname=name, cadata=tls_ca())
        except UsageError:
            raise
        except HTTPCError:  # (not the certificate's name)
            pass


per_layer(globals(), "tls_settings", _tls_settings)
