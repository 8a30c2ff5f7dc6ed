"""TLS cadata: PEM text around the certificate that is not ASCII ("Bag Attributes" of openssl pkcs12).
CPython refused it with a bare UnicodeDecodeError (bytes) or TypeError (str); MicroPython took it.  (A
module of its own: dual_hostile_api_values is at the edge of a 128K heap.)"""

from check import server, tls_ca
from pumps_http import open_client, per_layer


def _cadata_with_text_around(layer):
    h, p = server("tls")
    ca = tls_ca()
    ca = ca if isinstance(ca, bytes) else ca.encode()
    utf8 = b"Bag Attributes\n    friendlyName: Z\xc3\xbcrich\n" + ca
    for data in (utf8, utf8.decode(), b"friendlyName: Z\xfcrich\n" + ca):  # (and Latin-1)
        c = open_client(layer, h, p, timeout=5, tls=True, cadata=data, server_hostname="localhost")
        try:
            assert c.request("GET", "/hello").body == b"hello world"
        finally:
            c.close()


per_layer(globals(), "cadata_with_text_around", _cadata_with_text_around)
