"""Command line: ``python -m microhttpc URL`` (CPython) or ``micropython -m microhttpc URL`` (unix port).

An http(s) URL sends one request and writes the body to stdout; a ws(s) URL opens an interactive
WebSocket session on stdin/stdout.  Loaded only when run: importing the package never loads it.
"""

import sys

USAGE = """usage: python -m microhttpc [options] URL

http(s)://  send one request, write the response body to stdout
ws(s)://    send each line of stdin as a text message, print each message received
            (a line "!ping" sends a ping, "!close" or the end of input closes)

  -X METHOD         request method (default GET; POST when -d is given)
  -H 'Name: value'  add a request header (repeatable)
  -d DATA, -d @FILE request body, the text or the file's bytes as they are
                    (Content-Type application/x-www-form-urlencoded unless -H sets one)
  -i                print the status line and headers before the body
  -L                follow redirects (up to 10)
  -k, --insecure    do not verify the server's TLS certificate
  --cacert FILE     trust the CA certificate(s) in FILE (PEM or DER)
  --timeout S       connect and read timeout in seconds (default 30)
  -h, --help        this text

exit status: 0 for a 1xx-3xx response or a WebSocket closed with 1000/1001; 1 for another status
(the body is still written, like curl --fail-with-body) or another close code; 2 for bad usage and
for errors (connect, TLS, timeout, protocol, a WebSocket failed by this side), with a message on stderr"""


class _Usage(Exception):
    pass


def parse_args(argv):
    """argv (without the program name) -> options dict, or None for --help."""
    o = {"url": None, "method": None, "headers": [], "data": None, "head": False, "follow": 0,
         "verify": True, "cadata": None, "timeout": 30.0}
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        v = None
        if a[:2] in ("-X", "-H", "-d") and len(a) > 2:  # -XPOST, -d@file
            a, v = a[:2], a[2:]
        if a in ("-h", "--help"):
            return None
        if a in ("-i", "--include"):
            o["head"] = True
        elif a in ("-L", "--location"):
            o["follow"] = 10
        elif a in ("-k", "--insecure"):
            o["verify"] = False
        elif a in ("-X", "-H", "-d", "--cacert", "--timeout"):
            if v is None:
                if i >= len(argv):
                    raise _Usage("%s needs a value" % a)
                v = argv[i]
                i += 1
            if a == "-X":
                o["method"] = v  # (upper-cased by Request once it is a token: CPython's upper() made "ß" "SS")
            elif a == "-H":
                k = v.find(":")
                if k <= 0:
                    raise _Usage("-H needs 'Name: value', got %r" % v)
                o["headers"].append((v[:k].strip(" \t"), v[k + 1 :].strip(" \t")))  # (ASCII: CPython's strip()
                # took U+00A0 and the like)
            elif a == "-d":
                # (CPython: bytes that are no UTF-8 came as surrogates; they go as they came)
                o["data"] = _size(v[1:]) if v.startswith("@") else v.encode("utf-8", "surrogateescape")
            elif a == "--cacert":
                o["cadata"] = _read(v)
            else:
                try:
                    # A number as CPython's float() reads one, in ASCII: it took "\u0661\u0660" and "1_0",
                    # MicroPython's "." and "e1" (0 s)
                    m, _, x = v.lstrip("+-").replace("E", "e").partition("e")
                    if (m.strip("0123456789") not in ("", ".") or m in ("", ".") or "e" in v.lower() and (
                            not x.lstrip("+-") or x.lstrip("+-").strip("0123456789") or len(x) - len(x.lstrip("+-")) > 1)):
                        raise ValueError
                    o["timeout"] = float(v)
                except ValueError:
                    raise _Usage("--timeout needs seconds, got %r" % v)
        elif a.startswith("-") and len(a) > 1:
            raise _Usage("unknown option %s" % a)
        elif o["url"] is None:
            o["url"] = a
        else:
            raise _Usage("one URL only, got %r and %r" % (o["url"], a))
    if o["url"] is None:
        raise _Usage("no URL given")
    return o


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise _Usage("cannot read %s: %s" % (path, exc))


def _size(path):
    """-d @FILE: (the file opened, its size in bytes or None when it is no regular file); the file is sent
    as it is read, with that Content-Length (read whole first, a file larger than a board's heap was a
    MemoryError), or chunked (a pipe, a device: their size is no length).  Opened once, here: a FIFO's
    second open waited for a writer for ever."""
    import os

    try:
        kind = os.stat(path)[0] & 0o170000
        f = None if kind == 0o040000 else open(path, "rb")  # (MicroPython opens a directory: its first read
    except OSError as exc:  # failed, the head sent)
        raise _Usage("cannot read %s: %s" % (path, exc))
    if f is None:
        raise _Usage("cannot read %s: a directory" % path)
    return f, os.stat(path)[6] if kind == 0o100000 else None


def _head(out, r):
    out.write(("%s %03d %s\r\n" % (r.version, r.status, r.reason)).encode())
    out.write(bytes(r.headers._raw).replace(b"\0", b" "))  # the header lines as the server sent them (a value
    # that is not UTF-8 was written as the UTF-8 of its Latin-1 reading); an obsolete fold: one space
    out.write(b"\r\n")


def http(o, scheme, host, port, target):
    from .client import Connection

    hdrs = o["headers"]
    if o["data"] is not None and not any(k.lower() == "content-type" for k, _ in hdrs):
        hdrs.append(("Content-Type", "application/x-www-form-urlencoded"))  # as curl does
    conn = Connection(host, port, tls=scheme == "https", connect_timeout=o["timeout"], timeout=o["timeout"],
                      verify=o["verify"], cadata=o["cadata"], follow_redirects=o["follow"])
    out = sys.stdout.buffer
    body = o["data"]
    f = body[0] if isinstance(body, tuple) else None
    try:
        method = o["method"] if o["method"] is not None else "GET" if body is None else "POST"  # (-X '': refused)
        r = conn.request(method, target, headers=hdrs, body=body if f is None else f,
                         content_length=None if f is None else body[1])
        if o["head"]:
            _head(out, r)
        for chunk in r.iter_chunks():
            out.write(chunk)
    finally:
        if f is not None:
            f.close()
        conn.close()
        out.flush()
    return 0 if 100 <= r.status < 400 else 1  # (a status under 100 is no success either)


def websocket(o, url):
    import select
    from binascii import hexlify
    from .wsconnect import ws_connect
    from .errors import ConnectionClosed, UpgradeRefused
    from .rt import MICROPYTHON

    try:
        ws = ws_connect(url, headers=o["headers"], connect_timeout=o["timeout"], timeout=o["timeout"],
                        close_timeout=min(5.0, o["timeout"]), verify=o["verify"], cadata=o["cadata"])
    except UpgradeRefused as exc:  # the answer as for an HTTP request (-i: its head too), exit status 1
        out = sys.stdout.buffer  # (its status line, Retry-After and body were lost, exit status 2)
        if o["head"]:
            _head(out, exc.response)
        out.write(exc.response.read())  # pyright: ignore[reportCallIssue]  (the blocking layer's: bytes)
        out.flush()
        sys.stderr.write("microhttpc: %s\n" % (exc,))
        return 1
    err = sys.stderr
    if o["head"]:
        _head(sys.stdout.buffer, ws.response)
        sys.stdout.buffer.flush()

    out = sys.stdout

    def show(m):
        if not isinstance(m, str):
            m = "< (binary %d bytes) %s%s" % (len(m), hexlify(m[:64]).decode(), "..." if len(m) > 64 else "")
        out.write(m + "\n")
        out.flush()  # at once, also into a pipe

    ws.on_msg = show
    ws.on_pong = lambda data: err.write("* pong\n")
    inp = sys.stdin.buffer
    inp = getattr(inp, "raw", inp)  # unbuffered on CPython: what poll() sees is what readline() gets
    sock = ws.stream.raw if MICROPYTHON else ws.stream.sock
    p = select.poll()
    p.register(inp, select.POLLIN)
    p.register(sock, select.POLLIN)
    fin = inp.fileno()
    err.write("* connected to %s (end of input closes)\n" % url)
    # Input of a line not ended yet: taken as it comes (a blocking readline() of a line without its end
    # held the session, its messages and the server's Close unseen, past --timeout)
    part, one = bytearray(), bytearray(1)
    try:
        while ws.poll(0.02):  # frames that came with the 101 are already read: poll() won't see them
            pass
        while True:
            for obj, _ in p.poll(-1):
                if obj is inp or obj == fin:
                    if MICROPYTHON:  # one byte (its read(n) waits for n), into a buffer and appended: no
                        got = one if inp.readinto(one) else b""  # garbage per byte, the line grown 8 bytes
                        part.append(one[0]) if got else part.extend(b"\n")  # at a time, often in place
                    else:  # (readable: never waits)
                        got = inp.read(4096)
                        part.extend(got or b"\n")  # (the end of input ends a last line)
                    while (not got or b"\n" in got) and b"\n" in part:
                        k = part.find(b"\n") + 1
                        if k == len(part):  # (all of it, as always on MicroPython: handed over, no copy)
                            line, part = part, bytearray()
                        else:
                            line = bytes(memoryview(part)[:k])
                            part[:k] = b""
                        status = _line(ws, line if got or line != b"\n" else b"", err)
                        if status is not None:
                            return status
                else:
                    # Read until nothing more comes within a moment (TLS may hold decrypted bytes
                    # that poll() on the socket does not see).
                    while ws.poll(0.02):
                        pass
    except ConnectionClosed as exc:
        return _closed(exc, "* closed by the server")
    except KeyboardInterrupt:  # the closing handshake first, within close_timeout (the server saw 1006)
        ws.close(1001)
        raise


def _line(ws, line, err):
    """One line of input (b"": the end of it) for the WebSocket ``ws``: the exit status once it is closed, else None."""
    cmd = line.rstrip(b"\r\n")
    if not line or cmd == b"!close":
        ws.close()
        return _closed(ws.protocol.closed_error(), "* closed")
    if cmd == b"!ping":
        ws.ping()
        return None
    try:
        from .rt import decode_text

        text = decode_text(cmd)  # (UTF-8 checked as on CPython: MicroPython's decoder
        if text.encode() != cmd:  # took overlong forms and encoded surrogates)
            raise UnicodeError
    except UnicodeError:  # (a traceback, exit status 1, the session left open)
        ws.close()
        err.write("microhttpc: a line of input is not UTF-8 text: %r\n" % (bytes(cmd[:40]),))
        return 2
    ws.send(text)
    return None


def _closed(exc, what):
    cause = getattr(exc, "cause", exc)  # (the fault itself when no heap was left for a ConnectionClosed)
    if cause is not None:  # this side failed the connection (a bad frame, a timeout): the fault
        raise cause
    code = exc.code
    sys.stderr.write("%s: %s %s\n" % (what, code, exc.reason or ""))
    return 0 if code in (1000, 1001) else 1


def _gone(ws):
    """True when standard output (and for ``ws`` input) is closed: CPython has None for it, and on
    MicroPython the connection's socket took its descriptor (the body went back to the server)."""
    import select

    p = select.poll()
    p.register(1, select.POLLOUT)
    if ws:
        p.register(0, select.POLLIN)
    return any(ev & 32 for _, ev in p.poll(0))  # POLLNVAL (32 on Linux; MicroPython has no name for it)


def main(argv=None):
    try:
        return _main(argv)
    except MemoryError:  # (a board's heap: a traceback and exit status 1 before; here, the errors' own
        # module too)
        sys.stderr.write("microhttpc: out of memory (a message, line or body larger than the heap holds)\n")
        return 2


def _main(argv):
    from .errors import HTTPCError, TLSError, UsageError

    try:
        o = parse_args(sys.argv[1:] if argv is None else argv)
        if o is None:
            print(USAGE)
            return 0
        from .client import parse_url

        scheme, host, port, target = parse_url(o["url"])
        if scheme in ("ws", "wss") and (o["data"] is not None or o["method"] is not None):  # (it was ignored)
            raise _Usage("-d and -X are for HTTP requests: a WebSocket session sends the lines of its input")
        if _gone(scheme in ("ws", "wss")):
            sys.stderr.write("microhttpc: standard output (or, for a WebSocket, input) is closed\n")
            return 2
        if scheme in ("ws", "wss"):
            return websocket(o, o["url"])
        return http(o, scheme, host, port, target)
    except (_Usage, UsageError) as exc:  # (the library's: a bad --timeout, method, header or URL)
        sys.stderr.write("microhttpc: %s\n%s\n" % (exc, USAGE.split("\n")[0]))
    except TLSError as exc:
        sys.stderr.write("microhttpc: %s\n(--cacert FILE names the CA to trust, -k skips verification)\n" % (exc,))
    except (HTTPCError, OSError) as exc:
        if exc.args and exc.args[0] == 32:  # EPIPE: stdout was closed (| head), nothing to say
            return 2
        sys.stderr.write("microhttpc: %s\n" % (exc,))
    except KeyboardInterrupt:
        sys.stderr.write("microhttpc: interrupted\n")
    return 2


if __name__ == "__main__":
    sys.exit(main())
