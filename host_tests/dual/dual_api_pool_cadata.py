"""The one-call functions' pool with ``cadata`` as bytes and then as text: two origins' keys that
differ only in its type.  MicroPython printed "Warning: Comparison between bytes and str" on the
console at each such lookup (a str and bytes of the same text hash alike, and the pool compared
them); the harness fails a MicroPython run whose output has a warning."""

import microhttpc
from check import tls_ca, url


def test_pool_takes_cadata_as_bytes_then_as_text():
    ca = tls_ca()
    u = url("https", "tls", "/hello")
    try:
        for cadata in (ca, ca.decode(), ca, bytearray(ca), ca.decode()):
            assert microhttpc.get(u, cadata=cadata, timeout=10).read() == b"hello world"
    finally:
        microhttpc.close_all()
