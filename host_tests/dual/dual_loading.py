"""How the package loads its parts on first use (``rt.load``): the module comes back, the same object
every time, and on MicroPython the collector's allocation threshold, lowered while the code loads, is
the application's again afterwards."""

import sys

import microhttpc
from microhttpc import rt

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
