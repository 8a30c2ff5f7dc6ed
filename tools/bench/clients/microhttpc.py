"""microhttpc (both runtimes): one persistent Connection; WebSocket via ws_connect."""


def bench(plan):
    plan.begin()
    import microhttpc

    microhttpc.Connection, microhttpc.ws_connect  # the lazy names a client touches  # noqa: B018
    plan.loaded()
    if plan.kind == "ws":
        ws = microhttpc.ws_connect(plan.url, timeout=10, max_message=max(65536, 2 * plan.size))
        plan.opened()
        msg = plan.msg

        def op():
            ws.send(msg)
            return ws.recv()

        plan.run(op)
        ws.close()
    else:
        conn = microhttpc.Connection(plan.host, plan.port, timeout=10, max_body=4 << 20)
        conn.open()
        plan.opened()
        path = plan.path

        def op():
            return conn.request("GET", path).read()

        plan.run(op)
        conn.close()
