"""TLS from servers that end a response as asyncio's TLS transport does, through the three I/O layers
(the raw scripted server over TLS, MHC_TLSRAW).  A module of its own: a TLS connection takes ~38 KB
of a 128K heap on MicroPython, and bodies are read whole here."""

from check import server, tls_ca
from pumps_http import expect, open_client, per_layer

# The whole read of a 12 KB body that ends with the connection (its pieces, then the joined copy) beside
# a TLS connection sits at a 128K heap's fragmentation edge on MicroPython's asyncio layer: it passed or
# failed as the package's code shifted by a few bytes (124K passed, 126K failed, 128K either way), not
# as it needed more.  From 136K every layer passes here.
MICROPYTHON_HEAP = "144K"


def _until_close_over_tls(layer):
    """A body that ends where the connection does, over TLS, from a server that then closes as
    asyncio's TLS transport does: its close_notify, and TCP only once the client's came.  On
    MicroPython every layer waited for the end until its timeout (TimeoutError): readinto() reads on
    after a read that did not fill its buffer, that next read took the close_notify, which mbedTLS
    reports once, and the next call waited for an end already passed.  In one write with the head,
    and in 1 KiB records."""
    host, port = server("tlsraw")
    for path, n in (("/raw/until-close-notify", 3000), ("/raw/until-close-notify/12000", 12000)):
        c = open_client(layer, host, port, timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
        try:
            r = c.request("GET", path)
            bad = [i for i, b in enumerate(r.body) if b != 97 + i % 26][:3]  # (in place: a copy needs heap)
            assert r.status == 200 and len(r.body) == n and not bad, (path, r.status, len(r.body), bad)
        finally:
            c.close()


per_layer(globals(), "until_close_over_tls", _until_close_over_tls)



def _until_close_cut_by_a_reset(layer):
    """A body that ends where the connection does, cut by a TCP reset (no close_notify, no FIN): cut
    short, ConnectionLost, never a whole body.  CPython's blocking and poll layers returned it as
    complete (its TLS socket reported the reset as the end of the data).  A close without close_notify
    stays the end of the body, as most servers close so."""
    from microhttpc.errors import ConnectionLost

    host, port = server("tlsraw")
    for path, cut in (("/raw/until-reset/12000", True), ("/raw/until-close/12000", False)):
        c = open_client(layer, host, port, timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
        try:
            if cut:
                expect(ConnectionLost, c.request, "GET", path)
            else:
                r = c.request("GET", path)
                assert r.status == 200 and len(r.body) == 12000, (path, r.status, len(r.body))
        finally:
            c.close()


per_layer(globals(), "until_close_cut_by_a_reset", _until_close_cut_by_a_reset)


def _upload_over_tls(layer):
    """A request body in several writes over TLS (a generator's pieces, chunked): answered at once.  On
    CPython the asyncio layer's TLS transport paused writing with nothing held (flow control at a high
    mark of 0) and never resumed: every such upload waited out its timeout (TimeoutError)."""
    import json

    host, port = server("tls")
    c = open_client(layer, host, port, timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        for n in (1, 3):
            r = c.request("POST", "/echo", body=(b"x" * 100 for _ in range(n)))
            assert r.status == 200 and json.loads(r.body)["body"] == "x" * (100 * n), (n, r.status, r.body[:80])
    finally:
        c.close()


per_layer(globals(), "upload_over_tls", _upload_over_tls)
