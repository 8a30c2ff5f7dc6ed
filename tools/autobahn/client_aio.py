"""Autobahn|Testsuite client driver for microhttpc's asyncio layer (microhttpc.aio): echo every case of a running fuzzing server.

Runs unchanged on CPython and on the MicroPython unix port (only sys, gc and asyncio, plus traceback on
CPython for error reports; no os.path, no f-strings); what the three drivers share is in common.py:

    python      tools/autobahn/client_aio.py ws://127.0.0.1:PORT AGENT [whole|stream]
    micropython -X heapsize=128K tools/autobahn/client_aio.py ws://127.0.0.1:PORT AGENT   (MICROPYPATH=firmware:.frozen)

Protocol of the fuzzing server: as client.py's (URL/getCaseCount, then URL/runCase?case=N&agent=AGENT for
N = 1..count, every message echoed with its type until the connection closes, then
URL/updateReports?agent=AGENT), all in one asyncio.run().

CPython uses the whole-message API (await ws.recv() / await ws.send()). MicroPython has a 128 KiB heap while
section 9 sends messages of up to 16 MiB, so it uses the streaming API: the receive callbacks echo each
message as the fragments of one outgoing message. A callback cannot await, so it answers by starting a task
(asyncio.create_task of ws.send_start / send_fragment / send_end; the tasks run in the order they were
started, and recv() lets them run before it parses a Close or a fault held behind the message), while the
main task awaits ws.recv(), which returns only at the close in streaming mode (ConnectionClosed ends the
case). The optional third argument forces either API on either runtime.
Small received chunks are gathered in one reused buffer (common.StreamEcho) so that a message that arrives
in 65,536 frames of 64 bytes is not echoed as 65,536 frames, nor through 65,536 tasks; each task sends a
copy of its piece (a received chunk is valid only during its callback), at most 1 KiB.

Exit status: 0 when every case ran to its close (the verdict is the server's, in its reports); 1 when the
driver itself hit something the API does not promise (an exception other than ConnectionClosed, in the main
task or in one of the answering tasks, a connect failure); 2 on bad usage.
"""

import sys

import common
import microhttpc

from common import MAX_MESSAGE, TIMEOUT
from microhttpc import aio

try:
    import asyncio
except ImportError:  # pragma: no cover - MicroPython before 1.21
    import uasyncio as asyncio


async def fetch_text(url):
    """Connect, return the first text message, then read until the server closes."""
    ws = await aio.ws_connect(url, max_message=4096, timeout=TIMEOUT)
    msg = None
    try:
        while True:
            m = await ws.recv()
            if msg is None:
                msg = m
    except microhttpc.ConnectionClosed:
        pass
    return msg


async def abort(ws):
    """After a driver error: close with 1011 (internal error) so that the server can finish the case."""
    if ws is not None:
        try:
            await ws.close(1011)
        except Exception:  # noqa: BLE001,S110 - best effort; the original error is what gets reported
            pass


async def echo_whole(url):
    """CPython: echo whole messages until the connection closes."""
    ws = await aio.ws_connect(url, max_message=MAX_MESSAGE, timeout=TIMEOUT)
    try:
        while True:
            await ws.send(await ws.recv())
    except microhttpc.ConnectionClosed:
        pass
    except Exception:
        await abort(ws)
        raise


class TaskEcho(common.StreamEcho):
    """The streaming echo's sends, each from a task the callback starts (a callback cannot await).

    ``tasks`` counts the answering tasks not yet done; the first exception one of them met other than
    ConnectionClosed (the case ended while it waited: its piece has nowhere to go) is kept in ``error``.
    """

    def __init__(self, chunk):
        super().__init__(chunk)
        self.tasks = 0
        self.error = None

    def reset(self):
        super().reset()
        self.error = None

    def answer(self, send, arg):
        asyncio.create_task(self.run(send, arg))
        self.tasks += 1  # (after: a task that could not be made is not waited for)

    async def run(self, send, arg):
        try:
            await send(arg)
        except microhttpc.ConnectionClosed:
            pass
        except Exception as e:  # noqa: BLE001 - reported by echo_stream as the case's driver error
            if self.error is None:
                self.error = e
        finally:
            self.tasks -= 1

    def start(self, is_text):
        self.answer(self.ws.send_start, is_text)

    def fragment(self, data):
        self.answer(self.ws.send_fragment, bytes(data))  # a copy: data is valid only during the callback

    def end(self):
        self.answer(self.ws.send_end, b"")

    async def settle(self):
        """Wait for the answering tasks (once the connection has ended, each ends at its next step)."""
        turns = 0
        while self.tasks:
            turns += 1
            if turns > 100 * TIMEOUT:
                raise RuntimeError("%d answering task(s) still running after the close" % self.tasks)
            await asyncio.sleep(0 if turns < 100 else 0.01)


async def echo_stream(url, echo):
    """MicroPython: echo through the streaming callbacks until the connection closes."""
    echo.reset()
    ws = None
    try:
        ws = await aio.ws_connect(
            url,
            max_message=MAX_MESSAGE,
            timeout=TIMEOUT,
            on_msg_rx_init=echo.on_msg_rx_init,
            on_msg_rx_data=echo.on_msg_rx_data,
            on_msg_rx_complete=echo.on_msg_rx_complete,
        )
        echo.attach(ws)
        while True:
            await ws.recv(None)  # streaming: returns no message, raises ConnectionClosed at the end
    except microhttpc.ConnectionClosed:
        pass
    except Exception:
        common.collect()  # a MemoryError may be the reason: give close() room
        await abort(ws)
        await echo.settle()
        echo.reset()
        raise
    await echo.settle()
    error = echo.error
    echo.reset()
    if error is not None:
        raise error


async def run_cases(run):
    try:
        count = int(await fetch_text(run.count_url))
    except Exception as e:  # noqa: BLE001 - report any failure of the driver and the package alike
        return run.failed("cannot get the case count from " + run.count_url, e)
    echo = None
    if run.streaming:
        # Pieces of 1 KiB at most (common.ECHO_CHUNK; larger reads split): on MicroPython, with the asyncio
        # modules loaded as .mpy about 29 KB of the 128 KiB heap stay free, and the copy of a whole 2 KiB
        # read found no block in one of two runs (9.5.2), while 256-byte pieces made too many tasks at
        # once for it (9.1.4).
        echo = TaskEcho(common.ECHO_CHUNK)
    for n in run.begin(count):
        error = None
        try:
            if echo is None:
                await echo_whole(run.case_url(n))
            else:
                await echo_stream(run.case_url(n), echo)
        except Exception as e:  # noqa: BLE001 - one broken case must not stop the run; it is reported
            error = e
        run.case_done(n, error)
        error = None
    try:
        await fetch_text(run.reports_url)
    except Exception as e:  # noqa: BLE001 - reported, exit status 1
        return run.end(e)
    return run.end()


def main(argv):
    run = common.Run(argv, "client_aio.py", "asyncio")
    if run.usage:
        return 2
    return asyncio.run(run_cases(run))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
