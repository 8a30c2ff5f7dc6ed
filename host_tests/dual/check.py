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


def tls_ca():
    """The test CA (PEM) the harness made (MHC_TLS_CA), read without importing the package (dual_tls's
    module does: ~6 KB of a 128K heap that TLS tests need on MicroPython)."""
    path = os.getenv("MHC_TLS_CA")
    if not path:
        raise AssertionError("MHC_TLS_CA is not set: run the tests through pytest (make test)")
    with open(path, "rb") as f:
        return f.read()


def url(scheme, name, path="/"):
    host, port = server(name)
    return "%s://%s:%d%s" % (scheme, host, port, path)
