"""A server that ends TLS with its close_notify and keeps the TCP connection open until the client's
comes (as CPython's ``unwrap()`` and asyncio's TLS close do), in the middle of a body or of a frame,
read late, through the three I/O layers: the end is seen at once (a WebSocket's: dual_tls_notify_ws).  On MicroPython readinto() read on
after the last bytes and took the close_notify, which mbedTLS reports once: the read waited for the
timeout (with none, for good), on all three layers (an outside hunt).  A TLS socket is now read with
recv(), one read per call (rtio.recv_into)."""

from check import server, tls_ca
from pumps_http import open_client, per_layer

from microhttpc.errors import ConnectionLost


def _body_cut_by_close_notify(layer):
    from pumps_ws import elapsed, ticks

    c = open_client(layer, *server("tlsraw"), timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        got = [0]

        def count(piece):
            got[0] += len(piece)

        t0 = ticks()
        try:
            if layer == "poll":  # (its body comes to on_body as it comes)
                c.request("GET", "/raw/length-cut-notify/200000", on_body=count)
            else:
                r = c.request("GET", "/raw/length-cut-notify/200000", read=False)
                c.wait(0.5)  # the half body and the close_notify wait in the client's kernel
                while True:
                    piece = c.read_part(r, 4096)
                    if not piece:
                        break
                    count(piece)
        except ConnectionLost:
            pass
        else:
            raise AssertionError("a body cut short passed for a whole one (%d bytes)" % got[0])
        assert got[0] == 100000, got[0]
        assert elapsed(t0) < 3, elapsed(t0)  # (not the 5 s timeout)
    finally:
        c.close()


per_layer(globals(), "body_cut_by_close_notify", _body_cut_by_close_notify)
