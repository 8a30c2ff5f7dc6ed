"""Small helpers for dual-runtime tests (MicroPython has no pytest and no unittest.mock)."""

import os


def raises(exc_type, fn, *args, **kwargs):
    """Call fn and return the exception it raised; fail if it raised nothing or something else."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s from %r" % (exc_type.__name__, fn))


def server(name):
    """(host, port) of a local test server started by the harness (MHC_HTTP, MHC_WS ...)."""
    addr = os.getenv("MHC_" + name.upper())
    if not addr:
        raise AssertionError("MHC_%s is not set: run the tests through pytest (make test)" % name.upper())
    host, port = addr.rsplit(":", 1)
    return host, int(port)


def url(scheme, name, path="/"):
    host, port = server(name)
    return "%s://%s:%d%s" % (scheme, host, port, path)
