"""chumicro-requests 0.21.3: non-blocking HttpClient (one connection per request), busy-loop driven."""


def bench(plan):
    plan.begin()
    from chumicro_requests import HttpClient
    from chumicro_sockets.sockets_factory import connector_factory
    from chumicro_timing import ticks_ms

    plan.loaded()
    client = HttpClient(transport_factory=connector_factory())
    plan.opened()
    url = plan.url

    def op():
        h = client.get(url)
        while not h.done:
            client.handle(ticks_ms())
        return h.result.body

    plan.run(op)
