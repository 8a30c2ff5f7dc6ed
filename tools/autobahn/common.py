"""What the three Autobahn|Testsuite drivers share (client.py, client_aio.py, client_poll.py).

Runs unchanged on CPython and on the MicroPython unix port (only sys and gc, plus traceback on CPython for
error reports; no os.path, no f-strings). Importing it makes ``import microhttpc`` work from a checkout on
CPython (<repo>/firmware, two levels above the driver script) when the package is not installed.

- ``Run``: the command line (``URL AGENT [whole|stream]``), the fuzzing server's URLs, the bookkeeping of
  a run (case count, progress, heap, driver errors) and the exit status;
- ``StreamEcho``: the receive callbacks of the streaming echo, which gather small received pieces in one
  reused buffer so that a message that arrives in 65,536 frames of 64 bytes is not echoed as 65,536
  frames; its ``start`` / ``fragment`` / ``end`` send the outgoing message (overridden by a layer whose
  sends cannot be called from a callback);
- ``split_ws_url``, ``say``, ``collect``, ``heap_free``, ``describe``.
"""

import sys

try:
    import gc
except ImportError:  # pragma: no cover - both runtimes have it
    gc = None

IS_MICROPYTHON = sys.implementation.name == "micropython"

try:
    import microhttpc  # noqa: F401 - imported here for the drivers
except ImportError:
    if IS_MICROPYTHON:
        raise
    # A checkout without the package installed: <repo>/firmware, two levels above the driver script.
    _here = sys.argv[0].rsplit("/", 1)[0] if "/" in sys.argv[0] else "."
    sys.path.insert(0, _here + "/../../firmware")
    import microhttpc  # noqa: F401

# Section 9 sends single messages of up to 16 MiB; the limit must let them through (it is a cap, not a buffer).
MAX_MESSAGE = 32 * 1024 * 1024
TIMEOUT = 60  # seconds, per blocking socket operation (the non-blocking layers: per wait)
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


def describe(exc):
    """One line for the exception; its traceback goes to stderr (the driver's own bugs show up there)."""
    print_exception = getattr(sys, "print_exception", None)  # MicroPython
    if print_exception is not None:
        print_exception(exc, sys.stderr)
    else:
        import traceback  # CPython

        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return "%s: %s" % (type(exc).__name__, exc)


def split_ws_url(url):
    """``ws://host:port/path?query`` -> (host, port, "/path?query") (the fuzzing server's URLs only)."""
    if not url.startswith("ws://"):
        raise ValueError("not a ws:// URL: " + url)
    rest = url[5:]
    i = rest.find("/")
    hostport, path = (rest, "/") if i < 0 else (rest[:i], rest[i:])
    host, _, port = hostport.rpartition(":")
    return host, int(port), path


class Run:
    """One run of a driver: its command line, the server's URLs, the progress and the exit status.

    ``usage`` is True when the command line is wrong (exit status 2). Then, in this order:
    ``count_url`` (fetch it; ``failed()`` when that fails), ``begin(count)``, for each case
    ``case_url(n)`` and ``case_done(n, exc)``, ``reports_url`` (fetch it) and ``end(exc)``.
    """

    def __init__(self, argv, script, layer):
        self.script = script
        self.layer = layer
        self.usage = len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] not in ("whole", "stream"))
        if self.usage:
            print("usage: %s ws://127.0.0.1:PORT AGENT [whole|stream]" % script)
            return
        self.base = argv[1].rstrip("/")
        self.agent = argv[2]
        # Default: streaming on MicroPython (bounded heap), whole messages on CPython; the optional third
        # argument forces one API on either runtime (to exercise both).
        self.streaming = argv[3] == "stream" if len(argv) == 4 else IS_MICROPYTHON
        self.count_url = self.base + "/getCaseCount"
        self.reports_url = "%s/updateReports?agent=%s" % (self.base, self.agent)
        self.count = 0
        self.errors = 0
        self.low = None

    def case_url(self, n):
        return "%s/runCase?case=%d&agent=%s" % (self.base, n, self.agent)

    def failed(self, what, exc):
        """A step outside the cases failed: exit status 1."""
        say("%s: %s" % (what, describe(exc)))
        return 1

    def begin(self, count):
        self.count = count
        mode = "streaming callbacks" if self.streaming else "whole messages"
        say(
            "%d cases, agent %s, %s layer, %s (%s)"
            % (count, self.agent, self.layer, mode, sys.implementation.name)
        )
        collect()
        self.low = heap_free()
        if self.low is not None:
            say("heap free before the first case: %d bytes" % self.low)
        return range(1, count + 1)

    def case_done(self, n, exc=None):
        """After case ``n``; ``exc``: the driver error that ended it (one broken case does not stop the run)."""
        if exc is not None:
            self.errors += 1
            say("case #%d: driver error %s" % (n, describe(exc)))
        collect()
        free = heap_free()
        if free is not None and free < self.low:
            self.low = free
        if n % 50 == 0 or n == self.count:
            say(
                "%d/%d cases run%s"
                % (n, self.count, "" if free is None else ", heap free %d bytes" % free)
            )

    def end(self, exc=None):
        """After the reports were asked for (``exc``: why that failed). Returns the exit status."""
        if exc is not None:
            return self.failed("updateReports failed", exc)
        if self.errors:
            say("%d case(s) ended with a driver error (an exception other than ConnectionClosed)" % self.errors)
            return 1
        if self.low is not None:
            say("lowest heap free between cases: %d bytes" % self.low)
        say("reports updated")
        return 0


class StreamEcho:
    """Receive callbacks that echo each message as one fragmented outgoing message.

    Small received pieces are gathered in one reused buffer of ``chunk`` bytes (ECHO_CHUNK by default); a
    larger piece goes out in frames of ``chunk`` bytes. ``start(is_text)``, ``fragment(data)`` (``data`` is valid only during the call)
    and ``end()`` send; by default they call the WebSocket's send_start / send_fragment / send_end.

    microhttpc runs the callbacks only inside the calls that read (poll(), recv(), close()), so attach()
    comes first on every layer; should a callback ever fire before attach(), its event is kept (a copy)
    and replayed once the WebSocket is known.
    """

    def __init__(self, chunk=ECHO_CHUNK):
        self.ws = None
        self.pending = []
        self.chunk = chunk
        self.buf = bytearray(chunk)
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

    def start(self, is_text):
        self.ws.send_start(is_text)

    def fragment(self, data):
        self.ws.send_fragment(data)

    def end(self):
        self.ws.send_end()

    def flush(self):
        if self.n:
            self.fragment(self.view[: self.n])
            self.n = 0

    def on_msg_rx_init(self, is_text, length):
        if self.ws is None:
            self.pending.append((0, is_text, length))
            return
        self.n = 0
        self.start(is_text)

    def on_msg_rx_data(self, chunk):
        # chunk is valid only during this call: send it or copy it now.
        if self.ws is None:
            self.pending.append((1, bytes(chunk)))
            return
        size = len(chunk)
        if self.n + size > self.chunk:
            self.flush()
        if size >= self.chunk:
            for i in range(0, size, self.chunk):  # (one frame when chunk is the read's size or more)
                self.fragment(chunk[i : i + self.chunk])
        else:
            self.buf[self.n : self.n + size] = chunk
            self.n += size

    def on_msg_rx_complete(self):
        if self.ws is None:
            self.pending.append((2,))
            return
        self.flush()
        self.end()
