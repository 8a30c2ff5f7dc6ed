"""h11 (CPython) driven over a plain blocking socket: one connection, keep-alive, TCP_NODELAY."""


def bench(plan):
    plan.begin()
    import socket

    import h11

    plan.loaded()
    sock = socket.create_connection((plan.host, plan.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn = h11.Connection(h11.CLIENT)
    plan.opened()
    headers = [("Host", "%s:%d" % (plan.host, plan.port))]
    path = plan.path

    def op():
        sock.sendall(
            conn.send(h11.Request(method="GET", target=path, headers=headers)) + conn.send(h11.EndOfMessage())
        )
        body = []
        while True:
            ev = conn.next_event()
            if ev is h11.NEED_DATA:
                conn.receive_data(sock.recv(65536))
            elif type(ev) is h11.Data:
                body.append(ev.data)
            elif type(ev) is h11.EndOfMessage:
                break
        conn.start_next_cycle()
        return b"".join(body)

    plan.run(op)
    sock.close()
