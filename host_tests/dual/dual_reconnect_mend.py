"""What the reconnect loops of every layer raise rather than retry: a 101 that breaks RFC 6455
(HandshakeError) and an answer to the upgrade other than 408, 429 or a 5xx (a 3xx here) are not mended
by retrying, as websockets' connect() raises them; they were retried for good (only a 4xx was raised).
A 503 is still retried."""

from check import server, url


class Retried(Exception):
    """on_retry was called: the loop would wait and try again."""


def _first_fault(layer, target):
    # what the loop raises (blocking, aio) or ends with (poll), and the number of on_retry calls
    retries = []

    def on_retry(exc, delay):
        retries.append(exc)
        if layer == "poll":
            rc.stop()
        else:
            raise Retried(repr(exc))

    kw = dict(base_delay=0.02, max_delay=0.05, on_retry=on_retry, timeout=5)
    if layer == "poll":
        from microhttpc.poll import Engine, reconnect

        e = Engine(buffer_size=512)
        rc = reconnect(e, target, **kw)
        assert e.run(timeout=10) and not rc.running
        return (rc.error if not retries else retries[0]), len(retries)
    from pumps_reconnect import _loop

    def body(ws, n):
        raise AssertionError("an upgrade that should fail gave a WebSocket")

    if layer == "aio":
        async def body(ws, n):  # noqa: F811
            raise AssertionError("an upgrade that should fail gave a WebSocket")
    try:
        _loop(layer, target, body, **kw)
    except Retried:
        return retries[0], len(retries)
    except Exception as exc:  # noqa: BLE001 - the error the loop raised is what is checked
        return exc, len(retries)
    raise AssertionError("the loop ended with nothing raised")


def _bad_101(layer):
    from microhttpc.errors import HandshakeError

    exc, retries = _first_fault(layer, url("ws", "wsraw", "/badaccept"))
    assert isinstance(exc, HandshakeError) and "Accept" in str(exc) and retries == 0, (exc, retries)


def _redirect(layer):
    from microhttpc.errors import UpgradeRefused

    exc, retries = _first_fault(layer, url("ws", "http", "/status/302"))
    assert isinstance(exc, UpgradeRefused) and exc.response.status == 302 and retries == 0, (exc, retries)


def _unavailable(layer):
    from microhttpc.errors import UpgradeRefused

    exc, retries = _first_fault(layer, url("ws", "http", "/status/503"))
    assert isinstance(exc, UpgradeRefused) and exc.response.status == 503 and retries == 1, (exc, retries)


def test_bad_101_is_raised_blocking():
    _bad_101("blocking")


def test_bad_101_is_raised_poll():
    _bad_101("poll")


def test_bad_101_is_raised_aio():
    _bad_101("aio")


def test_3xx_is_raised_blocking():
    _redirect("blocking")


def test_3xx_is_raised_poll():
    _redirect("poll")


def test_3xx_is_raised_aio():
    _redirect("aio")


def test_5xx_is_retried_blocking():
    _unavailable("blocking")


def test_5xx_is_retried_poll():
    _unavailable("poll")


def test_5xx_is_retried_aio():
    _unavailable("aio")
