"""TLS ends and resets behind what came (read late), through the three I/O layers (the raw scripted server over
TLS, MHC_TLSRAW).  A module of its own: dual_hostile_http_tls's whole-body reads over TLS fill a 128K
heap on MicroPython."""

from check import server, tls_ca
from pumps_http import open_client, per_layer


def _counter(got):
    """An on_body that counts into got[0] and notes in got[1] the offsets where a piece does not go on
    with the "abc..." pattern."""
    def count(piece):
        k = got[0]
        if len(piece) and (piece[0] != 97 + k % 26 or piece[-1] != 97 + (k + len(piece) - 1) % 26):
            got[1].append(k)
        got[0] = k + len(piece)

    return count


def _read_all(c, r, count):
    while True:
        piece = c.read_part(r, 4096)
        if not piece:
            return
        count(piece)


def _read_late(layer, path, n, wait):
    """GET ``path`` over TLS, an "abc..." body of ``n`` bytes, read ``wait`` s after its head came (poll:
    its on_body, as it comes), in 4 KiB pieces: every byte, in order."""
    c = open_client(layer, *server("tlsraw"), timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        got = [0, []]
        count = _counter(got)
        if layer == "poll":  # (no streaming reads there: on_body takes the pieces)
            r = c.request("GET", path, on_body=count)
        else:
            r = c.request("GET", path, read=False)
            c.wait(wait)  # all of it and the end wait in the client (kernel, TLS buffers)
            _read_all(c, r, count)
        assert r.status == 200 and got[0] == n and not got[1], (r.status, got[0], got[1][:3])
    finally:
        c.close()


def _until_close_over_tls_read_late(layer):
    """A body that ends where the connection does, over TLS, closed without close_notify, and read
    only once all of it and the close had come: every byte.  CPython's asyncio TLS transport, at a
    TCP close, decrypts once more into the protocol's buffer and drops what did not fit: the aio
    layer's body of 200,000 bytes came 68,947 short, as if whole (a silent truncation)."""
    _read_late(layer, "/raw/until-close/200000", 200000, 0.5)


per_layer(globals(), "until_close_over_tls_read_late", _until_close_over_tls_read_late)


def _whole_body_before_a_reset_read_late(layer):
    """A body of 100,000 bytes with its Content-Length, all of it sent, then a TCP reset, read only once
    the reset had come: every byte (what came before a reset is handed over before it).  CPython's
    asyncio TLS layer reads the socket ahead of a paused protocol and a reset dropped what it held:
    the aio layer raised ConnectionLost for a body the other layers read whole."""
    _read_late(layer, "/raw/length-then-reset/100000", 100000, 0.8)  # (the reset 0.2 s after the body)


per_layer(globals(), "whole_body_before_a_reset_read_late", _whole_body_before_a_reset_read_late)


def _an_early_answer_then_close_notify(layer):
    """A server that answers as soon as the head came (a 413), then ends TLS (close_notify, FIN) and
    reads on: its answer is the response, for a request without a body and for an upload (RFC 9112
    section 9.5).  CPython's aio layer raised ConnectionLost ("send failed") in about one in four: the
    TLS transport is closing as soon as the close_notify is read, and a write that had gone out whole
    before was taken for a failed one."""
    host, port = server("tlsraw")
    piece = b"x" * 1000
    for i in range(8):
        c = open_client(layer, host, port, timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
        try:
            r = c.request("POST", "/raw/early-end", body=None if i % 2 else (piece for _ in range(300)))
            assert r.status == 413 and r.body == b"too large", (i, r.status, r.body)
        finally:
            c.close()


per_layer(globals(), "an_early_answer_then_close_notify", _an_early_answer_then_close_notify)


def _streamed_over_tls_in_bounded_memory(layer):
    """8 MiB over TLS read in pieces of 4 KiB: every byte, and on CPython's asyncio layer a connection
    buffer that stays small.  Each read let in all that asyncio's TLS layer held (up to 256 KiB): the
    buffer grew to hold most of the body (184 MB after 6 s of an endless one)."""
    if layer == "poll":  # (no streaming reads there)
        return
    host, port = server("tls")
    n = 8 << 20
    c = open_client(layer, host, port, timeout=10, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        r = c.request("GET", "/bytes/%d" % n, read=False)
        got = bad = 0
        while True:
            piece = c.read_part(r, 4096)
            if not piece:
                break
            if piece[0] != got & 255 or piece[-1] != (got + len(piece) - 1) & 255:
                bad += 1
            got += len(piece)
        pipe = getattr(c.conn, "_reader", None)  # (CPython's aio: the protocol and its buffer)
        held = len(pipe.buf) if hasattr(pipe, "buf") else 0
        assert got == n and not bad and held <= 1 << 20, (got, bad, held)
    finally:
        c.close()


per_layer(globals(), "streamed_over_tls_in_bounded_memory", _streamed_over_tls_in_bounded_memory)


def _an_early_answer_then_reset(layer):
    """A server that answers an upload at once (a 413) and closes with the body unread, over TLS: the
    client's next write meets a reset, and the answer that came before it is the response, as on a
    plain connection (dual_reset_write).  MicroPython lost it on every layer: the write failed with
    EPIPE, which the TLS socket's reset handling did not take for a reset ("send failed: OSError(32)")."""
    import time

    def body():
        yield b"a" * 1000
        time.sleep(0.5)  # the 413 and the reset come meanwhile
        for _ in range(10):
            yield b"b" * 1000

    c = open_client(layer, *server("tlsraw"), timeout=5, tls=True, cadata=tls_ca(), server_hostname="localhost")
    try:
        r = c.request("POST", "/raw/early-close", body=body())
        assert r.status == 413 and r.body == b"too large", (r.status, r.body)
    finally:
        c.close()


per_layer(globals(), "an_early_answer_then_reset", _an_early_answer_then_reset)
