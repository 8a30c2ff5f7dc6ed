"""How the package loads its parts on first use (``rt.load``): the module comes back, the same object
every time, and on MicroPython the collector's allocation threshold, lowered while the code loads, is
the application's again afterwards."""

import sys

import microhttpc
from microhttpc import rt

# A pass that ran each MicroPython test with 1 to 8 KiB less heap found these failing 1 to 2 KiB under
# 128K (a CI run here is as close: a few hundred bytes of the package's growth would fail them)
MICROPYTHON_HEAPS = {
    "test_ws_connect_loads_no_request_builder": "136K",  # (ws_connect lets the HTTP modules go under 32 KB free)
}

MP = sys.implementation.name == "micropython"


def test_load_returns_the_module_once_loaded():
    forms = rt.load("forms")
    assert forms.__name__ == "microhttpc.forms" and sys.modules["microhttpc.forms"] is forms
    assert rt.load("forms") is forms
    assert microhttpc.reconnect is rt.load("backoff").reconnect  # a lazy name of the package
    try:
        rt.load("no_such_module")
        raised = None
    except ImportError as e:
        raised = e
    assert raised is not None


def test_load_gives_the_collector_threshold_back():
    if not MP:
        return
    import gc

    was = gc.threshold()
    try:
        for t in (-1, 50000):
            gc.threshold(t)
            want = gc.threshold()  # (in whole GC blocks)
            sys.modules.pop("microhttpc.extras", None)
            rt.load("extras")
            assert gc.threshold() == want, (gc.threshold(), want)
        gc.threshold(-1)
        try:
            rt.load("no_such_module")
        except ImportError:
            pass
        assert gc.threshold() == -1  # an import that fails gives it back too
    finally:
        gc.threshold(was)


def test_ws_connect_loads_no_request_builder():
    """An application of WebSockets only never loads ``request`` (4.3 KB of heap on a board): the
    upgrade's head is built by ``http11``; headers given to ws_connect load it, to check them."""
    from check import url

    old = sys.modules.pop("microhttpc.request", None)
    attr = microhttpc.__dict__.pop("request", None)  # a loaded submodule is an attribute of the package
    try:
        ws = microhttpc.ws_connect(url("ws", "http", "/ws"), timeout=10)
        try:
            ws.send("no request builder")
            assert ws.recv() == "no request builder"
        finally:
            ws.close()
        assert "microhttpc.request" not in sys.modules
        # headers given to ws_connect load it, to check them (here, before the asyncio layer's modules
        # load: with them all in MicroPython's 128K heap, its load met the heap's edge in 1 run of 3)
        ws = microhttpc.ws_connect(url("ws", "http", "/ws"), timeout=10, headers={"X-Board": "1"})
        ws.close()
        assert "microhttpc.request" in sys.modules
        ws = None
        sys.modules.pop("microhttpc.request", None)
        microhttpc.__dict__.pop("request", None)
        import gc

        gc.collect()
        import asyncio

        from microhttpc import aio

        async def main():
            w = await aio.ws_connect(url("ws", "http", "/ws"), timeout=10)
            await w.send("no request builder")
            got = await w.recv()
            await w.close()
            return got

        assert asyncio.run(main()) == "no request builder"
        assert "microhttpc.request" not in sys.modules  # (asyncio layer)
    finally:
        # the module the other tests of this process already hold (their Request class) comes back
        if old is not None:
            sys.modules["microhttpc.request"] = old
        if attr is not None:
            microhttpc.__dict__["request"] = attr
