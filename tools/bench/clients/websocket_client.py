"""websocket-client (CPython): blocking create_connection, TCP_NODELAY as its default sockopt."""


def bench(plan):
    plan.begin()
    import websocket

    plan.loaded()
    ws = websocket.create_connection(plan.url, timeout=10)
    plan.opened()
    msg = plan.msg
    send = ws.send if isinstance(msg, str) else ws.send_binary

    def op():
        send(msg)
        return ws.recv()

    plan.run(op)
    ws.close()
