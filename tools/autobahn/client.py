"""Autobahn|Testsuite client driver for microhttpc: echo every case of a running fuzzing server.

Runs unchanged on CPython and on the MicroPython unix port (only sys and gc, plus traceback on CPython for
error reports; no os.path, no f-strings):

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

Exit status: 0 when every case ran to its close (the verdict is the server's, in its reports); 1 when the
driver itself hit something the API does not promise (an exception other than ConnectionClosed, a connect
failure); 2 on bad usage.
"""

import sys

try:
    import gc
except ImportError:  # pragma: no cover - both runtimes have it
    gc = None

IS_MICROPYTHON = sys.implementation.name == "micropython"

try:
    import microhttpc
except ImportError:
    if IS_MICROPYTHON:
        raise
    # A checkout without the package installed: <repo>/firmware, two levels above this script.
    _here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
    sys.path.insert(0, _here + "/../../firmware")
    import microhttpc

# Section 9 sends single messages of up to 16 MiB; the limit must let them through (it is a cap, not a buffer).
MAX_MESSAGE = 32 * 1024 * 1024
TIMEOUT = 60  # seconds, per blocking socket operation
POLL_TIMEOUT = 1.0
ECHO_CHUNK = 1024  # streaming echo: gather received pieces up to this size before sending a fragment


def say(msg):
    print("client: " + msg)
    flush = getattr(sys.stdout, "flush", None)
    if flush:
        flush()


def collect():
    if gc is not None:
        gc.collect()


def heap_free():
    """Free heap after a collection (MicroPython only; None on CPython)."""
    mem_free = getattr(gc, "mem_free", None)
    return mem_free() if mem_free is not None else None


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


class StreamEcho:
    """Receive callbacks that echo each message as one fragmented outgoing message.

    microhttpc runs the callbacks only inside poll()/recv()/close() (frames that arrive in the same read as
    the 101 response are parsed by the first poll()), so attach() always comes first. Should a callback
    ever fire before attach(), its event is kept (a copy) and replayed once the WebSocket is known.
    """

    def __init__(self):
        self.ws = None
        self.pending = []
        self.buf = bytearray(ECHO_CHUNK)
        self.view = memoryview(self.buf)
        self.n = 0

    def reset(self):
        self.ws = None
        self.pending = []
        self.n = 0

    def attach(self, ws):
        self.ws = ws
        pending, self.pending = self.pending, []
        for event in pending:
            if event[0] == 0:
                self.on_msg_rx_init(event[1], event[2])
            elif event[0] == 1:
                self.on_msg_rx_data(event[1])
            else:
                self.on_msg_rx_complete()

    def flush(self):
        if self.n:
            self.ws.send_fragment(self.view[: self.n])
            self.n = 0

    def on_msg_rx_init(self, is_text, length):
        if self.ws is None:
            self.pending.append((0, is_text, length))
            return
        self.n = 0
        self.ws.send_start(is_text)

    def on_msg_rx_data(self, chunk):
        # chunk is valid only during this call: send it or copy it now.
        if self.ws is None:
            self.pending.append((1, bytes(chunk)))
            return
        size = len(chunk)
        if self.n + size > ECHO_CHUNK:
            self.flush()
        if size >= ECHO_CHUNK:
            self.ws.send_fragment(chunk)
        else:
            self.buf[self.n : self.n + size] = chunk
            self.n += size

    def on_msg_rx_complete(self):
        if self.ws is None:
            self.pending.append((2,))
            return
        self.flush()
        self.ws.send_end()


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
        collect()  # a MemoryError may be the reason: give close() room
        abort(ws)
        raise
    finally:
        echo.reset()


def describe(exc):
    """One line for the exception; its traceback goes to stderr (the driver's own bugs show up there)."""
    print_exception = getattr(sys, "print_exception", None)  # MicroPython
    if print_exception is not None:
        print_exception(exc, sys.stderr)
    else:
        import traceback  # CPython

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return "%s: %s" % (type(exc).__name__, exc)


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in ("whole", "stream")):
        print("usage: client.py ws://127.0.0.1:PORT AGENT [whole|stream]")
        return 2
    base = argv[1].rstrip("/")
    agent = argv[2]
    # Default: streaming on MicroPython (bounded heap), whole messages on CPython; the optional third
    # argument forces one API on either runtime (to exercise both).
    if len(argv) == 4:
        streaming = argv[3] == "stream"
    else:
        streaming = IS_MICROPYTHON
    mode = "streaming callbacks" if streaming else "whole messages"
    try:
        count = int(fetch_text(base + "/getCaseCount"))
    except Exception as e:  # noqa: BLE001 - report any failure of the driver and the package alike
        say("cannot get the case count from %s/getCaseCount: %s" % (base, describe(e)))
        return 1
    say("%d cases, agent %s, %s (%s)" % (count, agent, mode, sys.implementation.name))
    echo = StreamEcho() if streaming else None
    errors = 0
    collect()
    low = heap_free()
    if low is not None:
        say("heap free before the first case: %d bytes" % low)
    for n in range(1, count + 1):
        url = "%s/runCase?case=%d&agent=%s" % (base, n, agent)
        try:
            if echo is None:
                echo_whole(url)
            else:
                echo_stream(url, echo)
        except Exception as e:  # noqa: BLE001 - one broken case must not stop the run; it is reported
            errors += 1
            say("case #%d: driver error %s" % (n, describe(e)))
        collect()
        free = heap_free()
        if free is not None and free < low:
            low = free
        if n % 50 == 0 or n == count:
            say("%d/%d cases run%s" % (n, count, "" if free is None else ", heap free %d bytes" % free))
    try:
        fetch_text("%s/updateReports?agent=%s" % (base, agent))
    except Exception as e:  # noqa: BLE001 - reported, exit status 1
        say("updateReports failed: %s" % describe(e))
        return 1
    if errors:
        say("%d case(s) ended with a driver error (an exception other than ConnectionClosed)" % errors)
        return 1
    if low is not None:
        say("lowest heap free between cases: %d bytes" % low)
    say("reports updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
