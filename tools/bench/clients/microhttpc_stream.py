"""microhttpc, streaming (both runtimes): WebSocket messages through the streaming callbacks
(``on_msg_rx_data`` / ``on_msg_rx_complete``, driven by ``poll()``), HTTP bodies with ``readinto`` a
reused 4 KiB buffer.  Only the byte count is kept (what a sink such as a file or a flash partition
would get); the checks run on a copy taken during the warm-up operations."""


def bench(plan):
    plan.begin()
    import microhttpc

    microhttpc.Connection, microhttpc.ws_connect  # noqa: B018
    plan.loaded()
    # bytes received, message complete, reference to compare with (warm-up only), mismatches
    state = [0, False, None, 0]

    if plan.kind == "ws":

        def on_data(chunk):
            k = len(chunk)
            if state[2] is not None and bytes(chunk) != state[2][state[0] : state[0] + k]:
                state[3] += 1
            state[0] += k

        def on_complete():
            state[1] = True

        ws = microhttpc.ws_connect(
            plan.url,
            timeout=10,
            max_message=max(65536, 2 * plan.size),
            on_msg_rx_data=on_data,
            on_msg_rx_complete=on_complete,
        )
        plan.opened()
        msg = plan.msg
        poll = ws.poll

        def op():
            state[0] = 0
            state[1] = False
            ws.send(msg)
            while not state[1]:
                poll(10)
            return state[0]

        # the checks: three echoes compared piece by piece (the timed loop compares nothing)
        state[2] = msg.encode() if isinstance(msg, str) else msg
        for _ in range(3):
            if op() != len(state[2]) or state[3]:
                raise AssertionError("streamed echo differs (%d bytes, %d bad chunks)" % (state[0], state[3]))
        state[2] = None
        plan.run(op, lambda n: msg if n == len(msg) else b"")
        ws.close()
    else:
        conn = microhttpc.Connection(plan.host, plan.port, timeout=10, max_body=4 << 20)
        conn.open()
        plan.opened()
        path = plan.path
        buf = bytearray(4096)

        def op():
            r = conn.request("GET", path)
            n = 0
            while True:
                k = r.readinto(buf)
                if not k:
                    break
                if state[2] is not None:
                    ref = state[2]
                    for j in range(0, k, 256):  # chunks start anywhere: compare byte by byte cheaply
                        if buf[j] != ref[(n + j) & 0xFF]:
                            state[3] += 1
                n += k
            return n

        # the checks: the byte count (Plan.check takes an int), and one byte in 256 of three bodies;
        # no copy of the body is made (a 1 MiB allocation slows the reads that follow on MicroPython)
        state[2] = bytes(range(256))  # /bytes/N: byte i is i & 0xFF
        for _ in range(3):
            plan.check(op())
        state[2] = None
        if state[3]:
            raise AssertionError("%d chunks of the body differ" % state[3])
        plan.run(op)
        conn.close()
