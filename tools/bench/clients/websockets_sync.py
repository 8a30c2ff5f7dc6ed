"""websockets (CPython): the sync client, compression off (microhttpc has no permessage-deflate, and
compressing the benchmark's repetitive payloads would measure zlib, not the client)."""


def bench(plan):
    plan.begin()
    from websockets.sync.client import connect

    plan.loaded()
    ws = connect(plan.url, compression=None, max_size=None, open_timeout=10)
    plan.opened()
    msg = plan.msg

    def op():
        ws.send(msg)
        return ws.recv(timeout=10)

    plan.run(op)
    ws.close()
