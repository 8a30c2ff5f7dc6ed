"""http.client (CPython standard library): one HTTPConnection, keep-alive."""


def bench(plan):
    plan.begin()
    import http.client

    plan.loaded()
    conn = http.client.HTTPConnection(plan.host, plan.port, timeout=10)
    conn.connect()
    plan.opened()
    path = plan.path

    def op():
        conn.request("GET", path)
        return conn.getresponse().read()

    plan.run(op)
    conn.close()
