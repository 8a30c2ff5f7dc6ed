"""micropython-urequests 0.9.1: one HTTP/1.0 connection per request (no keep-alive)."""


def bench(plan):
    plan.begin()
    import urequests

    plan.loaded()
    plan.opened()  # nothing stays open between requests
    url = plan.url

    def op():
        r = urequests.get(url)
        body = r.content
        r.close()
        return body

    plan.run(op)
