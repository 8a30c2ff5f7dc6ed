"""Autobahn|Testsuite client driver for microhttpc's poll engine (microhttpc.poll.Engine, callbacks): echo every case of a running fuzzing server.

Runs unchanged on CPython and on the MicroPython unix port (only sys and gc, plus traceback on CPython for
error reports; no os.path, no f-strings); what the three drivers share is in common.py:

    python      tools/autobahn/client_poll.py ws://127.0.0.1:PORT AGENT [whole|stream]
    micropython -X heapsize=128K tools/autobahn/client_poll.py ws://127.0.0.1:PORT AGENT   (MICROPYPATH=firmware:.frozen)

Protocol of the fuzzing server: as client.py's (URL/getCaseCount, then URL/runCase?case=N&agent=AGENT for
N = 1..count, every message echoed with its type until the connection closes, then
URL/updateReports?agent=AGENT). One Engine runs the whole run, one connection at a time: connect() and
upgrade() queue the case's connection, then engine.run() until that connection's on_close.

CPython uses whole messages (on_msg, answered with ws.send()). MicroPython has a 128 KiB heap while
section 9 sends messages of up to 16 MiB, so it uses the streaming callbacks: each message is echoed as the
fragments of one outgoing message (ws.send_start / send_fragment / send_end, queued from the callbacks;
the engine reads no more while 8 KiB wait to be written), in frames of at most 256 bytes on MicroPython
(see MICROPYTHON_ECHO_CHUNK). The optional third argument forces either API on
either runtime. Small received chunks are gathered in one reused buffer (common.StreamEcho) so that a
message that arrives in 65,536 frames of 64 bytes is not echoed as 65,536 frames.

Exit status: 0 when every case ran to its close (the verdict is the server's, in its reports); 1 when the
driver itself hit something the API does not promise (an exception raised by one of its callbacks, a
connection that ended before its WebSocket opened); 2 on bad usage.
"""

import sys

import common
import microhttpc

from common import MAX_MESSAGE, TIMEOUT
from microhttpc.poll import Engine

# The streaming echo's frames on MicroPython: received pieces are gathered, and larger ones split, to
# this size (the blocking driver: 1 KiB). With the poll modules loaded as .mpy into the 128 KiB heap about
# 30 KB stay free, and there the echo of section 9's messages that come in 64-byte frames or in small
# chops (9.3.1, 9.4.1, 9.5.x, 9.6.x) through 1 and 2 KiB frames split the heap until one found no block
# (MemoryError with 12 KB free, the largest free block 480 bytes; a 1 KiB receive buffer did not help).
MICROPYTHON_ECHO_CHUNK = 256


class Case:
    """One connection to the server, upgraded to a WebSocket; run() polls the engine until it ends.

    Every callback of the driver runs through guard(): ConnectionClosed from a send there is the case's
    end, any other exception is kept in ``error`` (the first; the engine ends the connection with it).
    ``cause``: the connection's end (None when clean).
    """

    def __init__(self, engine):
        self.engine = engine
        self.conn = self.ws = None
        self.opened = False
        self.ended = False
        self.cause = None
        self.error = None

    def open(self, url, **kw):
        """Queue the connection and its upgrade (with the upgrade's keywords ``kw``)."""
        host, port, path = common.split_ws_url(url)
        self.conn = self.engine.connect(host, port, on_close=self.on_close)
        try:
            self.ws = self.engine.upgrade(self.conn, path, on_open=self.on_open, **kw)
        except Exception:
            self.engine.close(self.conn, abort=True)
            self.run(5)
            raise

    def guard(self, fn):
        def call(*args):
            try:
                return fn(*args)
            except microhttpc.ConnectionClosed:
                # A send from the callback of a message cut by a fault or by the server's Close (its
                # first frames came in the same read): the connection is closing already; its Close is
                # queued and the engine carries on with it.
                return None
            except Exception as e:
                if self.error is None:
                    self.error = e
                raise

        return call

    def on_open(self, ws):
        self.opened = True

    def on_close(self, conn, cause):
        self.ended = True
        self.cause = cause

    def run(self, timeout=None):
        self.engine.run(until=lambda: self.ended, timeout=timeout)

    def check(self):
        """After run(): raise what ended the case when that was the driver's problem."""
        if self.error is not None:
            raise self.error
        if not self.opened:
            raise self.cause if self.cause is not None else RuntimeError("the WebSocket never opened")


def fetch_text(engine, url):
    """Connect, return the first text message, then read until the server closes."""
    got = []
    case = Case(engine)
    case.open(url, max_message=4096, on_msg=case.guard(got.append))
    case.run()
    case.check()
    return got[0] if got else None


def echo_whole(engine, url):
    """CPython: echo whole messages until the connection closes."""
    case = Case(engine)
    case.open(url, max_message=MAX_MESSAGE, on_msg=case.guard(lambda m: case.ws.send(m)))
    case.run()
    case.check()


def echo_stream(engine, url, echo):
    """MicroPython: echo through the streaming callbacks until the connection closes."""
    echo.reset()
    case = Case(engine)
    try:
        case.open(
            url,
            max_message=MAX_MESSAGE,
            on_msg_rx_init=case.guard(echo.on_msg_rx_init),
            on_msg_rx_data=case.guard(echo.on_msg_rx_data),
            on_msg_rx_complete=case.guard(echo.on_msg_rx_complete),
        )
        echo.attach(case.ws)
        case.run()
        case.check()
    finally:
        echo.reset()


def main(argv):
    run = common.Run(argv, "client_poll.py", "poll")
    if run.usage:
        return 2
    engine = Engine(connect_timeout=TIMEOUT, timeout=TIMEOUT)
    try:
        count = int(fetch_text(engine, run.count_url))
    except Exception as e:  # noqa: BLE001 - report any failure of the driver and the package alike
        return run.failed("cannot get the case count from " + run.count_url, e)
    echo = None
    if run.streaming:
        echo = common.StreamEcho(MICROPYTHON_ECHO_CHUNK if common.IS_MICROPYTHON else common.ECHO_CHUNK)
    for n in run.begin(count):
        error = None
        try:
            if echo is None:
                echo_whole(engine, run.case_url(n))
            else:
                echo_stream(engine, run.case_url(n), echo)
        except Exception as e:  # noqa: BLE001 - one broken case must not stop the run; it is reported
            error = e
        run.case_done(n, error)
        error = None
    try:
        fetch_text(engine, run.reports_url)
    except Exception as e:  # noqa: BLE001 - reported, exit status 1
        return run.end(e)
    return run.end()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
