"""Real local servers for the demo, the host tests and the benchmarks (CPython only).

- ``http``: an aiohttp application speaking HTTP/1.1 with keep-alive and WebSocket on one port (the
  demo's server: a GET and then the upgrade on the same connection);
- ``ws``: a ``websockets`` server (the reference RFC 6455 implementation) with a few behaviours
  chosen by path.

Everything binds 127.0.0.1 on port 0.  ``start()`` runs them on one asyncio loop in a daemon thread
and returns their addresses; ``python tools/servers.py`` runs them in the foreground and prints the
addresses as one JSON line (used by the demo).
"""

import asyncio
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


async def ws_handler(conn):
    path = conn.request.path
    if path.startswith("/close/"):
        await conn.close(int(path.split("/")[2]), "bye")
        return
    try:
        async for msg in conn:
            await conn.send(msg)
    except websockets.ConnectionClosed:
        pass


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
            self._ready.set()
            await self._stop.wait()
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
