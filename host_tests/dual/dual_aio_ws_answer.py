"""asyncio, messages that go to callbacks (``on_msg``, streaming): one that arrives in the same read as a
fault or the server's Close may still be answered, as on the other layers (README, "Conformance") —
here from a task the callback starts (``asyncio.create_task(ws.send(...))``: a callback cannot await).
recv() parsed what the protocol held back behind the message (the fault, the Close) in the same turn,
before that task ran: its send found the connection closed, and the server got our Close alone
(Autobahn 3.2, 3.3, 4.1.3, 4.1.4, 4.2.3, 4.2.4 and 5.15 NON-STRICT through these callbacks; found by an
outside run of Autobahn through the asyncio layer).  Now recv() lets the event loop run once first."""

import asyncio
import json

from check import url
from microhttpc import ConnectionClosed, aio


async def _seen(path):
    """What the raw server received from us on our last visit to ``path``."""
    ws = await aio.ws_connect(url("ws", "wsraw", "/seen?" + path), timeout=10)
    m = json.loads(await ws.recv())
    await ws.close()
    return m


async def _visit(path, mode):
    holder = []

    def answer(coro):
        asyncio.create_task(coro)

    if mode == "on_msg":
        kw = {"on_msg": lambda m: answer(holder[0].send("re: " + m))}
    else:
        kw = {"on_msg_rx_init": lambda t, n: answer(holder[0].send_start(t)),
              "on_msg_rx_data": lambda c: answer(holder[0].send_fragment(bytes(c))),
              "on_msg_rx_complete": lambda: answer(holder[0].send_end())}
    ws = await aio.ws_connect(url("ws", "wsraw", path), timeout=10, **kw)
    holder.append(ws)
    try:
        await ws.recv(5)
        code = None
    except ConnectionClosed as exc:
        code = exc.sent_code
    await asyncio.sleep(0.05)
    return code


def test_a_message_before_a_close_or_a_fault_answered_from_a_callback():
    async def main():
        out = []
        for mode in ("on_msg", "stream"):
            for path in ("/msgthenclose", "/msgthenfault"):
                code = await _visit(path, mode)
                out.append((mode, path, code, await _seen(path)))
        return out

    for mode, path, code, got in asyncio.run(main()):
        # on_msg: the answer in one frame; streaming: the echo as a fragmented message (send_end's empty
        # final frame after it), then our Close
        text = "last words" if path == "/msgthenclose" else "hello"
        answer = ["1:re: " + text] if mode == "on_msg" else ["1:" + text, "0:"]
        assert got[: len(answer)] == answer and len(got) == len(answer) + 1, (mode, path, code, got)
        if path == "/msgthenclose":
            assert code == 1000 and got[-1] == "8:\x03\xe8", (mode, path, code, got)
        else:  # a reserved bit: 1002 after the answer
            assert code == 1002 and got[-1].startswith("8:\x03\xea"), (mode, path, code, got)
