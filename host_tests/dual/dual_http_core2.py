"""Sans-I/O HTTP/1.1 response parser, fed hostile bytes directly: non-ASCII digits, CR/LF/NUL inside
lines, trailer limits, interim-response limits and the bytes left over after a response."""

from microhttpc import http11
from microhttpc.errors import LimitExceeded, ProtocolError
from check import raises


def run(data, method="GET", eof=False, **limits):
    """Feed ``data`` whole; the events up to END (or until more data is needed) and the parser."""
    p = http11.ResponseParser(**limits)
    p.start(method)
    p.feed(data)
    if eof:
        p.feed_eof()
    evs = []
    while True:
        ev = p.next_event()
        if ev is None:
            return evs, p
        evs.append(ev)
        if ev[0] == http11.END or (ev[0] == http11.RESPONSE and p.done):
            return evs, p


def body(evs):
    return b"".join([ev[1] for ev in evs if ev[0] == http11.DATA])


def test_content_length_ascii_digits_only():
    # U+00B2 SUPERSCRIPT TWO and U+0665 ARABIC-INDIC DIGIT FIVE are "digits" to CPython's str.isdigit()
    for v in ("\u00b2", "\u0665", "1\u0665", "\uff15"):
        data = b"HTTP/1.1 200 OK\r\nContent-Length: " + v.encode() + b"\r\n\r\nhello"
        raises(ProtocolError, run, data)
    for v in (b"+5", b"5 5", b"0x5", b"", b"5_0", b"\xb2"):
        raises(ProtocolError, run, b"HTTP/1.1 200 OK\r\nContent-Length: " + v + b"\r\n\r\nhello")
    evs, p = run(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    assert body(evs) == b"hello" and p.done


def test_status_code_and_chunk_size_ascii_only():
    for code in (b"2\xb2\xb2", b"\xd9\xa5", b"2 0", b"+20", b"2_0"):
        raises(ProtocolError, run, b"HTTP/1.1 " + code + b" OK\r\nContent-Length: 0\r\n\r\n")
    te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    for size in ("\u0665".encode(), "\uff15".encode(), b"\xb2", b"1_0", b"+5", b"-5", b"0x5"):
        raises(ProtocolError, run, te + size + b"\r\nhello\r\n0\r\n\r\n")
    evs, p = run(te + b"a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n")
    assert body(evs) == b"0123456789" * 2 and p.done


def test_cr_lf_nul_inside_header_lines_refused():
    ok = b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"
    assert run(ok)[0][0][1].headers["x-a"] == "1"
    bad = (
        b"HTTP/1.1 200 OK\rX-Evil: 1\r\nContent-Length: 0\r\n\r\n",  # bare CR after the reason
        b"HTTP/1.1 200 OK\nX-Evil: 1\r\nContent-Length: 0\r\n\r\n",  # bare LF in the status line
        b"HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200\r OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-A: 1\rX-Evil: 2\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-A: 1\nX-Evil: 2\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-\rA: 1\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-\x00A: 1\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n  fold\rX-Evil: 2\r\nContent-Length: 0\r\n\r\n",  # obs-fold
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\tfo\x00ld\r\nContent-Length: 0\r\n\r\n",
    )
    for data in bad:
        raises(ProtocolError, run, data)
    # the same in an interim response and in trailers
    raises(ProtocolError, run,
           b"HTTP/1.1 100 Continue\rX: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
    evs, _ = run(te + b"T: a\r\n \tb\r\n\r\n")
    assert evs[-1][0] == http11.END and evs[-1][1]["t"] == "a b"
    for tr in (b"T: a\rU: b\r\n", b"T: a\x00\r\n", b"T: a\r\n b\nU: c\r\n", b"T\r: a\r\n"):
        raises(ProtocolError, run, te + tr + b"\r\n")


def test_lines_that_end_with_a_bare_lf_are_refused_at_once():
    # A head or chunk-size line ended by LF alone held every layer until its timeout, waiting for a
    # CRLF (a 101 of a server that wrote "\n": TimeoutError, not the ProtocolError it is).
    for data in (b"HTTP/1.1 200 OK\nContent-Length: 0\n\n", b"HTTP/1.1 101 Switching Protocols\n",
                 b"HTTP/1.1 200 OK\r\nContent-Length: 0\n\n",
                 b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello"):
        raises(ProtocolError, run, data)
    evs, p = run(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r")  # (a CR whose LF comes later: waits)
    assert evs == [] and not p.done


def test_trailers_count_against_header_limits():
    te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
    many = "".join(["T-%d: %s\r\n" % (i, "v" * 50) for i in range(10)]).encode()  # 10 trailers, ~600 bytes
    evs, _ = run(te + many + b"\r\n", max_header_bytes=1000)
    assert len(evs[-1][1]) == 10
    raises(LimitExceeded, run, te + many + b"\r\n", max_header_bytes=200)
    raises(LimitExceeded, run, te + many + b"\r\n", max_headers=9)
    evs, _ = run(te + many + b"\r\n", max_headers=10)
    assert len(evs[-1][1]) == 10
    # a large trailer block is refused before all of it has arrived
    p = http11.ResponseParser(max_header_bytes=200)
    p.start("GET")
    p.feed(te)
    for _ in range(8):
        p.feed(b"X: " + b"y" * 60 + b"\r\n")
        try:
            while p.next_event() is not None:
                pass
        except LimitExceeded:
            break
    else:
        raise AssertionError("480+ bytes of trailers passed max_header_bytes=200")
    # the head and the trailers are separate blocks: each may use the whole limit
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nH: " + b"h" * 100 + b"\r\n\r\n"
    evs, _ = run(head + b"1\r\nx\r\n0\r\nT: " + b"t" * 100 + b"\r\n\r\n", max_header_bytes=160)
    assert evs[-1][0] == http11.END and evs[-1][1]["t"] == "t" * 100


def test_interim_responses_capped():
    final = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
    evs, p = run(b"HTTP/1.1 100 Continue\r\n\r\n" + early * 7 + final)
    assert evs[0][1].status == 200 and body(evs) == b"ok" and p.done
    evs, p = run(early * 2 + final, max_interim=2)
    assert evs[0][1].status == 200 and body(evs) == b"ok"
    e = raises(LimitExceeded, run, early * 9 + final)
    assert "8 interim" in str(e), str(e)
    raises(LimitExceeded, run, early * 3 + final, max_interim=2)
    raises(LimitExceeded, run, early + final, max_interim=0)
    # the limit is per request: start() resets the count
    p = http11.ResponseParser(max_interim=1)
    for _ in range(3):
        p.start("GET")
        p.feed(early + final)
        assert p.next_event()[1].status == 200
        assert p.next_event()[1] == b"ok" and p.next_event()[0] == http11.END
    # an interim response's header block has the limits of any other block
    big = b"HTTP/1.1 103 Early Hints\r\n" + b"Link: </x>\r\n" * 5 + b"\r\n"
    raises(LimitExceeded, run, big + final, max_headers=4)
    raises(LimitExceeded, run, big + final, max_header_bytes=60)
    evs, _ = run(big + final, max_headers=5)
    assert evs[0][1].status == 200


def test_positional_limits_keep_their_order():
    p = http11.ResponseParser(100, 2, 300, 20, 1)
    got = (p.max_line, p.max_headers, p.max_header_bytes, p.max_chunk_line, p.max_interim)
    assert got == (100, 2, 300, 20, 1), got
    assert http11.ResponseParser().max_interim == 8


def test_buffered_shows_bytes_beyond_the_response():
    # a 204 (and a 304, and the answer to HEAD) has no body: what follows the head is not this response's
    for data, method in ((b"HTTP/1.1 204 No Content\r\n\r\nsurprise", "GET"),
                         (b"HTTP/1.1 304 Not Modified\r\n\r\nX", "GET"),
                         (b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", "HEAD")):
        evs, p = run(data, method)
        assert evs[0][0] == http11.RESPONSE and p.done
        assert p.buffered() == len(data) - data.find(b"\r\n\r\n") - 4, (data, p.buffered())
    evs, p = run(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert p.done and p.buffered() == 0
    # exact Content-Length: nothing left; one byte more: one byte left
    evs, p = run(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    assert evs[-1][0] == http11.END and p.buffered() == 0
    evs, p = run(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello!")
    assert evs[-1][0] == http11.END and body(evs) == b"hello" and p.buffered() == 1
    # chunked: bytes after the last chunk (and its trailers) are left over
    te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    evs, p = run(te)
    assert evs[-1][0] == http11.END and p.buffered() == 0
    evs, p = run(te + b"HTTP/1.1 200 OK\r\n")
    assert evs[-1][0] == http11.END and body(evs) == b"abc" and p.buffered() == 17
    # while a body is streaming, buffered() is what has arrived and not been handed out yet
    p = http11.ResponseParser()
    p.start("GET")
    assert p.buffered() == 0
    p.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    assert p.buffered() > 3
    assert p.next_event()[0] == http11.RESPONSE and p.buffered() == 3
    assert p.next_event()[1] == b"abc" and p.buffered() == 0
    p.take_leftover()
    assert p.buffered() == 0


def test_token_characters_exactly_rfc9110():
    from microhttpc.errors import UsageError

    tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for i in range(1, 256):
        ch = chr(i)
        if ch in tchar:
            http11.check_header("X" + ch, "v")
            assert http11.build_request_head("G" + ch, "/", []).startswith(("G" + ch + " /").encode())
        else:
            raises(UsageError, http11.check_header, "X" + ch, "v")
            raises(UsageError, http11.build_request_head, "G" + ch, "/", [])
    raises(UsageError, http11.check_header, "", "v")
    # the parser applies the same table to received names, byte by byte
    for name in (b"X\xc3\xa9", b"X\x7f", b"X Y", b"X(", b"X\"", b"X/"):
        raises(ProtocolError, run, b"HTTP/1.1 200 OK\r\n" + name + b": 1\r\nContent-Length: 0\r\n\r\n")
    evs, _ = run(b"HTTP/1.1 200 OK\r\nX!#$%&'*+-.^_`|~09azAZ: 1\r\nContent-Length: 0\r\n\r\n")
    assert evs[0][1].headers["x!#$%&'*+-.^_`|~09AZaz"] == "1"


def test_headers_lookup_case_insensitive():
    h = http11.Headers([("Content-Type", "a"), ("X-Long-Name", "b"), ("content-type", "c"), ("X", "d")])
    assert h.get("CONTENT-TYPE") == "a, c" and h["content-type"] == "a, c"
    assert h.get_all("Content-type") == ["a", "c"]
    assert h.get("x") == "d" and h.get("x-long-name") == "b" and h.get("x-long-nam") is None
    assert h.get("nope", 5) == 5 and h.get_all("nope") == [] and "X" in h and "Y" not in h


def test_header_values_decode_alike_on_both_runtimes():
    """UTF-8 when it is valid UTF-8 (no encoded surrogate, no overlong form), else byte for byte: the
    same str on both runtimes (MicroPython's decoder took ED A0 80 as a surrogate)."""
    raw = b"HTTP/1.1 200 OK\r\nX-S: \xed\xa0\x80\r\nX-O: \xc0\xaf\r\nX-U: caf\xc3\xa9\r\nX-L: \xe9t\xe9\r\n" \
          b"X-3: \xe0\x80\xaf\r\nX-4: \xf4\x90\x80\x80\r\nX-E: \xf0\x9f\x98\x80\r\nContent-Length: 0\r\n\r\n"
    evs, p = run(raw)
    h = evs[0][1].headers
    assert h.get("x-s") == "\xed\xa0\x80" and h.get("x-o") == "\xc0\xaf", (h.get("x-s"), h.get("x-o"))
    assert h.get("x-3") == "\xe0\x80\xaf" and h.get("x-4") == "\xf4\x90\x80\x80", (h.get("x-3"), h.get("x-4"))
    assert h.get("x-e") == "\U0001f600"
    assert h.get("x-u") == "caf\u00e9" and h.get("x-l") == "\u00e9t\u00e9"


def test_a_line_of_exactly_the_limit_whatever_the_reads():
    # A status, header or chunk-size line of exactly its limit was taken when its CRLF came in one read
    # and refused (LimitExceeded) when the CR and the LF came in two: a pending CR counted as a byte of
    # the line.  One byte more is refused either way.
    def parse(pieces):
        p = http11.ResponseParser()
        p.start("GET")
        out = []
        for piece in pieces:
            p.feed(piece)
            while True:
                ev = p.next_event()
                if ev is None:
                    break
                out.append(ev[0])
        return out

    head = b"HTTP/1.1 200 OK\r\n"
    for extra in (0, 1):
        status = b"HTTP/1.1 200 " + b"R" * (2048 - 13 + extra)
        header = head + b"X-Long: " + b"v" * (2048 - 8 + extra)
        chunk = head + b"Transfer-Encoding: chunked\r\n\r\n2;" + b"e" * (254 + extra)
        for line, rest in ((status, b"\r\nContent-Length: 2\r\n\r\nok"), (header, b"\r\nContent-Length: 2\r\n\r\nok"),
                           (chunk, b"\r\nok\r\n0\r\n\r\n")):
            for pieces in ([line + rest], [line + rest[:1], rest[1:]]):
                if extra:
                    raises(LimitExceeded, parse, pieces)
                else:
                    assert parse(pieces)[-1] == http11.END, pieces[0][-20:]
