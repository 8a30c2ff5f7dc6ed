"""micropython-websocket 1.0.5: blocking, websocket-client style (MicroPython only)."""


def bench(plan):
    plan.begin()
    import micropython_websocket

    plan.loaded()
    ws = micropython_websocket.create_connection(plan.url, timeout=10)
    plan.opened()
    msg = plan.msg

    def op():
        ws.send(msg)
        return ws.recv()

    plan.run(op)
    ws.close()
