"""Real local servers for the demo, the host tests and the benchmarks (CPython only).

- ``http``: an aiohttp application speaking HTTP/1.1 with keep-alive and WebSocket on one port (the
  demo's server: a GET and then the upgrade on the same connection);
- ``ws``: a ``websockets`` server (the reference RFC 6455 implementation) with a few behaviours
  chosen by path (``ws_behaviour``);
- ``wsraw``: a scripted WebSocket server on plain asyncio streams for what a correct server never does
  (masked frames, reserved bits, bad UTF-8, wrong handshakes...), chosen by path (``RAW_SCRIPTS``).

Everything binds 127.0.0.1 on port 0.  ``start()`` runs them on one asyncio loop in a daemon thread
and returns their addresses; ``python tools/servers.py`` runs them in the foreground and prints the
addresses as one JSON line (used by the demo).
"""

import asyncio
import base64
import hashlib
import json
import sys
import threading

from aiohttp import WSMsgType, web
import websockets
from websockets.asyncio.server import serve as ws_serve


# -- aiohttp: HTTP + WebSocket on one port ----------------------------------------------------------


async def hello(request):
    return web.Response(text="hello world")


async def echo(request):
    body = await request.read()
    return web.json_response({
        "method": request.method,
        "path": request.path,
        "query": list(request.query.items()),
        "raw_path": request.raw_path,
        "headers": list(request.headers.items()),
        "body": body.decode("latin-1"),
        "version": "%d.%d" % request.version,
    })


async def chunked(request):
    n = int(request.query.get("n", "5"))
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    for i in range(n):
        await resp.write(("chunk %d;" % i).encode())
    await resp.write_eof()
    return resp


async def nbytes(request):
    n = int(request.match_info["n"])
    return web.Response(body=bytes(i & 0xFF for i in range(n)), content_type="application/octet-stream")


async def status(request):
    code = int(request.match_info["code"])
    return web.Response(status=code, text="status %d" % code if code not in (204, 304) else None)


async def ws_echo(request):
    protos = request.query.get("protocols")
    ws = web.WebSocketResponse(protocols=protos.split(",") if protos else (), max_msg_size=0)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            if msg.data == "close-me":
                await ws.close(code=4000, message=b"as you wish")
                break
            await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def make_app():
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/bytes/{n}", nbytes)
    app.router.add_route("*", "/status/{code}", status)
    app.router.add_get("/ws", ws_echo)
    return app


# -- websockets: the reference server ---------------------------------------------------------------


def pattern(n):
    """n bytes of a fixed pattern (what /big/N sends; the client checks its SHA-1)."""
    return (bytes(range(256)) * (n // 256 + 1))[:n]


async def ws_behaviour(conn, path):
    """WebSocket behaviours by path, for the client tests; then the connection echoes."""
    if path == "/frag":
        # A fragmented text message with PINGs between its fragments (RFC 6455 section 5.4).
        async def parts():
            yield "frag"
            await conn.ping(b"mid1")
            yield "men"
            await conn.ping(b"mid2")
            yield "ted"

        await conn.send(parts())
    elif path.startswith("/count/"):
        for i in range(int(path.split("/")[2])):
            await conn.send("n=%d" % i)
    elif path.startswith("/big/"):
        # One binary message (a single frame: 64-bit length above 65535), then its SHA-1 as text.
        data = pattern(int(path.split("/")[2]))
        await conn.send(data)
        await conn.send(hashlib.sha1(data).hexdigest())
    elif path.startswith("/fragbig/"):
        # The same as a fragmented message of unknown length (frames of 1000 bytes).
        data = pattern(int(path.split("/")[2]))

        async def pieces():
            for i in range(0, len(data), 1000):
                yield data[i : i + 1000]

        await conn.send(pieces())
        await conn.send(hashlib.sha1(data).hexdigest())
    elif path == "/pingme":
        # The server pings; the client must answer with a PONG on its own.
        waiter = await conn.ping(b"hb")
        await asyncio.wait_for(waiter, 10)
        await conn.send("pong:hb")
    elif path == "/headers":
        await conn.send(json.dumps(list(conn.request.headers.raw_items())))


async def ws_handler(conn):
    path = conn.request.path
    if path.startswith("/close/"):
        await conn.close(int(path.split("/")[2]), "bye")
        return
    try:
        await ws_behaviour(conn, path)
        async for msg in conn:
            await conn.send(msg)
    except websockets.ConnectionClosed:
        pass


# -- raw: a scripted WebSocket server for protocol faults -------------------------------------------
# It does a real handshake (or a scripted wrong one), then writes the frames the path names, and then
# behaves like a minimal server: echoes data frames, answers a PING with a PONG and a Close with a
# Close carrying the same payload (so a test sees in ConnectionClosed.code what the client sent),
# then closes TCP.


def raw_frame(op, payload=b"", fin=True, rsv=0, masked=False, length=None):
    """A server frame (unmasked unless ``masked``); ``length`` overrides the length field."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | rsv | op
    m = 0x80 if masked else 0
    if n < 126:
        head = bytes((b0, m | n))
    elif n < 65536:
        head = bytes((b0, m | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((b0, m | 127)) + n.to_bytes(8, "big")
    if masked:
        key = b"\x11\x22\x33\x44"
        return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    return head + payload


def _close(code, reason=b""):
    return raw_frame(8, code.to_bytes(2, "big") + reason)


# path -> (status line + extra headers or None for a good 101, frames written in the same write)
RAW_SCRIPTS = {
    "/masked": (None, raw_frame(1, b"hidden", masked=True)),
    "/rsv": (None, raw_frame(1, b"x", rsv=0x40)),
    "/rsvok": (None, raw_frame(2, b"ext", rsv=0x40)),
    "/opcode3": (None, raw_frame(3, b"")),
    "/opcodeB": (None, raw_frame(0xB, b"")),
    "/bigping": (None, raw_frame(9, b"p" * 126)),
    "/fragping": (None, raw_frame(9, b"p", fin=False) + raw_frame(0, b"q")),
    "/cont": (None, raw_frame(0, b"orphan")),
    "/newdata": (None, raw_frame(1, b"a", fin=False) + raw_frame(1, b"b")),
    "/closecode": (None, _close(999)),
    "/close1005": (None, _close(1005)),
    "/close1": (None, raw_frame(8, b"\x03")),
    "/badreason": (None, _close(1000, b"\xce\xff")),
    # A valid start, then a byte that cannot continue the sequence begun in the previous fragment;
    # the message never ends, so only incremental checking notices.
    "/badutf8": (None, raw_frame(1, b"abc\xce", fin=False) + raw_frame(0, b"A", fin=False)),
    "/oversize": (None, raw_frame(2, b"", length=1 << 20)),  # header only: limit checked before payload
    "/len63": (None, bytes((0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1))),
    "/early": (None, raw_frame(1, b"early") + raw_frame(9, b"p") + raw_frame(2, b"\x00\x01")),
    "/eof": (None, raw_frame(1, b"bye")),
    "/noclose": (None, b""),
    "/echo": (None, b""),
    "/badaccept": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", b""),
    "/noconn": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {a}\r\n", b""),
    "/noupgrade": ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {a}\r\n",
                   b""),
    "/connlist": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, UPGRADE\r\n"
                  "Sec-WebSocket-Accept: {a}\r\n", raw_frame(1, b"listed")),
    "/evilproto": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: {a}\r\nSec-WebSocket-Protocol: evil\r\n", b""),
    "/ext": ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: {a}\r\nSec-WebSocket-Extensions: x-unoffered\r\n", b""),
}


RAW_LAST_CLOSE = {}  # path -> the Close payload the client sent there last (read back via /lastclose?PATH)


async def _read_client_frame(reader):
    """(fin, opcode, payload) of one masked client frame."""
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    key = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
    data = await reader.readexactly(n)
    n4 = (n + 3) // 4
    data = (int.from_bytes(data, "little") ^ int.from_bytes(key * n4, "little")).to_bytes(n4 * 4, "little")[:n]
    return bool(b0 & 0x80), b0 & 0x0F, data


async def _raw_http(reader, writer, path, body_first):
    """A plain HTTP/1.1 exchange instead of the upgrade: 200 with a body, keep-alive; the next request
    on the same connection gets 200 "second" and Connection: close."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                 % (len(body_first), body_first))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0]
    body = b"second " + line
    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    await writer.drain()


async def raw_ws(reader, writer):
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")
        path = lines[0].split()[1]
        hdrs = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                hdrs.setdefault(k.strip().lower(), []).append(v.strip())
        if path == "/200body":
            await _raw_http(reader, writer, path, b"nope!")
            return
        key = hdrs.get("sec-websocket-key", [""])[0]
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        status, frames = RAW_SCRIPTS.get(path, (None, b""))
        if path.startswith("/lastclose?"):
            # Reports (as a binary frame) the Close payload the client sent on its last visit to PATH.
            frames = raw_frame(2, RAW_LAST_CLOSE.pop(path[11:], b"none"))
        if path == "/proto":
            # Picks the first offered subprotocol, from every Sec-WebSocket-Protocol header.
            offered = [t.strip() for v in hdrs.get("sec-websocket-protocol", []) for t in v.split(",")]
            status = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: {a}\r\nSec-WebSocket-Protocol: %s\r\n" % offered[0])
            frames = raw_frame(1, json.dumps(offered).encode())
        if status is None:
            status = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: {a}\r\n")
        writer.write(status.replace("{a}", accept.decode()).encode() + b"\r\n" + frames)  # one write
        await writer.drain()
        if path == "/eof":
            return  # TCP closed without a Close frame
        while True:
            fin, op, data = await _read_client_frame(reader)
            if path == "/noclose":
                continue  # never answers, never closes: the client's close timeout must end it
            if op == 8:
                RAW_LAST_CLOSE[path] = data
                writer.write(raw_frame(8, data))
                await writer.drain()
                return
            if op == 9:
                writer.write(raw_frame(10, data))
            elif op == 10:
                writer.write(raw_frame(1, b"got pong " + data))
            elif path == "/record" or op in (1, 2):
                # /record: describe each frame the client sent; otherwise echo data frames as they are.
                if path == "/record":
                    writer.write(raw_frame(1, b"%d %d %d" % (fin, op, len(data))))
                else:
                    writer.write(raw_frame(op if op else 2, data, fin=True))
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, IndexError):
        pass
    finally:
        writer.close()


# -- running ----------------------------------------------------------------------------------------


class Servers:
    """The running servers: ``addresses`` maps a name to "127.0.0.1:PORT"."""

    def __init__(self):
        self.addresses = {}
        self.loop = None
        self._thread = None
        self._ready = threading.Event()
        self._stop = None
        self._error = None

    async def _main(self):
        self._stop = asyncio.Event()
        runner = web.AppRunner(make_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.addresses["http"] = "127.0.0.1:%d" % site._server.sockets[0].getsockname()[1]
        async with ws_serve(ws_handler, "127.0.0.1", 0, max_size=None) as wss:
            self.addresses["ws"] = "127.0.0.1:%d" % wss.sockets[0].getsockname()[1] if hasattr(wss, "sockets") \
                else "127.0.0.1:%d" % list(wss.server.sockets)[0].getsockname()[1]
            wsraw = await asyncio.start_server(raw_ws, "127.0.0.1", 0)
            self.addresses["wsraw"] = "127.0.0.1:%d" % wsraw.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            wsraw.close()
        await runner.cleanup()

    def _run(self):
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("test servers did not start within 30 s")
        if self._error is not None:
            raise RuntimeError("test servers failed to start: %r" % (self._error,))
        return self

    def stop(self):
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)

    def env(self):
        """The addresses as environment variables for test processes (MHC_HTTP, MHC_WS, ...)."""
        return {"MHC_" + k.upper(): v for k, v in self.addresses.items()}


def start():
    return Servers().start()


if __name__ == "__main__":
    s = start()
    print(json.dumps(s.addresses), flush=True)
    try:
        sys.stdin.read()  # run until stdin closes or the process is stopped
    except KeyboardInterrupt:
        pass
    s.stop()
