"""Autobahn|Testsuite client driver for microhttpc's blocking WebSocket: echo every case of a running fuzzing server.

Runs unchanged on CPython and on the MicroPython unix port (only sys and gc, plus traceback on CPython for
error reports; no os.path, no f-strings); what the three drivers share is in common.py, next to this file:

    python      tools/autobahn/client.py ws://127.0.0.1:PORT AGENT [whole|stream]
    micropython -X heapsize=128K tools/autobahn/client.py ws://127.0.0.1:PORT AGENT   (MICROPYPATH=firmware:.frozen)

Protocol of the fuzzing server: one text message from URL/getCaseCount (the number of cases), then for
N = 1..count a connection to URL/runCase?case=N&agent=AGENT on which every text and binary message is echoed
back with the same type until the connection closes, then URL/updateReports?agent=AGENT (writes the reports).

CPython uses the whole-message API (ws.recv() / ws.send()). MicroPython has a 128 KiB heap while section 9
sends messages of up to 16 MiB, so it uses the streaming API: the receive callbacks echo each message as the
fragments of one outgoing message (ws.send_start / send_fragment / send_end) while ws.poll() drives the socket.
The optional third argument forces either API on either runtime.
Small received chunks are gathered in one reused buffer so that a message that arrives in 65,536 frames of
64 bytes is not echoed as 65,536 frames.

The same cases through the other layers: client_aio.py (microhttpc.aio), client_poll.py (microhttpc.poll.Engine).

Exit status: 0 when every case ran to its close (the verdict is the server's, in its reports); 1 when the
driver itself hit something the API does not promise (an exception other than ConnectionClosed, a connect
failure); 2 on bad usage.
"""

import sys

import common
import microhttpc

from common import MAX_MESSAGE, POLL_TIMEOUT, TIMEOUT


def fetch_text(url):
    """Connect, return the first text message, then read until the server closes."""
    ws = microhttpc.ws_connect(url, max_message=4096, timeout=TIMEOUT)
    msg = None
    try:
        while True:
            m = ws.recv()
            if msg is None:
                msg = m
    except microhttpc.ConnectionClosed:
        pass
    return msg


def abort(ws):
    """After a driver error: close with 1011 (internal error) so that the server can finish the case."""
    if ws is not None:
        try:
            ws.close(1011)
        except Exception:  # noqa: BLE001,S110 - best effort; the original error is what gets reported
            pass


def echo_whole(url):
    """CPython: echo whole messages until the connection closes."""
    ws = microhttpc.ws_connect(url, max_message=MAX_MESSAGE, timeout=TIMEOUT)
    try:
        while True:
            ws.send(ws.recv())
    except microhttpc.ConnectionClosed:
        pass
    except Exception:
        abort(ws)
        raise


def echo_stream(url, echo):
    """MicroPython: echo through the streaming callbacks until the connection closes."""
    echo.reset()
    ws = None
    try:
        ws = microhttpc.ws_connect(
            url,
            max_message=MAX_MESSAGE,
            timeout=TIMEOUT,
            on_msg_rx_init=echo.on_msg_rx_init,
            on_msg_rx_data=echo.on_msg_rx_data,
            on_msg_rx_complete=echo.on_msg_rx_complete,
        )
        echo.attach(ws)
        while True:
            ws.poll(POLL_TIMEOUT)
    except microhttpc.ConnectionClosed:
        pass
    except Exception:
        common.collect()  # a MemoryError may be the reason: give close() room
        abort(ws)
        raise
    finally:
        echo.reset()


def main(argv):
    run = common.Run(argv, "client.py", "blocking")
    if run.usage:
        return 2
    try:
        count = int(fetch_text(run.count_url))
    except Exception as e:  # noqa: BLE001 - report any failure of the driver and the package alike
        return run.failed("cannot get the case count from " + run.count_url, e)
    echo = common.StreamEcho() if run.streaming else None
    for n in run.begin(count):
        error = None
        try:
            if echo is None:
                echo_whole(run.case_url(n))
            else:
                echo_stream(run.case_url(n), echo)
        except Exception as e:  # noqa: BLE001 - one broken case must not stop the run; it is reported
            error = e
        run.case_done(n, error)
        error = None
    try:
        fetch_text(run.reports_url)
    except Exception as e:  # noqa: BLE001 - reported, exit status 1
        return run.end(e)
    return run.end()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
