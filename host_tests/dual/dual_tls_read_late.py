"""A TLS body read until the close, read late, through the three I/O layers (the raw scripted server over
TLS, MHC_TLSRAW).  A module of its own: dual_hostile_http_tls's whole-body reads over TLS fill a 128K
heap on MicroPython."""

from check import server, tls_ca
from pumps_http import open_client, per_layer


def _until_close_over_tls_read_late(layer):
    """A body that ends where the connection does, over TLS, closed without close_notify, and read
    only once all of it and the close had come: every byte.  CPython's asyncio TLS transport, at a
    TCP close, decrypts once more into the protocol's buffer and drops what did not fit: the aio
    layer's body of 200,000 bytes came 68,947 short, as if whole (a silent truncation)."""
    host, port = server("tlsraw")
    n = 200000
    c = open_client(layer, host, port, timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        got = [0, []]  # bytes so far, offsets where a piece did not go on with the pattern

        def count(piece):
            k = got[0]
            if len(piece) and (piece[0] != 97 + k % 26 or piece[-1] != 97 + (k + len(piece) - 1) % 26):
                got[1].append(k)
            got[0] = k + len(piece)

        if layer == "poll":  # (no streaming reads there: on_body takes the pieces)
            r = c.request("GET", "/raw/until-close/%d" % n, on_body=count)
        else:
            r = c.request("GET", "/raw/until-close/%d" % n, read=False)
            c.wait(0.5)  # the server wrote it all and closed: it waits in the client (kernel, TLS buffers)
            while True:
                piece = c.read_part(r, 4096)
                if not piece:
                    break
                count(piece)
        assert r.status == 200 and got[0] == n and not got[1], (r.status, got[0], got[1][:3])
    finally:
        c.close()


per_layer(globals(), "until_close_over_tls_read_late", _until_close_over_tls_read_late)
