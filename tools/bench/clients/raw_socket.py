"""The limit: a plain blocking socket with hand-written minimal framing and no checks (both runtimes).

WebSocket: a fixed handshake (the 101 is not checked), each message sent as one prebuilt frame
(mask key 0, so the payload needs no masking), each echo read as header + payload into one reused
buffer.  HTTP: one keep-alive connection, a prebuilt request, the head read until its blank line and
only Content-Length taken from it.  No client can do less work per message than this."""

import socket

try:
    import micropython  # noqa: F401

    MP = True
except ImportError:
    MP = False


def upgrade_request(plan):
    """A fixed upgrade request (its answer is not checked)."""
    return (b"GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % (plan.host.encode(), plan.port))


def prebuilt_frame(msg):
    """(is text, payload length, the whole frame): one unfragmented frame with mask key 0, so the
    payload needs no masking."""
    text = isinstance(msg, str)
    data = msg.encode() if text else msg
    n = len(data)
    if n < 126:
        hdr = bytes((0x81 if text else 0x82, 0x80 | n))
    elif n < 65536:
        hdr = bytes((0x81 if text else 0x82, 0x80 | 126, n >> 8, n & 0xFF))
    else:
        hdr = bytes((0x81 if text else 0x82, 0x80 | 127)) + n.to_bytes(8, "big")
    return text, n, hdr + b"\0\0\0\0" + data


def bench(plan):
    plan.begin()
    plan.loaded()
    sock = socket.socket()
    sock.connect(socket.getaddrinfo(plan.host, plan.port)[0][-1])
    sock.setsockopt(getattr(socket, "IPPROTO_TCP", 6), getattr(socket, "TCP_NODELAY", 1), 1)
    if MP:
        send = sock.write  # blocking streams write everything
        exact = sock.readinto  # and read until the buffer is full ("no short reads")
    else:
        send = sock.sendall
        recv_into = sock.recv_into

        def exact(mv):
            got = 0
            n = len(mv)
            while got < n:
                got += recv_into(mv[got:])

    recv = sock.recv
    if plan.kind == "ws":
        send(upgrade_request(plan))
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += recv(1)
        plan.opened()
        text, n, frame = prebuilt_frame(plan.msg)
        buf = bytearray(max(n, 8))
        mv = memoryview(buf)
        h2 = mv[:2]
        h8 = mv[:8]

        def op():
            send(frame)
            exact(h2)
            m = buf[1] & 0x7F
            if m == 126:
                exact(h2)
                m = (buf[0] << 8) | buf[1]
            elif m == 127:
                exact(h8)
                m = int.from_bytes(bytes(h8), "big")
            exact(mv[:m])
            return m

        def conv(m):
            return str(buf[:m], "utf-8") if text else bytes(buf[:m])

        plan.run(op, conv)
    else:
        req = b"GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (plan.path.encode(), plan.host.encode(), plan.port)
        size = 11 if plan.path == "/hello" else int(plan.path.rsplit("/", 1)[1])
        body = bytearray(size)
        mv = memoryview(body)
        plan.opened()

        def op():
            send(req)
            head = recv(4096)
            while True:
                end = head.find(b"\r\n\r\n")
                if end >= 0:
                    break
                head += recv(4096)
            i = head.find(b"Content-Length: ") + 16
            n = int(head[i : head.find(b"\r", i)])
            rest = head[end + 4 :]
            k = len(rest)
            mv[:k] = rest
            if k < n:
                exact(mv[k:n])
            return n

        plan.run(op, lambda n: bytes(body[:n]))
    sock.close()
