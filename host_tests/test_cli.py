"""``python -m microhttpc URL``: the command line, run as a subprocess on CPython and on the MicroPython
unix port (from the sources, as `micropython -m microhttpc` runs it) against the local servers."""

import json
import os
import select
import subprocess
import sys
import time

import pytest
from conftest import ROOT, micropython_cmd

FIRMWARE = os.path.join(ROOT, "firmware")


def cli(runtime):
    """(command prefix, environment) that runs the CLI on ``runtime``."""
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)  # output must reach a pipe at once without it
    if runtime == "cpython":
        env["PYTHONPATH"] = FIRMWARE
        return [sys.executable, "-m", "microhttpc"], env
    env["MICROPYPATH"] = os.pathsep.join([FIRMWARE, ".frozen"])
    return [micropython_cmd(), "-m", "microhttpc"], env


@pytest.fixture(params=["cpython", "micropython"])
def run(request, live_servers):
    """run(*args, stdin=b"") -> CompletedProcess (stdout and stderr as bytes)."""
    prefix, env = cli(request.param)

    def go(*args, stdin=b""):
        return subprocess.run(prefix + list(args), input=stdin, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=60)

    go.popen = lambda *args, **kw: subprocess.Popen(prefix + list(args), env=env, stdin=subprocess.PIPE,
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

    def closed(url, which):
        # ``which`` ("stdin" or "stdout") closed in the child (its descriptor free), the other two piped
        kw = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
        kw[which] = None
        pre = (lambda: os.close(0 if which == "stdin" else 1))
        proc = subprocess.Popen(prefix + [url], env=env, stderr=subprocess.PIPE, preexec_fn=pre, **kw)
        out, err = proc.communicate(timeout=30)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    go.closed = closed
    return go


def http(name, path):
    return "http://%s%s" % (os.environ["MHC_" + name.upper()], path)


def no_traceback(proc):
    assert b"Traceback" not in proc.stderr, proc.stderr


def test_get_prints_the_body(run):
    p = run(http("http", "/hello"))
    assert (p.returncode, p.stdout) == (0, b"hello world"), p
    assert p.stderr == b""


def test_include_prints_status_line_and_headers_first(run):
    p = run("-i", http("http", "/hello"))
    assert p.returncode == 0, p
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK", lines
    assert b"Content-Length: 11" in lines[1:], lines
    assert body == b"hello world"


def test_data_posts_and_headers_are_sent(run, tmp_path):
    p = run("-d", "a=1&b=2", "-H", "X-Test: yes", "-H", "Accept:  */*", http("http", "/echo"))
    assert p.returncode == 0, p
    got = json.loads(p.stdout)
    headers = {k.lower(): v for k, v in got["headers"]}
    assert got["method"] == "POST" and got["body"] == "a=1&b=2", got
    assert headers["x-test"] == "yes" and headers["accept"] == "*/*", headers
    assert headers["content-type"] == "application/x-www-form-urlencoded", headers

    f = tmp_path / "body.bin"
    f.write_bytes(b"\x00\x01line\r\n\xff")
    p = run("-X", "PUT", "-d", "@" + str(f), "-H", "Content-Type: application/octet-stream",
            http("http", "/echo"))
    got = json.loads(p.stdout)
    headers = {k.lower(): v for k, v in got["headers"]}
    assert got["method"] == "PUT" and got["body"].encode("latin-1") == b"\x00\x01line\r\n\xff", got
    assert headers["content-type"] == "application/octet-stream", headers

    p = run("-XDELETE", http("http", "/echo"))
    assert json.loads(p.stdout)["method"] == "DELETE"


def test_http_error_status_exits_1_with_the_body(run):
    p = run(http("http", "/status/404"))
    assert p.returncode == 1, p
    assert b"404" in p.stdout
    no_traceback(p)


def test_a_status_under_100_exits_1_and_prints_three_digits(run):
    # Exit 0 before (only 1xx-3xx are a success), and -i printed "HTTP/1.1 0 Zero".
    p = run("-i", http("raw", "/raw/status-000"))
    assert p.returncode == 1 and p.stdout.startswith(b"HTTP/1.1 000 Zero\r\n"), p
    no_traceback(p)


def test_data_that_is_no_utf8_goes_as_it_came_on_cpython():
    # CPython makes lone surrogates of such bytes: a UnicodeEncodeError traceback and exit 1 before.
    prefix, env = cli("cpython")
    p = subprocess.run(prefix + ["-d", b"a=\xff", http("http", "/echo")], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, p
    assert json.loads(p.stdout)["body"] == "a=\xff", p.stdout  # (the server decodes latin-1)


def test_refused_connect_exits_2_with_a_message(run):
    p = run(http("closed", "/"))
    assert p.returncode == 2, p
    assert p.stdout == b""
    assert p.stderr.startswith(b"microhttpc: connect to 127.0.0.1:"), p.stderr
    no_traceback(p)


def test_usage(run):
    p = run("--help")
    assert p.returncode == 0 and p.stdout.startswith(b"usage: python -m microhttpc"), p
    for args in (["--nope", http("http", "/")], [], ["-H", "no colon", http("http", "/")], ["ftp://x/"],
                 ["-d", "@/nonexistent/file", http("http", "/echo")], ["--timeout", "soon", http("http", "/")],
                 # the same answer on both runtimes (CPython's upper(), float() and strip() went beyond ASCII:
                 # "-X ß" sent the method SS, "\u0661\u0660" was 10 s, a U+3000 after a name was dropped)
                 ["-X", "\u00df", http("http", "/")], ["--timeout", "\u0661\u0660", http("http", "/")],
                 ["--timeout", "1_0", http("http", "/")], ["-H", "X-Note\u3000: v", http("http", "/")],
                 ["--timeout", ".", http("http", "/")], ["--timeout", "e1", http("http", "/")],
                 # refused by the library, not the parser: the usage line all the same (it was left out)
                 ["--timeout", "-1", http("http", "/")], ["--timeout", "600000", http("http", "/")],
                 ["-X", "BAD/METHOD", http("http", "/")], ["-H", "Host: x", http("http", "/")],
                 [os.environ["MHC_HTTP"] + "/hello"]):
        p = run(*args)
        assert p.returncode == 2 and p.stderr.startswith(b"microhttpc: "), (args, p)
        assert p.stderr.count(b"\n") == 2 and b"\nusage: python -m microhttpc" in p.stderr, (args, p)
        no_traceback(p)


def test_a_url_with_a_byte_that_is_no_utf8_exits_2_on_cpython():
    # CPython makes a lone surrogate of it (a bare UnicodeEncodeError and exit 1 before); the unix port's
    # launcher of this package takes no such argument at all
    prefix, env = cli("cpython")
    p = subprocess.run(prefix + [b"http://\xff/"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith(b"microhttpc: "), p
    no_traceback(p)


def test_tls_cacert_and_insecure(run):
    url = "https://%s/hello" % os.environ["MHC_TLS"]
    p = run(url)  # the test CA is in no store, and MicroPython has none
    assert p.returncode == 2 and b"--cacert" in p.stderr, p
    no_traceback(p)
    p = run("--cacert", os.environ["MHC_TLS_CA"], url)
    assert (p.returncode, p.stdout) == (0, b"hello world"), p
    p = run("-k", url)
    assert (p.returncode, p.stdout) == (0, b"hello world"), p


def test_timeout(run):
    t = time.monotonic()
    p = run("--timeout", "0.5", http("silent", "/"))
    assert p.returncode == 2 and b"within 0.5 s" in p.stderr, p
    assert time.monotonic() - t < 15


def read_until(proc, want, got=None, timeout=20):
    """Read the child's stdout and stderr into ``got`` until ``want`` (stream name, bytes) has appeared
    in what was read so far; return ``got``."""
    if got is None:
        got = {"stdout": b"", "stderr": b""}
    fds = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr"}
    end = time.monotonic() + timeout
    while want[1] not in got[want[0]]:
        left = end - time.monotonic()
        assert left > 0, ("timed out waiting for", want, got)
        assert fds, ("the CLI ended early", got, proc.wait())
        for fd in select.select(list(fds), [], [], left)[0]:
            data = os.read(fd, 4096)
            if data:
                got[fds[fd]] += data
            else:  # this stream ended; the other may still hold what the child wrote before it exited
                del fds[fd]
    return got


def test_ws_interactive_session(run):
    proc = run.popen("ws://%s/" % os.environ["MHC_WS"])
    try:
        proc.stdin.write(b"hello\n!ping\n")
        proc.stdin.flush()
        got = read_until(proc, ("stdout", b"hello\n"))
        read_until(proc, ("stderr", b"* pong\n"), got)
        proc.stdin.write("h\u00e9llo w\u00f6rld\n".encode())
        proc.stdin.flush()
        read_until(proc, ("stdout", "h\u00e9llo w\u00f6rld\n".encode()), got)
        out, err = proc.communicate(b"", timeout=20)  # end of input: a clean close
    finally:
        if proc.poll() is None:
            proc.kill()
    out = got["stdout"] + out
    err = got["stderr"] + err
    assert out == "hello\nh\u00e9llo w\u00f6rld\n".encode(), out
    assert err.startswith(b"* connected to ws://"), err
    assert err.endswith(b"* closed: 1000 \n"), err
    assert proc.returncode == 0


def test_ws_piped_input_ends_with_a_clean_close(run):
    # End of input closes at once: replies still on their way are not waited for (so only the close is
    # certain here; the interactive test above waits for the echo before closing).
    p = run("ws://%s/" % os.environ["MHC_WS"], stdin=b"hello\n!ping\n")
    assert p.returncode == 0, p
    assert p.stderr.endswith(b"* closed: 1000 \n"), p.stderr
    assert p.stdout in (b"", b"hello\n"), p.stdout
    p = run("ws://%s/" % os.environ["MHC_WS"], stdin=b"!close\nnot sent\n")
    assert p.returncode == 0 and p.stderr.endswith(b"* closed: 1000 \n"), p


def test_ws_input_that_is_not_utf8_exits_2_with_one_line(run):
    # Was a traceback (UnicodeDecodeError; UnicodeError on MicroPython), exit status 1, no close.
    p = run("ws://%s/" % os.environ["MHC_WS"], stdin=b"hello\n\xff\nnot sent\n")
    assert p.returncode == 2, p
    no_traceback(p)
    lines = p.stderr.decode().splitlines()
    assert lines[0].startswith("* connected to ws://") and len(lines) == 2, lines
    assert lines[1].startswith("microhttpc: a line of input is not UTF-8"), lines
    assert p.stdout in (b"", b"hello\n"), p.stdout


def test_ws_close_by_the_server(run):
    proc = run.popen("ws://%s/close/4000" % os.environ["MHC_WS"])
    try:
        got = read_until(proc, ("stderr", b"* closed by the server: 4000 bye\n"))  # stdin still open
        assert proc.wait(20) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
    assert got["stdout"] == b"", got


def test_ws_fault_of_the_server_exits_2_naming_it(run):
    # A masked server frame, bad UTF-8: this side fails the connection (1002, 1007).  It said "* closed
    # by the server: 1006", exit 1.
    for path, word in (("/masked", b"mask"), ("/badutf8", b"UTF-8")):
        proc = run.popen("ws://%s%s" % (os.environ["MHC_WSRAW"], path))  # stdin kept open
        try:
            code = proc.wait(20)
            err = proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdin.close()
            proc.stdout.close()
            proc.stderr.close()
        assert code == 2 and b"Traceback" not in err, (path, code, err)
        last = err.decode().splitlines()[-1]
        assert last.startswith("microhttpc: ") and word.decode() in last, (path, err)


def test_ws_fault_in_our_close_exits_2_naming_it(run):
    # The server answers our Close (the end of input) with code 1005, which must not be on the wire:
    # "* closed: 1006", exit 1, before.
    p = run("ws://%s/badclose" % os.environ["MHC_WSRAW"], stdin=b"")
    assert p.returncode == 2, p
    no_traceback(p)
    last = p.stderr.decode().splitlines()[-1]
    assert last.startswith("microhttpc: ") and "1005" in last, p.stderr


def test_closed_stdout_or_stdin_exits_2_with_one_line(run):
    # CPython: an AttributeError traceback; MicroPython: the socket took descriptor 1 and the body
    # went back to the server (ws: descriptor 0, registered twice, and the session waited for ever).

    for url, close in ((http("http", "/hello"), "stdout"), ("ws://%s/" % os.environ["MHC_WS"], "stdin")):
        p = run.closed(url, close)
        assert p.returncode == 2 and p.stdout in (None, b""), (url, close, p)
        no_traceback(p)
        assert p.stderr.decode().splitlines() == ["microhttpc: standard output (or, for a WebSocket, input) is "
                                                  "closed"], p.stderr
    p = run.closed(http("http", "/hello"), "stdin")  # a request does not need its input
    assert p.returncode == 0 and p.stdout == b"hello world", p


def test_ws_binary_messages_print_as_hex(run):
    # /big/N sends N bytes 00 01 02 ... as one binary message, then their SHA-1 as text.
    import hashlib

    for n, shown in ((3, "000102"), (100, bytes(range(64)).hex() + "...")):
        proc = run.popen("ws://%s/big/%d" % (os.environ["MHC_WS"], n))
        try:
            sha = hashlib.sha1(bytes(range(n))).hexdigest()
            got = read_until(proc, ("stdout", sha.encode() + b"\n"))
            out, _ = proc.communicate(b"", timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert got["stdout"] + out == ("< (binary %d bytes) %s\n%s\n" % (n, shown, sha)).encode(), got
        assert proc.returncode == 0


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_importing_the_package_does_not_load_the_cli(runtime):
    prefix, env = cli(runtime)
    code = "import sys, microhttpc, microhttpc.client; print('microhttpc.__main__' in sys.modules)"
    p = subprocess.run([prefix[0], "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    assert p.stdout.strip() == b"False", p.stdout


def test_servers_script_keeps_serving_in_the_background():
    # `python tools/servers.py &`: stdin at EOF must not end it; SIGTERM stops it cleanly.
    import signal

    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tools", "servers.py")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        addresses = json.loads(proc.stdout.readline())
        time.sleep(1)
        assert proc.poll() is None, proc.stderr.read()
        prefix, env = cli("cpython")
        p = subprocess.run(prefix + ["http://%s/hello" % addresses["http"]], env=env, stdout=subprocess.PIPE,
                           timeout=60)
        assert p.stdout == b"hello world"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


def _ws_server_that_speaks_later(delay):
    """A WebSocket server (127.0.0.1, a port of its own) that answers the handshake, then after
    ``delay`` seconds sends the text "hello" and a Close(4000, "bye"): its URL."""
    import base64
    import hashlib
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        c, _ = srv.accept()
        with c:
            data = b""
            while b"\r\n\r\n" not in data:
                data += c.recv(4096)
            key = [v.split(b":", 1)[1].strip() for v in data.split(b"\r\n")
                   if v.lower().startswith(b"sec-websocket-key:")][0]
            accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            time.sleep(delay)
            c.sendall(b"\x81\x05hello\x88\x05\x0f\xa0bye")
            c.settimeout(5)
            try:
                while c.recv(4096):  # the client's Close, then its end
                    pass
            except OSError:
                pass
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return "ws://127.0.0.1:%d/" % srv.getsockname()[1]


def test_ws_a_line_of_input_not_ended_holds_nothing_up(run):
    # A blocking readline() waited for the end of a line the input had begun (typed text, a slow
    # producer): the messages and the Close the server sent meanwhile went unseen, past --timeout,
    # until a newline or the end of input came (an outside hunt).  Input is taken as it comes now.
    proc = run.popen("--timeout", "5", _ws_server_that_speaks_later(1.0))
    try:
        got = read_until(proc, ("stderr", b"* connected to "))
        proc.stdin.write(b"partial")  # no end of line, and the input stays open
        proc.stdin.flush()
        read_until(proc, ("stderr", b"* closed by the server: 4000 bye\n"), got, timeout=10)
        assert proc.wait(10) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
    assert got["stdout"] == b"hello\n", got


def test_include_writes_header_lines_as_the_server_sent_them(run):
    # -i wrote each header as the UTF-8 of its value's Latin-1 reading: bytes that are not UTF-8 were
    # changed (an outside hunt); the header block goes out as it came now
    p = run("-i", http("raw", "/raw/latin1-b"))
    assert p.returncode == 0, p
    assert b"\r\nX-Latin: " + bytes(range(0xC0, 0x100)) + b"\r\n" in p.stdout, p.stdout


def test_a_body_from_a_file_is_streamed_and_out_of_memory_is_one_line(live_servers, tmp_path):
    # -d @FILE was read whole before it was sent, and on a board's heap a file (or a line of WebSocket
    # input) larger than it held came out as a MemoryError traceback, exit status 1 (an outside hunt):
    # the file goes as it is read now, with its Content-Length, and out of memory is one line, exit 2
    prefix, env = cli("micropython")
    prefix = [prefix[0], "-X", "heapsize=192K"] + prefix[1:]  # (the sources compiled there: 192K)
    f = tmp_path / "body.bin"
    data = bytes(range(256)) * 600  # 150 KiB: more than the heap has room for
    f.write_bytes(data)
    p = subprocess.run(prefix + ["-X", "PUT", "-d", "@" + str(f), http("http", "/echo")], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    no_traceback(p)
    assert p.returncode == 0, p
    got = json.loads(p.stdout)
    assert got["method"] == "PUT" and got["body"].encode("latin-1") == data, len(got["body"])
    line = b"z" * 150000 + b"\n"
    p = subprocess.run(prefix + ["ws://%s/" % os.environ["MHC_WS"]], input=line, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    no_traceback(p)
    assert p.returncode == 2 and p.stderr.endswith(b"microhttpc: out of memory (a message, line or body "
                                                    b"larger than the heap holds)\n"), p


def test_data_from_a_pipe_goes_whole(run):
    # -d @FILE of what is no regular file (standard input, a FIFO): its length is unknown, it goes
    # chunked, all of it (its size, 0, would have been the Content-Length)
    p = run("-d", "@/dev/stdin", http("http", "/echo"), stdin=b"from a pipe")
    assert p.returncode == 0, p
    got = json.loads(p.stdout)
    assert got["body"] == "from a pipe", got
    assert ["Transfer-Encoding", "chunked"] in got["headers"], got["headers"]


def test_data_from_a_fifo_or_a_directory(run, tmp_path):
    # -d @FIFO: the file was opened twice (a check, then the body), and the second open waited for a
    # writer for ever; a directory went as a head with a Content-Length and no body on MicroPython (a
    # review).  The FIFO goes chunked; the directory is refused before anything is sent.
    import threading

    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)

    def write():
        with open(fifo, "wb") as f:
            f.write(b"fifo data")

    t = threading.Thread(target=write, daemon=True)
    t.start()
    p = run("--timeout", "5", "-d", "@" + fifo, http("http", "/echo"))
    t.join(5)
    assert p.returncode == 0 and json.loads(p.stdout)["body"] == "fifo data", p
    p = run("-d", "@" + str(tmp_path), http("http", "/echo"))
    assert p.returncode == 2 and p.stdout == b"", p
    assert p.stderr.startswith(b"microhttpc: cannot read ") and b"directory" in p.stderr, p.stderr


def test_ws_refused_upgrade_is_written_as_an_answer(run):
    # An upgrade answered 503 with Retry-After: -i printed only "upgrade refused: 503" on stderr, exit
    # status 2; the status line, the headers and the body were lost (an outside hunt).  Now as for an
    # HTTP request: head (with -i) and body on stdout, exit status 1.
    p = run("-i", "ws://%s/status/503" % os.environ["MHC_HTTP"])
    assert p.returncode == 1, p
    no_traceback(p)
    assert p.stdout.startswith(b"HTTP/1.1 503 "), p.stdout
    assert b"\r\n\r\n" in p.stdout and p.stderr.startswith(b"microhttpc: upgrade refused: 503"), p


def test_an_empty_method_is_a_usage_error(run):
    # -X '' sent GET (an empty method fell back to the default; an outside hunt).
    p = run("-X", "", http("http", "/hello"))
    assert p.returncode == 2 and p.stdout == b"", p
    no_traceback(p)


def test_data_or_a_method_for_a_websocket_is_a_usage_error(run):
    # -d a=1 ws://... ran the session as if -d was not there (an outside newcomer's hunt).
    for args in (("-d", "a=1"), ("-X", "POST")):
        p = run(*args, "ws://%s/ws" % os.environ["MHC_HTTP"], stdin=b"hello\n")
        assert p.returncode == 2 and p.stdout == b"", p
        assert b"-d and -X are for HTTP requests" in p.stderr, p.stderr
        no_traceback(p)


def test_ws_interrupt_closes_with_1001(run):
    # Ctrl-C in a WebSocket session dropped the socket: the server saw no Close (1006; an outside hunt).
    import signal

    ws_url = "ws://%s/echo?cli-interrupt" % os.environ["MHC_WSRAW"]
    # (SIGINT as a terminal gives it: a background job of a shell, as CI runs, starts with it ignored)
    proc = run.popen(ws_url, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        proc.stdin.write(b"hello\n")
        proc.stdin.flush()
        got = read_until(proc, ("stdout", b"hello\n"))
        proc.send_signal(signal.SIGINT)  # (stdin stays open: its end would close with 1000)
        proc.wait(20)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
    assert proc.returncode == 2 and b"interrupted" in got["stderr"] + err, (proc.returncode, got, err)
    import microhttpc

    ws = microhttpc.ws_connect("ws://%s/lastclose?/echo?cli-interrupt" % os.environ["MHC_WSRAW"], timeout=10)
    try:
        payload = ws.recv()
    finally:
        ws.close()
    assert payload[:2] == b"\x03\xe9", payload  # 1001
