"""A send() whose write meets a reset reads back what came before it (five messages and the server's
Close, tools/servers.py /msgs-then-reset): those messages go to on_msg before on_close, in the
poll()/recv() after the send (README: on_close after the messages before the Close went to their
callbacks).  send() told on_close(1001) itself, and the messages came after it (found by an outside
review; blocking and asyncio layers, both runtimes)."""

from check import raises, server


def _poll_to_the_end(ws):
    """poll() until ConnectionClosed (at most 5 calls)."""
    from microhttpc.errors import ConnectionClosed

    for _ in range(5):
        try:
            ws.poll(1)
        except ConnectionClosed:
            return


def test_blocking_messages_before_on_close_after_a_send_met_a_reset():
    import microhttpc
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    log = []
    ws = microhttpc.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                               on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
    sleep(0.5)
    e = raises(ConnectionClosed, ws.send, "x")
    assert e.code == 1001 and log == [], (e.code, log)
    _poll_to_the_end(ws)
    assert log == ["0", "1", "2", "3", "4", 1001], log


def test_aio_messages_before_on_close_after_a_send_met_a_reset():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    async def main():
        h, p = server("wsraw")
        log = []
        ws = await aio.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                                  on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
        await asyncio.sleep(0.5)
        try:
            await ws.send("x")
            raise AssertionError("send() met no end")
        except ConnectionClosed as e:
            assert e.code == 1001 and log == [], (e.code, log)
        for _ in range(5):
            try:
                await ws.recv(1)
            except ConnectionClosed:
                break
        assert log == ["0", "1", "2", "3", "4", 1001], log

    asyncio.run(main())


def test_blocking_a_second_send_or_close_keeps_that_order():
    """After that send(), a second send() (or ping()) still leaves on_close to the call that hands the
    messages over, and close() drops them: on_close is then the last callback (a second send told
    on_close at once, and the messages came after it, after close() too; found by an outside review)."""
    import microhttpc
    from microhttpc.errors import ConnectionClosed
    from pumps_http import sleep

    h, p = server("wsraw")
    for end in ("send", "close"):
        log = []
        ws = microhttpc.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                                   on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
        sleep(0.5)
        raises(ConnectionClosed, ws.send, "x")
        if end == "send":
            raises(ConnectionClosed, ws.send, "y")
            raises(ConnectionClosed, ws.ping)
            assert log == [], log
            _poll_to_the_end(ws)
            assert log == ["0", "1", "2", "3", "4", 1001], log
        else:
            ws.close()
            raises(ConnectionClosed, ws.poll, 1)
            assert log == [1001], log


def test_blocking_keepalive_over_tls_reads_back_too():
    """With a keepalive the read-back went through its stream, which wrote its PING into the reset
    socket: on CPython over TLS every message and the Close were lost (1006; found by an outside
    review).  The read-back reads the stream under it."""
    from microhttpc.errors import ConnectionClosed
    from check import tls_ca
    from pumps_ws import connect_ws
    from pumps_http import sleep

    h, p = server("tlswsraw")
    log = []
    ws = connect_ws("blocking", h, p, "/msgs-then-reset", timeout=5, ping_interval=0.2,
                    conn_kw={"tls": True, "cadata": tls_ca(), "server_hostname": "localhost"},
                    on_msg=lambda m: log.append(m[:1]), on_close=lambda c, r: log.append(c))
    sleep(0.5)
    e = raises(ConnectionClosed, ws.send, "x" * 100)
    assert e.code == 1001, (e.code, e.cause)
    _poll_to_the_end(ws)
    assert log == ["0", "1", "2", "3", "4", 1001], log


def test_aio_a_task_in_recv_reads_what_came_before_another_tasks_failed_send():
    """One task waits in recv() while another's send() meets the reset: the waiting task reads the five
    messages and the server's Close (1001) before ConnectionClosed, and the send raises that end.  The
    send closed the socket at once, and the waiting task's read found it closed: the messages and the
    Close were lost (1006; found by an outside review)."""
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import ConnectionClosed

    async def main():
        h, p = server("wsraw")
        log = []
        ws = await aio.ws_connect("ws://%s:%d/msgs-then-reset" % (h, p), timeout=5,
                                  on_close=lambda c, r: log.append(c))

        async def reader():
            try:
                while True:
                    log.append((await ws.recv(3))[:1])
            except ConnectionClosed as e:
                log.append(("end", e.code))

        await asyncio.sleep(0.5)  # the messages, the Close and the reset wait in the socket
        t = asyncio.create_task(reader())
        await asyncio.sleep(0)  # the reader waits in its read
        try:
            await ws.send("x")
            sent = "returned"
        except ConnectionClosed as e:
            sent = e.code
        await asyncio.wait_for(t, 5)
        assert log == ["0", "1", "2", "3", "4", 1001, ("end", 1001)], log
        assert sent == 1001, sent

    asyncio.run(main())
