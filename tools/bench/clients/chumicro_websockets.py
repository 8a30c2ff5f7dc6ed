"""chumicro-websockets 0.27.3: non-blocking check()/handle() runner with callbacks, driven here by a
busy loop (the fastest way to drive it); its default per-tick send/receive budgets are kept."""


def bench(plan):
    plan.begin()
    from chumicro_sockets.sockets_factory import connector_factory
    from chumicro_timing import ticks_ms
    from chumicro_websockets import WebSocketClient, WebSocketState

    plan.loaded()
    client = WebSocketClient(connector_factory(), max_message_bytes=max(16384, 2 * plan.size))
    got = []
    client.on_text = got.append
    client.on_binary = got.append
    client.connect(plan.url)
    while client.state == WebSocketState.CONNECTING:
        client.handle(ticks_ms())
    if client.state != WebSocketState.OPEN:
        raise RuntimeError("handshake failed, state %r" % (client.state,))
    plan.opened()
    msg = plan.msg
    send = client.send_text if isinstance(msg, str) else client.send_binary

    def op():
        send(msg)
        while not got:
            client.handle(ticks_ms())
            if client.state != WebSocketState.OPEN:
                raise RuntimeError("connection left OPEN: %r" % (client.state,))
        m = got.pop()
        return bytes(m) if isinstance(m, (bytearray, memoryview)) else m

    plan.run(op)
    client.close()
