"""Upload bodies given as views that are not a plain run of bytes, and a fault while an early answer is
looked for.  Both runtimes, every layer.

- CPython: a strided memoryview (``m[::2]``) as a chunk of an iterated body (chunked, or with
  ``content_length=``) or as a form value raised a bare BufferError once the head was out (the
  ``body=`` of one view was already copied); on aio the connection then refused every later request
  ("another task is using this connection"), and so did the one-call pool's for that origin.
  MicroPython has no strided views: there a view of 2-byte items takes the same path.
- An exception that is not a microhttpc error (an interrupt, a cancel; injected here as a ValueError)
  while the blocking or aio layer looks for what the server answered before it stopped reading the
  upload left the connection in the middle of that request (aio: every later request refused, as
  above); it ends the connection now, as any fault does, and the next request opens a new one.
"""

from pumps_http import MICROPYTHON, open_client, per_layer


def _view():
    """(the view, its bytes): strided on CPython, of 2-byte items on MicroPython."""
    if MICROPYTHON:
        from array import array

        v = memoryview(array("h", range(-40, 40)))  # (its echo comes back as JSON escapes: 6x)
        return v, bytes(v)
    v = memoryview(bytes(range(256)) * 8)[::2]
    return v, v.tobytes()


def _latin1(s):
    return bytes(map(ord, s))  # (MicroPython's str.encode makes UTF-8 of any encoding name)


def _views(layer):
    import json

    from check import server

    from microhttpc.forms import Value

    v, want = _view()
    h, p = server("http")
    c = open_client(layer, h, p, timeout=5)
    try:
        r = c.request("POST", "/echo", body=iter([b"<", v, b">"]))
        assert r.status == 200 and _latin1(json.loads(r.body)["body"]) == b"<" + want + b">"
        r = c.request("POST", "/echo", body=iter([v]), content_length=len(want))
        assert r.status == 200 and _latin1(json.loads(r.body)["body"]) == want
        from array import array  # an array itself: its bytes, as a memoryview of it gives (it went out

        for a in (array("B", b"abc"), array("h", range(-40, 40))):  # as its items, ints: UsageError after the head)
            r = c.request("POST", "/echo", body=a)
            assert r.status == 200 and _latin1(json.loads(r.body)["body"]) == bytes(memoryview(a)), r.body[:200]
            # sent again after a 307 as bytes are (it came back as the 307, not followed)
            r = c.request("POST", "/redirect/307?to=/echo", body=a, follow_redirects=2)
            assert r.status == 200 and _latin1(json.loads(r.body)["body"]) == bytes(memoryview(a)), r.body[:200]
        r = c.request("POST", "/form", form=[("a", Value(v, content_type="application/octet-stream"))])
        assert r.status == 200, r
        assert _latin1(json.loads(r.body)["fields"][0][3]) == want, r.body[:200]
    finally:
        c.close()


per_layer(globals(), "strided_or_wide_view_chunks", _views)


def _fault_in_early_answer(layer):
    from pumps_http import raw, sleep

    def body():
        yield b"a" * 1000
        sleep(0.5)  # the 413 and the close come meanwhile: a later write meets the reset
        for _ in range(200):
            yield b"b" * 1000

    h, p = raw()
    c = open_client(layer, h, p, timeout=3)
    try:
        if layer == "poll":  # (its early answer is read by its engine, in the same round: no call to fault)
            r = c.request("POST", "/raw/early-close", body=body())
            assert r.status == 413, r
            return
        else:
            conn = c.conn
            c.request("GET", "/raw/genuine")  # open, and a first answer
            if layer == "blocking":
                def no_heap(buf):
                    raise ValueError("injected")

                conn.stream.recv_some = no_heap
            else:
                async def no_heap(timeout, into=None):
                    raise ValueError("injected")

                conn._recv = no_heap
            try:
                c.request("POST", "/raw/early-close", body=body())
                raise AssertionError("no ValueError")
            except ValueError as exc:
                assert str(exc) == "injected", exc
            assert not c.is_open(), "the connection stayed open in the middle of the upload"
            if layer == "aio":
                del conn._recv
        r = c.request("GET", "/raw/genuine")  # a new connection (aio: "another task is using" before)
        assert (r.status, r.body) == (200, b"genuine"), r
    finally:
        c.close()


per_layer(globals(), "fault_while_reading_early_answer", _fault_in_early_answer)


def test_poll_array_body_grown_while_queued():
    """poll prepares a request when it is queued: an array body is copied then (a view of it was kept:
    on MicroPython an extend() moved the array and the request sent the freed block, 64 bytes of heap,
    as ok; on CPython the owner's extend() raised BufferError while the request waited)."""
    import json
    from array import array

    from check import server

    from microhttpc.poll import Engine

    e = Engine(timeout=5)
    c = e.connect(*server("http"))
    a = array("B", b"queued")
    got = []
    e.request(c, "POST", "/echo", body=a, on_complete=lambda r, ok: got.append((ok, r.body)))
    a.extend(b"-and-grown" * 20)
    assert e.run(until=lambda: got, timeout=5) and got[0][0], got
    assert _latin1(json.loads(got[0][1])["body"]) == b"queued", got
    e.close(c)
    e.run(timeout=2)
