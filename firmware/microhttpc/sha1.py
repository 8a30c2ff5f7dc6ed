"""Pure-Python SHA-1, only for ports built without ``hashlib``.

Used once per WebSocket handshake (Sec-WebSocket-Accept), so speed does not matter; correctness is
checked against hashlib by a host test.
"""


def _rol(x, n):
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def sha1(data):
    """The SHA-1 digest of ``data`` (20 bytes), for ports whose ``hashlib`` has none."""
    data = bytes(data)
    h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
    bit_len = len(data) * 8
    data = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + bit_len.to_bytes(8, "big")
    for off in range(0, len(data), 64):
        w = [int.from_bytes(data[off + 4 * i : off + 4 * i + 4], "big") for i in range(16)]
        for i in range(16, 80):
            w.append(_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1))
        a, b, c, d, e = h0, h1, h2, h3, h4
        for i in range(80):
            if i < 20:
                f, k = (b & c) | (~b & d), 0x5A827999
            elif i < 40:
                f, k = b ^ c ^ d, 0x6ED9EBA1
            elif i < 60:
                f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
            else:
                f, k = b ^ c ^ d, 0xCA62C1D6
            a, b, c, d, e = (_rol(a, 5) + f + e + k + w[i]) & 0xFFFFFFFF, a, _rol(b, 30), c, d
        h0 = (h0 + a) & 0xFFFFFFFF
        h1 = (h1 + b) & 0xFFFFFFFF
        h2 = (h2 + c) & 0xFFFFFFFF
        h3 = (h3 + d) & 0xFFFFFFFF
        h4 = (h4 + e) & 0xFFFFFFFF
    return b"".join(x.to_bytes(4, "big") for x in (h0, h1, h2, h3, h4))
