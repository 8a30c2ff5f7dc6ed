"""An upgrade refused with a body over max_body (raw path /raw/refused-big: a 403 of 3,000 bytes, max_body
1,000), then a request: the refusal says why (UpgradeRefused, its LimitExceeded in the text), and the next
request is answered, on every layer.  poll failed the request queued behind the upgrade with the upgrade's
LimitExceeded (not its own error, and not sent again) and ended the Conn, where an ordinary request over
max_body lets the queue go on a new connection, as the blocking and aio layers do (an outside review)."""

from check import server


def _check_refusal(exc):
    from microhttpc.errors import UpgradeRefused

    assert isinstance(exc, UpgradeRefused) and exc.response.status == 403, repr(exc)
    assert "1000-byte limit" in str(exc), str(exc)


def test_poll_a_request_queued_behind_it_is_answered():
    from microhttpc.poll import Engine

    h, p = server("raw")
    e = Engine(timeout=3)
    out = []
    conn = e.connect(h, p, max_body=1000, on_err=lambda c, x: out.append(("conn on_err", x)))
    e.upgrade(conn, "/raw/refused-big", on_err=lambda x: out.append(("upgrade on_err", x)))
    e.request(conn, "GET", "/raw/genuine", on_complete=lambda r, ok: out.append(("next", r.status, ok)),
              on_err=lambda x: out.append(("next on_err", x)))
    assert e.run(until=lambda: [o for o in out if o[0].startswith("next")], timeout=5), out
    assert [o[0] for o in out] == ["upgrade on_err", "next"] and out[1][1:] == (200, True), out
    _check_refusal(out[0][1])
    e.close_all()
    e.run(timeout=2)


def test_blocking_the_next_request_is_answered():
    from microhttpc import Connection
    from microhttpc.errors import UpgradeRefused

    c = Connection(*server("raw"), timeout=3, max_body=1000)
    try:
        c.open()
        try:
            c.upgrade("/raw/refused-big")
            raise AssertionError("upgraded")
        except UpgradeRefused as exc:
            _check_refusal(exc)
        assert c.request("GET", "/raw/genuine").status == 200
    finally:
        c.close()


def test_aio_the_next_request_is_answered():
    import asyncio

    from microhttpc import aio
    from microhttpc.errors import UpgradeRefused

    async def main():
        c = await aio.Connection.open(*server("raw"), timeout=3, max_body=1000)
        try:
            try:
                await c.upgrade("/raw/refused-big")
                raise AssertionError("upgraded")
            except UpgradeRefused as exc:
                _check_refusal(exc)
            r = await c.request("GET", "/raw/genuine")
            return r.status
        finally:
            await c.close()

    assert asyncio.run(main()) == 200
