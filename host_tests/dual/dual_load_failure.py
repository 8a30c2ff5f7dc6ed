"""A module of the package whose load failed (on MicroPython: no heap while its body ran) leaves the heap
with it.  The port takes such a module out of ``sys.modules`` but leaves it in the freed slot, held until
that slot is used again, and with it every module its body had imported: after a ws_connect that met a
MemoryError while ``handshake`` loaded, 25 KB stayed held, and every later ws_connect and a plain GET
too met MemoryError (an outside hunt).  ``rt.load`` gives that slot back cleared; modules dropped on
purpose go with ``pop()`` from the package's dict (``delattr`` left them in its freed slot the same way)."""


def test_a_failed_load_leaves_nothing_held():
    from microhttpc.rt import MICROPYTHON

    if not MICROPYTHON:
        return  # (CPython frees a module whose load failed)
    import gc
    import sys

    import microhttpc
    from microhttpc import net
    from microhttpc.rt import load

    def drop(*names):  # as wsconnect drops the HTTP modules it loaded itself
        for n in names:
            sys.modules.pop("microhttpc." + n, None)
            microhttpc.__dict__.pop(n, None)

    load("client")  # (once whole: the names its load interns stay interned, and are not counted below)
    drop("client", "session", "http11")
    gc.collect()
    before = gc.mem_free()
    spare = net._spare
    del net._spare  # client's body imports it after http11 (loaded again here) and session: it fails there
    try:
        load("client")
        raise AssertionError("client loaded without net._spare")
    except ImportError:
        pass
    finally:
        net._spare = spare
    assert "microhttpc.client" not in sys.modules
    drop("session", "http11")  # what the failed load brought in goes, as wsconnect's _drop does
    gc.collect()
    held = before - gc.mem_free()
    assert held < 2048, held  # (the failed client, with http11 and session: ~15 KB held before)
    assert load("client").Connection  # and it loads again
