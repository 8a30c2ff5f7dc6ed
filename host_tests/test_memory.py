"""Heap budgets on MicroPython (64-bit unix port, package as .mpy in RAM): memory figures are
deterministic to a few hundred bytes, so a regression fails here, not on a board.  The figures come
from tools/mem.py (``make mem`` prints them); each budget is the value measured when it was set plus a
small margin, and the test says by how much a path went over."""

import mem

# bytes kept by importing each path; measured 42528, 68928, 47200, 69984, 42272, 67232 (budget: about
# 1 % over), 4.6-8.7 KB less than before the .mpy build moved the error messages into catalogs loaded
# only while an error is raised (tools/build_mpy.py, errors.message).  The figures move by ~100-200
# bytes with the checkout's path (the names of the module files are interned too); a function or class
# more on a path costs ~100-250 bytes, a message string left in a module ~80.  WebSocket only
# (``ws_connect``, no request: ``request`` loads at the first request): measured 64864 and 63296, 4.3 KB
# under the paths with HTTP.  The WebSocket paths then grew by ~700 bytes (69920, 65568, 70688, 68032,
# 63872): the state of rfc6455.Protocol and of the WebSocket classes declared as class attributes (each
# instance's table ~400 bytes smaller) and out of memory while sending handled on every layer.  Then
# 43008, 70464, 66208, 47456, 70816, 42400, 68320, 64160: the blocking layer's buffer kept for the next
# connection (+~250 bytes of code on the blocking paths), out of memory at the end of a connection and
# a send timeout that closes it (~100); a message larger than a lent transmit buffer sent in pieces
# loads its code (wspieces) only then.  Then 43264, 70688, 66336, 48288, 71648, 42720, 68672, 64384:
# checks of ports, status codes and request inputs (~250 on every HTTP path), and poll's redirects and
# resend of a request a stale connection lost (+~640 on poll HTTP; the moves themselves load with
# ``pollhop``, at the first one).  Then 70848, 66496, 48416, 72160, 68832, 64544 (HTTP paths as
# above): WebSocket arguments checked on every layer (~160), and poll's end of a WebSocket that
# delivers what came before it and reports a reset after the closing handshake as clean (~300).  Then
# blocking HTTP 43328: header tables and buffer_size of the wrong shape refused (~60).  Then 43456,
# 71040, 66656, 48608, 72416, 42912, 69024, 64704: MicroPython decodes header values as strictly as
# CPython (no encoded surrogates or overlong forms; +128 on every path, in ``rt``).  Then 43712, 71328,
# 66848, 49024, 72832, 43328, 69408, 65120: the session bounds a TLS handshake that runs inside the
# first writes (MicroPython's poll and aio) by connect_timeout (+256 on every path).  Then 43968, 71616,
# 67168, 49312, 73120, 43680, 69696, 65408: an upload's time no longer counts against the response
# head's bound (Session.sent), the early answer to an upload, a MemoryError in a WebSocket's recv()
# ends its connection (+~250 on every path).  Then the WebSocket paths 71808, 67360, 73152, 70112,
# 65792: the writes of recv()/close() bounded by that call's deadline and the keepalive's (+~200
# blocking, +~400 aio).  Then poll HTTP 49568: a MemoryError while a connection ends no longer
# escapes poll() (the end's reports come all the same).  Then 44192, 72032, 67584, 49536, 73440,
# 43968, 70848, 66592: a callback that raises gives back the events after it, a 101 must say
# "websocket" alone (~+60 on the WebSocket paths); aio on MicroPython puts back the waiter the asyncio
# I/O queue drops when another is cancelled and wakes the tasks waiting on a socket that closes (+128),
# a second sender waits for the first, frame_size and unknown keywords on the asyncio WebSocket (+~550).
# Then 44256, 72096, 67584, 49568, 73504, 44064, 70880, 66592: a request whose own headers say
# "Connection: close" ends its connection after the answer (+64 on every HTTP path).  Then poll HTTP
# 49664 and 73600: Engine.connect takes drain_limit/drain_timeout (a 3xx's body, bounded in time too).
# Then 49792 and 73728: poll's Conn.upgraded is a property of its state (the attribute the upgrade
# stored grew each WebSocket connection's table past its size: 12 at 128 KiB passed 0 of 3, now 3 of 3).
# Then 72160 and 67648: the blocking WebSocket's poll() reads on while a streamed message keeps coming
# (+64: a 1 MiB message in 4 KiB pieces ran at 0.62 of whole-message recv(), now about 1.0).  Then aio
# 44192, 70880, 66592: a wait on a socket cancelled by the application puts back the other task waiting
# on it (MicroPython's asyncio dropped it: a send hung while wait_for() timed out a recv), +160; the
# asyncio WebSocket builds CPython's large frames in a kept buffer, +64.  Then 71136 and 66816: the
# asyncio WebSocket refuses an unknown keyword again (withdrawn before for the three-WebSocket test's
# margin; that test has a module of its own now), +224 to +256.  Then 72256, 67744, 73824, 71232,
# 66912: a fragmented message is queued in one buffer (poll and asyncio queue a whole message; a buffer
# a frame, ~100 bytes each, put 4,000 bytes at frame_size=3 out of a 128K heap), +96.  Then 44448,
# 72448, 67936, 49984, 73984, 44320, 71360, 67040: on MicroPython a response head is read with one
# recv() of at most 256 bytes (rtio.recv_into; readinto() read on after a short read and lost the
# answer when a reset was right behind it), +128 to +192.  Then +64 on every path (44512, 72544,
# 68032, 50048, 74112, 44256, 71424, 67104): a whole body's small pieces share blocks (session.Body: 8,000
# one-byte chunks took ~60 bytes of heap each, over a 128K heap).  Then aio 44384, 71552, 67232: one
# task at a time in a request or a read of an aio Connection (+128; tasks sharing one got each other's
# bytes on MicroPython).  Then 44544, 72608, 68064, 50080, 74176, 44416, 71616, 67264: a memoryview of
# items wider than a byte (an array's) goes out as its bytes (len() counted items: wrong lengths), +32/+64.
# Then the WebSocket paths 72576, 68032, 74208, 71648, 67296: frame_size checked before a message begins
# (-1 left one begun for good), +32 on poll and aio; the blocking WebSocket's send_stream loads with
# wsstream now (-32 there).  Then 72704, 68160, 74336, 71776, 67424: an upgrade path must start with "/",
# offers must be lists of str (a str was offered letter by letter), +128 on the WebSocket paths.
# Then 44512, 68992, 64448, 50048, 70720, 44416, 68160, 63744: the opening handshake moved out of
# rfc6455 and wsession into ``handshake``, loaded for an upgrade and unloaded once the 101 is checked
# (-3.7 KB on the WebSocket paths), and auto mode checks the buffer on_msg_rx_init returns (+64: bytes
# raised a bare TypeError); the .mpy build numbers the messages of the HTTP modules first (a number
# under 64 is one byte of bytecode: -32 on the HTTP paths).  Then 45152, 70048, 65216, 51072, 72416,
# 45056, 69472, 64736: time settings, limits, hosts, header values, bodies, json= and the WebSocket's
# settings are checked where they are given (nan, "5", a dict body failed late or went out wrong),
# +640 on the HTTP paths, +1,000 on the WebSocket ones (two names new to the HTTP paths: "seconds",
# and "count", which the firmware has; session.IDEMPOTENT went, a tuple in place, for the qstr step).
# Then 45216, 70144, 65312, 45152, 69600, 64864: a connection whose WebSocket ended carries HTTP again
# after open(), and an on_header/on_body that raises ends its connection (+64 to +128).  Then the
# WebSocket's settings are checked in ``handshake`` (it leaves the heap after the upgrade), not in
# wsession: 69760, 65024, 71712, 68832, 64128 on the WebSocket paths (-400 to -800).  Then 45248,
# 64928, 51040, 71744, 45120, 68864, 64160: Session.opened() makes a connection whose WebSocket ended
# HTTP again (written once, not in client and aio).  Then 69920, 65088, 71872, 69056, 64352 on the
# WebSocket paths (+128): the opening handshake, after its unload, loads again with a plain import, not
# packed by rt.load (a reconnect ~120 us faster on the unix port, 517 instead of 640; the soak passes
# 1 KiB lower, ws_connect's session 1 KiB higher).  Then 70048, 65216, 51104, 71936, 69248, 64448: the
# timeouts of recv(), poll(), Engine.poll() and Engine.run() checked (nan, "5" raised a bare ValueError or
# OverflowError), +64 to +192.  Then 45248, 70016, 65152, 51136, 72064, 45152, 69216, 64480: rt.load packs
# a module only when at most 256 KiB is free (+32 to +128).  Then the WebSocket paths 70048, 65184,
# 72000, 69248, 64512: on MicroPython over TLS a closing handshake ends once both Close frames passed.
# Then blocking 45312, 70112 (+64), poll HTTP 51168 (+32) and aio 45440, 69536, 64800 (+288): a reset
# found before readinto(), which lost the bytes that came before it (aio._reset, net.Stream._recv under
# TLS, poll.Conn._io under TLS).  Then the WebSocket paths 70304, 65408 (+192) and 69664, 64960
# (+128): what the socket holds is read after a write met a reset (WebSocket._salvage).  Then 45504,
# 70496, 65632, 51392, 72256, 45600, 69824, 65120 (+160 to +224): MicroPython reads a response head over
# TLS and a TLS body that ends with the connection with recv() (Session.one_read; readinto() could take
# the close_notify).  session.REDIRECTS went, and client's _recv_body is _recv, for the qstr step.
# Then 70528 and 65664 (+32): the blocking upgrade loads ``websocket`` once the handshake is checked
# and unloaded (a 10 MiB stream through ws_connect passes in 80 KiB instead of 84).  Then 70560, 65696,
# 69856, 65152 (+32): a MemoryError while close() waits for the server's Close is raised by close()
# once the socket is closed (it was swallowed).  Then 45568, 70688, 65824, 72352, 69952, 65248 (+32 to
# +128): over TLS a 101 and a WebSocket's reads between frames are one read too (Session.one_read,
# WSCore.one_read: a server's close_notify right behind its last frame was missed).  Then 44576,
# 69696, 64800, 50336, 71264, 44576, 68896, 64160 (-1 KB): the package's table of names loaded on
# first use is one string, not a dict.  Then 44480, 69600, 64704, 50400, 71328, 44576, 68896, 64160: the
# ``json()`` error and text()'s U+FFFD in ``extras`` (-32 to -96), and the end of a cut-off body said
# once, in session.Response._end (poll and aio HTTP +96).  The package's fallback to ``errors`` takes
# classes only (its ``message`` and imports resolved too): +0 written as isinstance(value, type), +32
# with an issubclass() as well (poll HTTP + WebSocket then went over this budget, and the demo session
# took 81 KiB instead of 80).  Then 44576, 69696, 64736, 50464, 71392, 44672, 68992, 64224 (+32 to
# +96): a request target and a header value that is not UTF-8 are read as bytes, not character by
# character (MicroPython interned each character for good: dual_hostile_http_chars).  Then 44384,
# 69472, 64544, 50304, 71104, 44480, 68640, 63872 (-160 to -352): each .mpy names its module's dotted
# name as its source (build_mpy.source_name), a name the import interns anyway, not a path of its own.
# Then 44096, 69152, 65888, 50496, 71296, 44608, 68768, 63968: ``ws_connect`` in a module of its own
# (``wsconnect``, now part of the blocking WebSocket-only path: +1.6 KB there, -320 on the others of
# the blocking layer), ``seconds`` in ``rt`` (+96 to +192 on poll and aio): so that a WebSocket opened
# by ws_connect keeps none of the HTTP modules, which leave a short heap after it (see SHED_SCRIPT).
# Then 69376 and 66592 (+224, +704): the upgrade's HTTP part apart (Connection._handshake,
# websocket.after_101, wsconnect's steps), so that ws_connect loads the WebSocket's modules only once
# the HTTP ones have gone (its session: 60 KiB instead of 78).  (These import every module of a path at
# once; a ws_connect session never holds them all.)  Then 44096, 69792, 66944, 50848, 71680, 45120,
# 69280, 64512 (+0 to +512): a response's read(n, max_size), readinto(buf), text(encoding) and
# iter_lines(max_line) check their arguments (UsageError; a bare TypeError before), in session.Response
# for every layer, and aio's read() takes n as the blocking one does.  Then poll 50912, 71744 (+64):
# the Engine's methods refuse what is not one of its connections (UsageError; AttributeError before).
# Then 44192, 69856, 67008, 51008, 71840, 45216, 69344, 64608: a response's header names may be bytes too,
# anything else is UsageError (Headers._key); the blocking send() refuses what is not a Request
# (Session.target).
# Then 44320, 69984, 67136, 51072, 71904, 45376, 69504, 64736: callbacks are checked by one function
# (session.callables: the Engine's connect() and request(), a Request's hooks); multipart= is True or False
# (a dict went out as an empty body); the blocking queue() refuses what is not a Request.
# Then 44320, 70048, 67200, 51072, 71968, 45376, 69568, 64800: a streamed piece held back behind a callback
# that raised is copied (wsession._handle: the receive buffer it viewed may be another connection's next
# read).
# Then 44352, 70080, 67232, 51168, 72064, 45440, 69632, 64864: a resend and a redirect chain keep the first
# attempt's deadline (Session.begin, start; poll's Transaction.t_end).
# Then 44384, 70208, 67328, 51200, 72160, 45472, 69728, 64960: recv()'s timeout bounds the wind-down after a
# server's Close (websocket/aiows._wind_down take the call's deadline).
# Then 44384, 70304, 67456, 51200, 72224, 45472, 69888, 65056: a Close whose write failed is not reported as
# sent (WSCore._unsent).
# Then 44480, 70400, 67552, 51296, 72320, 45568, 69984, 65152: session.callables checks without a tuple (no
# allocation per request; +96 B of code).
# Then 44480, 70400, 67552, 51328, 72352, 45600, 70080, 65280: an aio writer that is cancelled puts the
# frames it took back in the queue, and no frame is built in the buffer it writes from (aiows._flush); auto
# mode drops the rest of a message whose on_msg_rx_init raised (WSCore._rx_skip).
# Then poll HTTP + WebSocket 72384: a Close still queued when the connection ends is not reported as sent
# (pollws._end_cause).
# Then 44544, 70464, 67616, 51392, 72448, 45664, 70144, 65344 (+64): a head or chunk-size line that ends
# with a bare LF is refused at once (http11._eol, _block: it waited for a CRLF until the timeout).
# Then 71840, 69888, 65024 (-256 to -608): an unknown WebSocket keyword is refused by the handshake's
# check before the upgrade is written, on every layer (pollws and aiows check no more; the blocking and
# asyncio ones refused it after the 101, and the connection closed).
# Then aio 45856, 70080, 65216 (+192): a request whose connection another task closed ends with
# UsageError and is not sent again (aio._end_own, now aio._gone); a read() of a response of the past leaves the
# connection alone.
# Then blocking WebSocket 70688, 67840 (+224): a recv() or poll() from inside a callback of the same
# WebSocket is refused (WebSocket._step; it handed out later messages first).
# Then poll 51456, 71904 (+64): every report of a connection's end is made when a callback raises too
# (poll.Conn._end, _fail_all: the requests queued behind it and on_close were lost).
# Then 70656, 67808, 72000, 70176, 65440 on the WebSocket paths (-32 to +224): a WebSocket stores no new
# attribute in a call (WebSocket._dl set when it is made, _err_reported too: a table that grew with the
# heap full failed close() before it could end the connection), on_close at once when close() finds no
# heap for its frame (WSCore._told), poll's end of a WebSocket tells its close after a second MemoryError.
# Then 44928, 70976, 68160, 51712, 72256, 46240, 70560, 65792 (+256 to +384): a request's deadline is
# taken before its connection opens and bounds the connect (Session.until, remaining: names the package
# has; client._open, aio._connect; a connection's deadline caps its connect_timeout; it bounded a redirect's
# connect only); json() reads the body before it loads the parser, and text or JSON that does not fit
# is LimitExceeded.
# Then 44992, 71072, 68224, 51744, 72288, 46272, 70656, 65792 (+64 on every path): the garbage is
# collected before a whole body's next 2 KiB block of small pieces is made (session.Body: blocks and the
# reads' garbage spread over the heap, and a 12 KB chunked body in 100-byte segments did not fit in a
# 128K heap).  (Blocks of 2 KiB made once and filled, not grown, took +224 and did no better.)
# Then 72032, 69152, 72864, 71168, 66368 on the WebSocket paths (+512 to +960), a trade for speed: a read
# that is one small whole message becomes it in one call (Protocol.single: the blocking recv() and aio's
# read; the parse and dispatch it skips were a third of a 16-byte echo's Python time on MicroPython), and
# the blocking send() of one frame builds and writes it at once (Protocol.frame, WebSocket._one): 16-byte
# echoes at 0.89 of micropython-websocket's rate, 0.76 before.  The frame builder split into small
# functions (no heap frames on the send path) took 450 bytes more for ~2 % and was left out.
# Then 45024, 72096, 51776, 72928, 46304, 71232 (+32 on the HTTP paths): an unknown request keyword is
# UsageError that names requests' usual ones (params= is query= ...), not a bare TypeError.
# Then 45056, 72128, 69216, 51808, 72960, 46336, 71264, 66432 (+32 on every path): errors.message gives a
# text in a full heap (its catalog's cleanup let a KeyError out at 16 bytes free).
# Then blocking WebSocket only 69216 (+32; its budget raised by 32): the blocking WebSocket takes on_msg=
# (refused after the 101 before).  Then poll HTTP 51808 (+32, within its budget): a MemoryError that
# Engine.upgrade() raises closes the connection, loading pollws included (Engine.upgrade's except).
# Both with the errors.message fix: 69248 and 51840 (budgets 50 over).  Then poll HTTP + WebSocket 72992
# (+32): an on_tx_complete that raises as a connection ends is reported as other callbacks' are (poll.Conn._end,
# pollws.WebSocket._end_cause).  Then aio 46400, 71392, 66560 (+64 to +128): tasks sharing a connection (a
# read woken by another task's close() lets go only of its own claim; a refused upgrade lets go of its
# own) and a WebSocket's reader back during another task's close() ends with it (aiows._read).
# Then poll 51904 and 73056 (+64; budgets raised by 64): a timer taken off by one before it in the same
# round is not run (a nested poll(), a reconnect's stop(): a bare ValueError); poll() inside a WebSocket
# callback is UsageError (it handed out later messages first); connect(timeout=-1) is UsageError, the
# engine's default is ``...`` (+32 of these 64: the constant).
# Then 45248, 72352, 69472, 52096, 73248, 46592, 71584, 66752 (+192 on every path; budgets raised by
# 192): a request-target's characters that no URI holds are percent-encoded (http11.build_request_head,
# +96: the bytes they are checked against), the host is checked where the connection is made, on every
# layer, and goes in its IDNA form on CPython (session.host_header, +96).  Then 45280, 72384, 69472,
# 52128, 73280, 46624, 71616, 66752 (+32 on most paths; budgets +32): readinto() takes an array of bytes on
# CPython too (Response._into gives a memoryview of it).
# Then 45344, 72448, 69568, 52320, 73536, 46752, 71808, 66976 (+64 to +256; budgets 50 over): from a
# hunt of API misuse and cancellation.  Wrong callables, a mask source that gives no bytes and unknown
# connection keywords are UsageError when they are given (handshake._draw, request.callables, Session's
# **kw); poll builds a request's head when request() is called (a bad one raised later, in a pump, +128 of
# poll's), a cancelled aio close() or closing handshake lets the socket go (it stayed open) and
# close_timeout bounds the whole close (aiows, +96 to +160).  Then poll HTTP + WebSocket 73632 (+96):
# a refused upgrade whose body is over max_body or cut short is UpgradeRefused (pollws._refused).  Then
# blocking WebSocket only 69632 (+64): a whole read checks max_body against the bytes still to come (a
# HEAD's answer or a 304 with a large Content-Length was LimitExceeded, client.Response.read).  Then
# 45376, 72544, 69664, 52352, 73664, 46848, 71904, 67072 (+32 to +96; budgets 50 over): verify= other than
# True or False is UsageError (session), a body read whole is handed out by the streaming reads next and
# a read() that met a full heap marks the body cut (client and aio Response.read), keepalive fixes (aiows).
# Then 45440, 72608, 69792, 52384, 73696 (+32 to +128; aio unchanged; budgets 50 over): ws_connect checks its
# keywords before connecting (wsconnect, +32: check_settings's default is its set); CPython's TLS fixes
# in net/poll (a reset is not an end; a close in the handshake is no TLSError).  A helper for them in
# rtio cost +96 everywhere, and a new name in aio (the same check in aio.ws_connect, even as a string)
# took the aio HTTP ROMFS path over a step of the qstr pools (+3.6 KiB): the checks are inline (and
# aio.ws_connect's check, below, goes through a name aio has).  Then aio 47040, 72096, 67264 (+192; budgets 50 over):
# a register in asyncio's poll set that met a full heap left an empty slot that crashed the port at the
# loop's next wait (aio._enqueue takes the slot out again; no new module-level name, see above).  Then
# blocking WebSocket only 69760 (-32): ws_connect checks headers, subprotocols and extensions before
# connecting too (handshake.start_upgrade(None, ...), in place of check_settings), and so does aio's.
# Then aio 47168, 72224, 67392 (+128; budgets 50 over): a connect that another task's close() overtook
# closes its socket and is UsageError (aio._connect: two connects at once left one socket open).
# Then 45536, 72704, 69888, 52448, 73824, 47264, 72320, 67552 (+64 to +128; budgets 50 over): a module
# whose object a MemoryError left unmade is dropped from sys.modules (rt.load, and Session.lost calls it,
# imported there: a name more in session's table cost 128 bytes more on every path).  Then poll 52512, 73888
# (+64): Engine.close(conn) ends the connections of its redirects first (poll._owner_of).
# Then 45600, 72800, 69984, 52608, 73984, 47392, 72512, 67712 (+32 to +160; budgets 50 over): aio's
# _abort a plain call (no coroutine to make on a full heap), the Engine's unknown keywords, the poll
# round's registrations (_by_key), a read() or recv() that meets a full heap at its start ends the connection.
# Then 45760, 73216, 70432, 52864, 74240, 47744, 72832, 68064 (+96 to +416): rtio.close (the TCP socket
# under a TLS one closed too, poll and aio), WebSocket._single (recv()'s frame off the heap), the resend
# for kept-alive connections only, server_hostname checked.  Then the WebSocket paths 73312, 70528,
# 74432, 72928, 68160 (+64 to +192): frame_size in Protocol.send_fragment (asyncio and poll split
# fragments too), a close() in a poll callback drops the rest of the read, a poll WebSocket whose callback
# raised ends CLOSED.  Then 45696, 73280, 70496, 52864, 74400, 47648, 72864, 68064 (-96 to -32; budgets 50
# over): a repeated header's values joined, text()'s charset (http11, session), a connection's end that
# needs no heap (Session.lost: the import of rt.load and the response's marks in a try), poll's request()
# and WebSocket sends that meet a full heap end the connection, a nested poll() in on_header refused.
# Then aio 73056, 68288 (+192, +224): its WebSocket calls make their payload, argument tuple and
# coroutine inside the MemoryError handling that ends the connection (aiows._tx_of; it stayed open).
# Then 45696, 73472, 70656, 53024, 74720, 47680, 73280, 68480 (0 to +288): a poll Transaction's
# callbacks not given stay the class's (12 slots each, not 17: more connections fit a heap; the
# class's table one size larger), a parser counts a head's 1xx answers in _left (no attribute more),
# tls= and persistent= checked, a WebSocket's frames that came with the 101 salvaged after a failed
# send, a WebSocket's close_reason (websockets' name: +64 to +192 on the WebSocket paths).
# Then 45920, 73664, 70912, 53152, 74880, 47904, 73504, 68704 (+128 to +256): read(n) keeps a view of
# the rest of a body piece, not a copy of it (quadratic over a body read whole), a strided memoryview
# body made bytes, server_hostname checked label by label (in urlsplit: the check left the session), a
# bytearray body that changed size after poll queued it refused, the other origin's connection a
# redirect chain ended on closed with the next request or close() (blocking, aio: it leaked).  Then
# blocking WebSocket 73760, 70976 (+96, +64): its application's sends bounded by its timeout, not by
# the deadline of the poll() or recv() whose callback made them.  Unchanged by what read(n) holds
# being made bytes before it is let go (out of memory it was lost), and by the other origin's
# connection closed with this one's upgrade too.  (Closed in _abort, with the end of a WebSocket, it
# moved the soak's smallest heap from 92 to 93 KiB: 92 failed 1 or 2 runs of 5.)  Then aio HTTP 47968
# and 73568 (+64): a streamed body's pieces each check the bounds and give the loop a turn (a socket that
# took all never waited, and no bound was looked at).  Then poll HTTP + WebSocket 75008 (+128): an
# Engine.close(abort=True) in a WebSocket callback stops that round's callbacks (pollws._closing); aio's
# WebSocket paths 73600, 68768 (+32, +64): a send with a keepalive is bounded by its patience.  Then
# blocking HTTP 45984 (+32): a form given as an iterator is checked and listed once (it went out empty).
# Then aio 48064, 73728, 68896 (+64 to +128): aio's Response.close() (the blocking layer's), and a recv()
# whose timeout comes while another task's close() runs the closing handshake leaves it to that close().
# Then 46016, 73760, 70944, 53280, 75040, 48096, 73760, 68928 (+32 to +96): a connection's end that cuts
# an upgrade short unloads the opening handshake's module in a short heap (Session.lost), and poll's
# connect() that meets a MemoryError ends its Conn (it stayed in the engine until connect_timeout).
# Then poll 53344, 75104 (+64): a redirect chain's Transaction gives its request back to the application
# (two plain assignments: four targets in one built a tuple, and on a full heap the request was not told).
# Then 46144, 73824, 70912, 53504, 75200, 48256, 73888, 69056 (-32 to +160): rt.load takes a lock
# with threads on MicroPython (a thread found a module another was still loading), and the modules that
# may be dropped are loaded through it (client's Request and parse_url, the error message catalog; the
# handshake's reload on poll and aio, a plain import before: -96 on the WebSocket paths).
# Then poll 53792, 75456 (+160, +128), aio HTTP 48416 (+32): a write over TLS on MicroPython looks for a
# reset first (a write that meets one fails the TLS socket for reads too: what came before it was lost),
# poll reads all that came before a reset a write met, and re-polls a plain socket between the reads of
# a round (a callback may have slept while the reset came).
# Then poll 53824, 75488, aio 48448, 74240 (+32 each): a Request lists headers= given as an iterator (a
# Request sent twice lost them), and a str subclass as a header name or value is made a str.
# Then aio WebSocket only 69376 (+32): aio's Response.close() marks the body cut (a body the next request
# had drained read as an empty one after it).  Then 69440 (+64): a whole read() hands its body out once
# more only when no read took a byte of it before (the rest after read(n) was handed out twice).  Then
# 69472 (+32): aio's Response.close() of a body whose bytes were all taken keeps the connection.  Then
# 69600 (+128): tasks sharing an aio connection (a drain keeps the connection its task's between reads,
# readinto() checks the reader, a connection left taken by an ended task is opened again): aio.py's
# HTTP code, on this path too (one module).
IMPORT_BUDGET = {
    "blocking HTTP": 47008,  # (+128: request() takes a ready Request and nothing else besides it on every layer, one rule in request.request; +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +32: MicroPython's blocking write tries a write every second too (net.Stream.sendall: a steady, slow reader); +32: a drain takes at most half of the next request's deadline (session.drain); +32: read(max_size=) under Content-Length leaves the body to stream (client.Response.read); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: a whole read() whose body had all come keeps it when the heap ends the read (client.Response.read); +64: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: Connection.run() goes on past a body over max_body or the heap left unread, and only such a one (client.run); +32: a host given as name:port is UsageError naming port= (Session: it went to the resolver); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
    "blocking HTTP + WebSocket": 76064,  # (+64, measured +32: the rest of a read is dropped when a callback lets a send's timeout or shortage out (wsession._handle); +96: messages read with one whose callback's send() met a reset are handed over before on_close (wsession._handle's rest, one attribute); +64, measured +32: an auto-mode bytearray written where its bytes are now (a buffer grown during its message, wsession); +128: no heap for a message's payload check, a close's tuple of exception classes or the arguments of a queued frame ends the connection, as README "Out of memory" says: payload in the try, no *args, one-class except clauses; +128: request() takes a ready Request, request.request; +32: a message callback's own MemoryError on the Engine ends it as any exception of a callback (wsession._handle marks it); +128: a poll's timeout kept in milliseconds (net.Stream._t, _ms: a float product per wait allocated), wait_time with no timer reads no clock; +32: a MemoryError on_close raises is its own (wsession._closed); +32: on_close told in the call whose on_err raised; +32: which MemoryError after a fault is the fault's (its on_err's own is not: _err_reported False while it runs); +32: a MemoryError after a fault is the fault's only when its Close found no heap (a callback's own is reported); +32: a keepalive's small frame goes in one write, no view; +~64: a send whose write met a reset leaves on_close to the call that hands over the messages before it (wsession._send_closed); +32: on_err's own MemoryError for a fault does not make a later shortage at that fault's end a second error (websocket._step, aiows.recv; pollws._last_input raises it); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +32: the same write; +32: a recv() after one an on_err's exception cut short winds the close down within close_timeout (websocket._read_once); +32: a drain takes at most half of the next request's deadline (session.drain); +192: a read-back after a reset stops while its messages still fit the heap (rfc6455.Protocol.holds_back); +32: read(max_size=) under Content-Length leaves the body to stream (client.Response.read); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: a whole read() whose body had all come keeps it when the heap ends the read (client.Response.read); +64: the fragments of a text message we send UTF-8 checked together, is_text and streaming= take a bool (rfc6455.send_fragment, send_start; handshake); +64: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32 (net of -64: one UpgradeRefused for every layer, errors2.refused): a request body's own code that closes, reopens or uses its Connection is a UsageError (client._send_one: the upload went on over the new connection, awaiting a head for ever), and recv()'s first read over TLS ends the WebSocket on a MemoryError (websocket._single); +32: Connection.run() goes on past a body over max_body or the heap left unread, and only such a one (client.run); +32: a host given as name:port is UsageError naming port= (Session: it went to the resolver); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
    "blocking WebSocket only": 73216,  # (+64, measured +32: the same; +96: messages read with one whose callback's send() met a reset are handed over before on_close (wsession._handle's rest, one attribute); +64, measured +32: an auto-mode bytearray written where its bytes are now (a buffer grown during its message, wsession); +128: no heap for a message's payload check, a close's tuple of exception classes or the arguments of a queued frame ends the connection, as README "Out of memory" says: payload in the try, no *args, one-class except clauses; +32: a message callback's own MemoryError on the Engine ends it as any exception of a callback (wsession._handle marks it); +96: the same poll timeout; +64: the same on_close; +32: the same; +32: the same MemoryError rule; +30: CPython's strided-view check in readinto (one name, class body code); +160: ws_connect lets urlsplit go before the connection's buffers in a short heap; +64: an extension named twice, leading zeros in lengths; +32: the read-back stops at a fault; +32: no heap for the server's Close while closing is a MemoryError; +96: a send whose write met a reset leaves on_close to the call that hands over the messages before it (wsession._send_closed); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +32: the same write; +32: the same wind-down; +32: a drain takes at most half of the next request's deadline (session.drain); +192: a read-back after a reset stops while its messages still fit the heap (rfc6455.Protocol.holds_back); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: a whole read() whose body had all come keeps it when the heap ends the read (client.Response.read); +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +64: the fragments of a text message we send UTF-8 checked together, is_text and streaming= take a bool (rfc6455.send_fragment, send_start; handshake); +64: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32 (net of -64: one UpgradeRefused for every layer, errors2.refused): a request body's own code that closes, reopens or uses its Connection is a UsageError (client._send_one: the upload went on over the new connection, awaiting a head for ever), and recv()'s first read over TLS ends the WebSocket on a MemoryError (websocket._single); +32: Connection.run() goes on past a body over max_body or the heap left unread, and only such a one (client.run); +32: a host given as name:port is UsageError naming port= (Session: it went to the resolver); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
    "poll HTTP": 54496,  # (+128 measured within it: poll's Response.read(n), as the other layers'; +64 measured within it: request.request, a read body refused at its turn; +64: an exception on a redirect chain's own connection, idle, goes to the application's Conn; +32: a TLS socket that met a reset is read once per call; +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +96: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +32: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32: an interrupt from a callback while a connection's end is reported stops no report (poll.Conn._end catches any exception, raised after them all), and one from a redirect's own connection ends the Conn now, leaving poll() once (pollhop.orphan); +32: a host given as name:port is UsageError naming port= (Session: it went to the resolver); +32: poll's read() of a rest that does not fit is LimitExceeded (poll.Response.read); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes); +32: the read() of a rest with no heap at all says LimitExceeded (poll.Response.read))
    "poll HTTP + WebSocket": 77792,  # (+64, measured +32: an interrupt in a callback leaves the rest of its read for the next round, a callback's own MemoryError stays the cause of the end (pollws._pump, _end_cause); +64, measured +32: the first on_tx_complete that raises stays the cause of the end (pollws._end_cause); +96: messages read with one whose callback's send() met a reset are handed over before on_close (wsession._handle's rest, one attribute); +64, measured +32: an auto-mode bytearray written where its bytes are now (a buffer grown during its message, wsession); +128: no heap for a message's payload check, a close's tuple of exception classes or the arguments of a queued frame ends the connection, as README "Out of memory" says: payload in the try, no *args, one-class except clauses; +128: poll's Response.read(n), as the other layers'; +64: request.request, and a ready Request whose body was read is refused at its turn (queued twice); +32: a message callback's own MemoryError on the Engine ends it as any exception of a callback (wsession._handle marks it); +64: a MemoryError a WebSocket's on_close or on_err raises at the end is theirs (poll.Conn._end); +~64: a send whose write met a reset leaves on_close to the call that hands over the messages before it (wsession._send_closed); +32: the same after a second send; +32: Engine.poll() with no heap for its wait; +32: on_err's own MemoryError for a fault does not make a later shortage at that fault's end a second error (websocket._step, aiows.recv; pollws._last_input raises it); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +64: the engine tries a write at the WebSocket's timer (pollws._expired: a steady, slow reader); +192: rfc6455.Protocol.holds_back (a read-back after a reset, blocking and aio), the head timer's verdict in poll again (a full heap at a timeout: pollhop not loaded); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +80: a WebSocket's message is tried at each eighth of the timeout (pollws._left, _expired: a peer that stopped reading took up to twice the timeout); +96: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +64: the fragments of a text message we send UTF-8 checked together, is_text and streaming= take a bool (rfc6455.send_fragment, send_start; handshake); +32: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +64: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32: an interrupt from a WebSocket's on_open keeps the frames that came with the 101 for the next round (pollws._switch; they were lost), net of -32 from errors2.refused; +32: an interrupt from a callback while a connection's end is reported stops no report (poll.Conn._end catches any exception, raised after them all), and one from a redirect's own connection ends the Conn now, leaving poll() once (pollhop.orphan); +32: an interrupt from a callback of the frames that came with the 101 fails the requests queued behind the upgrade at once (pollws._switch); +32: a host given as name:port is UsageError naming port= (Session: it went to the resolver); +32: poll's read() of a rest that does not fit is LimitExceeded (poll.Response.read); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes); +32: the read() of a rest with no heap at all says LimitExceeded (poll.Response.read))
    "aio HTTP": 50016,  # (+32: request.request, the one rule of a ready Request; +32: a body read woken by another task's close() leaves that task's next connection open; +48: ws_connect takes server_hostname (a wss:// URL by address names its certificate); +80: readinto of a chunked body copies a chunk's first bytes into the buffer through the session (no bytes object); +64: a redirect chain holds its connection while on another origin; +14: the idle probe polls, as the blocking one, not a read that ran a TLS handshake; +224: a body read woken by another task's close() is ConnectionLost whatever its framing, and feeds nothing to the session (aio._gone); text() and json() load modules of their own, textbody and jsonbody (4.4 and 2.4 KB of heap where extras held 13.4 KB); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +192: MicroPython's aio write tries a write every second of a wait (aio._write: a steady, slow reader); +96: MicroPython reads a TLS socket with recv(), one read per call (rtio.recv_into: readinto() read on and took a close_notify that mbedTLS reports once, and the end was never seen); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: that read()'s end spares the connection that carries a newer response (aio.Response.read); +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +32: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: a close() while a redirect chain drains a 3xx ends the chain, and a chain that failed on another origin takes no place of the four kept (aio.request); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
    "aio HTTP + WebSocket": 76896,  # (+64, measured +32: a memoryview body that can't be sliced (CPython, 0-d) is sent as its bytes (request.prepare, a try); +96: messages read with one whose callback's send() met a reset are handed over before on_close (wsession._handle's rest, one attribute); +64, measured +32: an auto-mode bytearray written where its bytes are now (a buffer grown during its message, wsession); +64: a close() whose wind-down meets no heap: one clause, no tuple of classes to match (aiows); +64: request.request, the one rule of a ready Request; +32: close() drops the socket on a MemoryError met as its wait begins; +32: a message callback's own MemoryError on the Engine ends it as any exception of a callback (wsession._handle marks it); +32: the same on_close; +32: the same two; +48: ws_connect's server_hostname; +32: the same MemoryError rule, and recv() lets a callback's task answer before a held Close; +80: the same readinto; +32: the idle probe polls; +110: a write that met a reset while another task waits in recv() leaves the read-back to it (aiows._while_reading); +192: a keepalive bounds each 16 KiB of a frame; +32: a PONG the closing handshake reads goes to on_pong; +32: no heap for the server's Close while closing is a MemoryError; +~64: a send whose write met a reset leaves on_close to the call that hands over the messages before it (wsession._send_closed); +192: a body read woken by another task's close() is ConnectionLost whatever its framing, and feeds nothing to the session (aio._gone); text() and json() load modules of their own, textbody and jsonbody (4.4 and 2.4 KB of heap where extras held 13.4 KB); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +32: the same wind-down (aiows.recv); +32: on_close's own MemoryError after a fault is its own (websocket._step, aiows.recv); +192: MicroPython's aio write tries a write every second of a wait (aio._write: a steady, slow reader); +192: a read-back after a reset stops while its messages still fit the heap (rfc6455.Protocol.holds_back); +96: MicroPython reads a TLS socket with recv(), one read per call (rtio.recv_into: readinto() read on and took a close_notify that mbedTLS reports once, and the end was never seen); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: that read()'s end spares the connection that carries a newer response (aio.Response.read); +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +64: the fragments of a text message we send UTF-8 checked together, is_text and streaming= take a bool (rfc6455.send_fragment, send_start; handshake); +32: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32: a close() while a redirect chain drains a 3xx ends the chain, and a chain that failed on another origin takes no place of the four kept (aio.request); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
    "aio WebSocket only": 72064,  # (+96: messages read with one whose callback's send() met a reset are handed over before on_close (wsession._handle's rest, one attribute); +64, measured +32: an auto-mode bytearray written where its bytes are now (a buffer grown during its message, wsession); +32: close() drops the socket on a MemoryError met as its wait begins; +32: a message callback's own MemoryError on the Engine ends it as any exception of a callback (wsession._handle marks it); +32: the same on_close; +32: the same MemoryError rule; +48: ws_connect's server_hostname; +32: the same; +80: the same readinto; +32: the idle probe polls; +110: the same read-back; +96: the same PONG, wsession._closing; +64: an extension named twice, leading zeros in lengths; +32: the close's MemoryError; +96: the same send; +192: a body read woken by another task's close() is ConnectionLost whatever its framing, and feeds nothing to the session (aio._gone); text() and json() load modules of their own, textbody and jsonbody (4.4 and 2.4 KB of heap where extras held 13.4 KB); +32: on_err's own MemoryError for a fault does not make a later shortage at that fault's end a second error (websocket._step, aiows.recv; pollws._last_input raises it); +64: the package drops names left with no module and loads rt with itself (a first lazy name or a direct import in a full heap crashed the port: __init__); +32: the same wind-down; +192: MicroPython's aio write tries a write every second of a wait (aio._write: a steady, slow reader); +192: a read-back after a reset stops while its messages still fit the heap (rfc6455.Protocol.holds_back); +96: MicroPython reads a TLS socket with recv(), one read per call (rtio.recv_into: readinto() read on and took a close_notify that mbedTLS reports once, and the end was never seen); +~96: a module whose load failed leaves the heap (rt.load clears the slot of sys.modules the port left it in), and the package's __getattr__ tries the error classes first (an except clause naming one let an ImportError out in place of a MemoryError); +~48: MicroPython's TLS reads (rtio.recv_into caps a read at 4 KiB; aio reads a TLS socket first, after a turn of the loop) and the whole body collected over TLS collects the reads' garbage first (session.Body); +~16 to +110: a str or bytes item of a headers/query/form table refused, an array body sent as its bytes (request), poll's resend of a queue behind a body over max_body, aio's async def on_body refused; +~80 to +144: MicroPython's recv() whose MemoryError came after it took the bytes ends the request (rtio.recv_into reads the size from the message), an array body copied and sent again as bytes are, a table's item a tuple or list (request); +16: a read() whose Body and then its LimitExceeded found no heap ends the connection (a bare MemoryError left it open: client and aio Response.read); +16 to +32: a plain socket's MemoryError from recv() is raised whatever its size (rtio.recv_into: the unix port's after a read that filled its buffer was taken for its first, and 256 bytes were lost); +32: that read()'s end spares the connection that carries a newer response (aio.Response.read); +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed); +64: the fragments of a text message we send UTF-8 checked together, is_text and streaming= take a bool (rfc6455.send_fragment, send_start; handshake); +32: an upgrade refused with a body it could not read says why (client, aio, pollws: a second catalog text, no new inline string: ' (%s)' inline took aio's ROMFS figure 3.6 KB over a pool step); +32: a send while our close() waits, only with no fault of ours (wsession._send_closed); poll's read() before the body came is a UsageError; +32: a close() while a redirect chain drains a 3xx ends the chain, and a chain that failed on another origin takes no place of the four kept (aio.request); +32: a response's cut marks are its own from its head, so lost() marks it with no heap (Session.next_event: left unmarked, its reads took the next response's bytes))
}
# the same paths imported from a ROMFS image mounted with vfs.VfsRom (bytecode runs in place; the
# image's own bytes, read into the heap first, are not counted); measured 24736, 39968, 28896, 40544,
# 24288, 38688; WebSocket only 37664 and 36416; then the WebSocket paths 40736, 38336, 41056, 39392,
# 37056 (budget: about 2 % over).  Then 25184, 41248, 38816, 29632, 41856, 24640, 39744, 37376 (poll
# HTTP +~700: the upload and TLS bounds).  Blocking and aio HTTP sit ~150 bytes under the step of the
# qstr pool (a new identifier on those paths costs ~3.3 KB here: reuse names, or remove one).  Then
# 25280 and 24800 (rtio.recv_into; its parameter was first named "mv", a name new to those paths: 28864).
# Then the WebSocket paths 39584, 37120, 40480, 38432, 36032: the opening handshake is unloaded after
# the upgrade (see above).  Then 25472, 40064, 37472, 30368, 41344, 24960, 39008, 36512: the settings
# checked where they are given (see above); blocking HTTP still under the step.  Then aio HTTP 25056
# (+96: aio._reset, see above).  Then 25600, 30432, 25120: Session.one_read (see above).  Then 24800,
# 39360, 36672, 29472, 40160, 24160, 38048, 35552: the package's table of lazy names (see above).
# Then 24832, 39392, 36672, 29504, 40192, 24192, 38080, 35552: targets and header values as bytes.
# Then 24672, 39232, 37600, 29600, 40288, 24288, 38176, 35648: ``wsconnect`` and ``rt.seconds``;
# then 39360 and 37920: the upgrade's HTTP part apart (see above).  Then 24640, 39456, 38016, 29696,
# 40384, 24384, 38272, 35744: a response's methods check their arguments (see above).
# Then 24672, 39488, 38048, 29760, 40448, 24416, 38304, 35776: a response's header names may be bytes too,
# anything else is UsageError (Headers._key); the blocking send() refuses what is not a Request
# (Session.target).
# Then 24736, 39552, 38080, 29824, 40512, 24480, 38368, 35808: callbacks are checked by one function
# (session.callables: the Engine's connect() and request(), a Request's hooks); multipart= is True or False
# (a dict went out as an empty body); the blocking queue() refuses what is not a Request.
# Then 24736, 39552, 38080, 29824, 40512, 24480, 38368, 35808: a streamed piece held back behind a callback
# that raised is copied (wsession._handle: the receive buffer it viewed may be another connection's next
# read).
# Then 24736, 39552, 38080, 29824, 40512, 24480, 38368, 35808: a resend and a redirect chain keep the first
# attempt's deadline (Session.begin, start; poll's Transaction.t_end).
# Then 24736, 39584, 38112, 29824, 40544, 24480, 38400, 35840: recv()'s timeout bounds the wind-down after a
# server's Close (websocket/aiows._wind_down take the call's deadline).
# Then 24736, 39648, 38176, 29824, 40576, 24480, 38432, 35872: a Close whose write failed is not reported as
# sent (WSCore._unsent).
# Then 24768, 39680, 38208, 29856, 40608, 24512, 38464, 35904: session.callables checks without a tuple (no
# allocation per request; +96 B of code).
# Then 40288, 38336, 35776: unknown WebSocket keywords refused before the upgrade (see above).
# Then aio 24544, 38368, 35808: aio._end_own (now aio._gone; see above).  Then blocking WebSocket 39840, 38368: the
# nested recv() refused (see above).  Then poll 29888, 40320: every report of a connection's end made.
# Then 39712, 38240, 40352, 38400, 35840 on the WebSocket paths: no new attribute in a call (see above).
# Then 24928, 39872, 38400, 29984, 40448, 24704, 38560, 36000: a request's deadline bounds its connect.
# Then 24960, 39904, 38432, 30016, 40480, 24736, 38592, 36032: session.Body collects first (see above).
# Then 40128, 38656, 40672, 38784, 36224: the one-read paths of a small message (see above).
# Then poll 30048 and 40736 (+32): the poll fixes of the import budget's last line.
# Then 24992, 40192, 38720, 30080, 40768, 24768, 38848, 36288 (+32; budgets raised by 32): the target
# and host checks of the import budget's last line.  Then poll HTTP + WebSocket 40800 (+32; budget 50
# over): the poll fixes of the import budget's last lines.  (Unchanged by the last lines of
# IMPORT_BUDGET's notes but the last; budgets 50 over the figures.)  Then aio 24832, 38912, 36352 (+64):
# aio._enqueue's repair of the poll set (see IMPORT_BUDGET).  Then aio 24864, 38944, 36384 (+32): aio.ws_connect
# checks its arguments before connecting (handshake.start_upgrade(None, ...): no new name in aio).
# Then 25024, 40224, 38752, 30112, 40832, 24896, 38976, 36416 (+32; budgets 50 over): rt.load's repair of
# sys.modules (see IMPORT_BUDGET).  Then aio 24992, 39072, 36512 (+96): see IMPORT_BUDGET's last lines
# (aio's _abort per runtime through names aio has: _done, _abort; a new one went over the qstr step, +3.6 KiB).
# Then 25088, 40512, 39040, 30336, 41056, 25184, 39264, 36704 (+64 to +288): see IMPORT_BUDGET's last lines
# (aio HTTP sits at the step: a "." literal in session's server_hostname check took it 3.6 KiB over).
# Then 25056, 40544, 39072, 30368, 41216, 25152, 39360, 36800 (0 to +192): see IMPORT_BUDGET.
# Then 25088, 40640, 39168, 30400, 41248, 25184, 39392, 36832 (+32 to +96): see IMPORT_BUDGET.
# Then poll HTTP + WebSocket 41280, aio 39424 and 36864 (+32 each): see IMPORT_BUDGET.
# Then aio 39456 and 36896 (+32 each): see IMPORT_BUDGET's last line.
# Then 25184, 40672, 39136, 30528, 41312, 25312, 39520, 36960 (+32 to +128): see IMPORT_BUDGET's last
# line (rt's lock has no name of its own: a first version's "hold" and "drop" took aio HTTP over the step).
# Then poll HTTP 30592 (+64; budget 50 over): see IMPORT_BUDGET's last line.
ROMFS_BUDGET = {
    "blocking HTTP": 25266,  # (+32: the same repair (__init__))
    "blocking HTTP + WebSocket": 40914,  # (+46: request.request, the one rule of a ready Request; +32: the same repair (__init__); +64: Protocol.holds_back)
    "blocking WebSocket only": 39552,  # (+14: a send with no heap for its payload ends the connection (websocket._payload); +32: the same; +32: an extension named twice, leading zeros in lengths; +32: a send that met a reset leaves on_close to the next call; +64: Protocol.holds_back; +28: rtio.recv_into and the request checks of IMPORT_BUDGET's last note)
    "poll HTTP": 30642,
    "poll HTTP + WebSocket": 41536,  # (+32: an extension named twice, leading zeros in lengths; +32: the same; +64: Protocol.holds_back; +14: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed))
    "aio HTTP": 25632,  # (+16: ws_connect's server_hostname; +30: aio._gone, and the names of textbody and jsonbody; +32: the same repair (__init__); +32: aio._write tries a write every second of a wait; +46 to +64: MicroPython reads a TLS socket with recv() (aio), rt.load's slot of a failed load, the package's __getattr__; +32 to +64: aio's async def on_body refused, the request checks of IMPORT_BUDGET's last note; +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed))
    "aio HTTP + WebSocket": 40000,  # (+16: ws_connect's server_hostname; +48: the same readinto; +14: the idle probe polls; +32: aio._gone, and the names of textbody and jsonbody; +32: the same repair (__init__); +32: aio._write tries a write every second of a wait; +64: Protocol.holds_back; +46 to +64: MicroPython reads a TLS socket with recv() (aio), rt.load's slot of a failed load, the package's __getattr__; +32 to +64: aio's async def on_body refused, the request checks of IMPORT_BUDGET's last note; +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed))
    "aio WebSocket only": 37472,  # (+16: ws_connect's server_hostname; +48: the same readinto; +32: the same; +14: the read-back's wait; +32: the idle probe polls; +32: aio._gone, and the names of textbody and jsonbody; +32: aio._write tries a write every second of a wait; +64: Protocol.holds_back; +46 to +64: MicroPython reads a TLS socket with recv() (aio), rt.load's slot of a failed load, the package's __getattr__; +32 to +64: aio's async def on_body refused, the request checks of IMPORT_BUDGET's last note; +32: one kind of receive callbacks checked at the upgrade (handshake), buffer_size=0 refused as every size is (session), poll's read() over max_size, a kept body kept through any error of its read, a send while our close() waits (wsession._send_closed))
}
# smallest -X heapsize (KiB) of the demo session (GET, upgrade, text + binary echo, ping, close), 3 of
# 3 fresh runs; measured 81 and 77 (ws_connect: 81 before it stopped loading ``request``; 92 and 93
# before the error messages left the modules, 87 and 87 before rt.load packed the code loaded on first
# use into the heap's holes).  Then 82 and 80 (5 of 5), every size up to 3 KiB above passing too (see
# STREAM_BUDGET; 82 and 79 while the opening handshake's reload was packed by rt.load).  Then ws_connect
# 60 (every size up to 12 KiB above passing): its HTTP modules leave before the WebSocket's load (see
# SHED_SCRIPT and wsconnect); the goal is 64.  Then Connection + upgrade 85: a send that met a
# reset leaves on_close to the call that hands the messages over, close() drops held ones (+~100 bytes
# of websocket and wsession), and close() raises the MemoryError of a Close frame with no heap (at 84 it
# failed there; before, close() returned 1006 and the session's check of close_code failed at 83).
# Then Connection + upgrade 86 for a first version of the package's repair of sys.modules (in __getattr__,
# +64 bytes of __init__ on every path): at 85 the session's close() met MemoryError in 1 of 3 runs; with
# rt loaded with the package, the repair in code that runs once, 85 passed 3 of 3 here, but a clean-clone
# run met the same MemoryError at 85 in 1 of 3: 86.  Then 87: this session's checks (+~100 to +220
# bytes of import heap on the WebSocket paths: one kind of receive callbacks, text fragments UTF-8
# checked, a send while our close() waits, a refusal that says why) passed 86 in 3 of 3 here, but a
# clean-clone run (another path: other string lengths in the heap) met a MemoryError in close() at 86
# in 1 of 3.
SESSION_BUDGET = {"Connection + upgrade": 87, "ws_connect": 64}


def test_import_heap_within_budget():
    mem.build()
    over = {}
    for name, mods in mem.PATHS.items():
        got = mem.import_cost(mods)
        if got > IMPORT_BUDGET[name]:
            over[name] = (got, IMPORT_BUDGET[name])
    assert not over, "import heap over budget (got, budget): %r" % (over,)


def test_romfs_import_heap_within_budget():
    image = mem.romfs_image()  # mpremote romfs build of lib/microhttpc/*.mpy
    over = {}
    for name, mods in mem.PATHS.items():
        got = mem.romfs_import_cost(mods, image)  # fails unless the modules came from /rom
        if got > ROMFS_BUDGET[name]:
            over[name] = (got, ROMFS_BUDGET[name])
    assert not over, "ROMFS import heap over budget (got, budget): %r" % (over,)
    # bytecode in place keeps well under what the same .mpy files loaded into RAM keep
    mods = mem.PATHS["blocking HTTP + WebSocket"]
    assert mem.romfs_import_cost(mods, image) < 0.7 * mem.import_cost(mods)


LOAD_SPY = """
import gc, sys
from microhttpc import rt
seen = []
def spy(name, *a):
    if name.startswith("microhttpc.") and name not in sys.modules:  # (not rt's own ``import gc``, nor a
        seen.append(gc.threshold())  # module there already: the package's __getattr__ asks errors first)
    return __import__(name, *a)
rt.__import__ = spy  # (rt's global: load() calls it in place of the builtin)
rt.load("urlsplit")
from microhttpc import handshake
print("THRESHOLDS", sorted(set(seen)), gc.threshold(), "KEEP_FREE", handshake._KEEP_FREE)
"""


def test_small_heap_rules_apply_to_small_heaps_only():
    # With at most 256 KiB free (a board without PSRAM), rt.load collects the garbage every 2 KiB
    # while a module loads (it fills its own holes), and the opening handshake is unloaded after the
    # upgrade when less than 16 KiB is free; with more (PSRAM) neither: there those collections cost
    # more than the holes (75 ms instead of 3 to load ``websocket`` with 3.8 MB in use), and counting
    # the free bytes at every upgrade walks the whole heap (0.64 ms with 8 MB).  The threshold is put
    # back after the load.
    mem.build()
    for heap, during, keep in (("128K", 2048, 16384), ("256K", 2048, 16384), ("512K", -1, 0), ("4M", -1, 0)):
        rc, out = mem.run(LOAD_SPY, heap=heap)
        assert rc == 0 and "THRESHOLDS [%d] -1 KEEP_FREE %d" % (during, keep) in out, (heap, out)


LARGE_SCRIPT = """
import gc, os, microhttpc
host, port = os.getenv("MHC_WS").rsplit(":", 1)
ws = microhttpc.ws_connect("ws://%s:%s/" % (host, port), timeout=10, max_message=1 << 18)
first = bytes(range(256)) * 390  # 99840 bytes
second = bytes(range(255, -1, -1)) * 390
got = []
for msg in (first, second, first[:-1000]):
    ws.send(msg)
    got.append(ws.recv())
    gc.collect()
assert got[0] == first and got[1] == second and got[2] == first[:-1000]
p = ws.protocol
print("KEPT", p._spare is not None and len(p._spare), p.tx_buffer is not None and len(p.tx_buffer))
ws.close()
"""


def test_micropython_keeps_no_large_message_buffer_even_in_a_heap_with_room(live_servers):
    # CPython receives a message of 64 KiB or more into the buffer of the last one that fits and sends
    # it from a frame buffer kept for the next (dual_ws_large).  MicroPython keeps none, even with more
    # than 256 KiB free (a PSRAM board): kept that way, the buffers of the largest message each way
    # raised the heap a run of 70-120 KB messages needs from 850 to 1100 KiB on the unix port (the 64 KiB
    # echo went from 0.23 to 0.31 of a raw socket's rate); the echoes are whole either way.
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    rc, out = mem.run(LARGE_SCRIPT, heap="1M", env=env)
    assert rc == 0 and "KEPT False False" in out, out


def test_demo_session_heap_within_budget(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    for name, wsc in (("Connection + upgrade", False), ("ws_connect", True)):
        for kib in range(SESSION_BUDGET[name], SESSION_BUDGET[name] + STREAM_SPAN + 1):  # (see STREAM_BUDGET)
            assert mem.session_passes(kib, wsc, 3, env), "%s: the demo session fails in %d KiB (%s)" % (
                name, kib, mem.last_failure)
        # and the search itself works: far below the budget it fails, at the budget it passes
        assert not mem.session_passes(24, wsc, 1, env)


# the demo session's import stage (heap after ``import microhttpc`` less the heap before it, in a script
# whose own names are interned first): measured 42432 (47072 before the messages moved out).  Beside the import budgets above because of
# MicroPython's qstr pools: the interned names live in pools of 20, 40, 80, 160, 320... entries, and the
# next pool is allocated when one more name does not fit.  The blocking HTTP path holds 290 names; two
# more method names in client.py left every import figure above unchanged, but took this script over
# the step: 51008 (+3.5 KiB), and the smallest heap of the session 92 -> 94 KiB.  Then 39680: the
# package's table of lazy names is one string (see IMPORT_BUDGET); the budget must stay below the
# figure + 3.5 KiB.  Then 40352 (+192: the target and host checks, see IMPORT_BUDGET).  Then 40512
# (+160: the fixes of IMPORT_BUDGET's last lines; no pool step).  Then 40576 (+64: the TLS fixes of
# IMPORT_BUDGET's last line; no pool step).  Then 40672 (+96: rt.load's repair of sys.modules, see
# IMPORT_BUDGET; no pool step).  Then 40736 (+64: the fixes of IMPORT_BUDGET's last lines; no pool step).
# Then 40928 (+192: the same; no pool step).  Then 41088 (+160: the fixes of IMPORT_BUDGET's last
# line; no pool step).  Then 41280 (+192: rt.load's lock, see IMPORT_BUDGET's last line; no pool step).
# Then 41344 (+64: session names textbody and jsonbody, text()'s and json()'s modules; no pool step).
# Then 41440 (+96: a poll's timeout kept in milliseconds, on_close's own MemoryError, see IMPORT_BUDGET;
# no pool step).  Then 41504 (+64: __init__'s repair of sys.modules and rt loaded with the package, the
# blocking write tried every second, see IMPORT_BUDGET; no pool step).  Then 41568 (+64: a drain's half of
# the deadline, read(max_size=)'s refusal leaves the body, see IMPORT_BUDGET; no pool step).  Then 41728
# (+160: rt.load's slot of a failed load, the package's __getattr__, see IMPORT_BUDGET; no pool step).
# Then 41792 (+64: the TLS reads and Body's collection, see IMPORT_BUDGET's last lines; no pool step).
# Then 41888 (+48: this session's fixes, see IMPORT_BUDGET's last two notes; no pool step: a first version's
# " %d bytes" text in rtio took aio's ROMFS figure 3.6 KB over one, and was dropped).  Then 41920 (+32: read()'s LimitExceeded
# with no heap, see IMPORT_BUDGET's last note; no pool step).  Then 41952 (+32: rtio.recv_into, see
# IMPORT_BUDGET's last note; no pool step).  Then 41984 (+32: read() keeps a body that had all come, see
# IMPORT_BUDGET's last note; no pool step).  Then 42016 (+32: IMPORT_BUDGET's last note; no pool step).  Then 42080 (+64: IMPORT_BUDGET's last two
# notes; no pool step).  Then 42112 (+32: a response's cut marks made with its head, see IMPORT_BUDGET; no
# pool step).
DEMO_IMPORT_BUDGET = 42112


def test_demo_import_stays_below_the_qstr_pool_step(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    st = mem.stages(env, runs=1)
    cost = st["import"] - st["start"]
    assert cost <= DEMO_IMPORT_BUDGET, "the demo's import keeps %d bytes (budget %d)" % (cost, DEMO_IMPORT_BUDGET)


# the long session of tools/mem.py (SOAK: 5,000 echoes of 1-2048 B, then 50 reconnects) with no
# MemoryError at all: measured 93 KiB (96-98 before ws_connect stopped loading ``request``, 111 before
# the messages moved out, 103 before rt.load), 12-16 KiB over the demo session.  The goal
# is 80 KiB; the budget holds today's figure so that more fragmentation fails here.  Then 94, but not
# at every size above it: in a checkout whose virtualenv path was longer (the port's startup strings
# move the heap's layout) 97 KiB failed 3 of 3 (a 1.9 KB frame found no block) while 94-96 and 98-102
# passed; as the stream's budget, the soak must now pass at every size from the budget to STREAM_SPAN
# KiB above it.
# Then 88 KiB (from which every size up to 12 KiB above passes): a WebSocket opened by ws_connect no
# longer keeps the HTTP modules in a short heap (see SHED_SCRIPT): its 5,000 echoes have 29 KB more
# room; the reconnects load them again.
# Then 93: at 92 one of three runs failed in one clean-clone CI run (a reconnect's request head found no
# block of 157 bytes) after this session's fixes (~100-150 bytes more on this path, IMPORT_BUDGET's last two
# notes); 92 passed 12 of 12 runs on its own.
SOAK_BUDGET_KIB = 93


def test_soak_heap_within_budget(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    for kib in range(SOAK_BUDGET_KIB, SOAK_BUDGET_KIB + STREAM_SPAN + 1):
        assert mem.session_passes(kib, None, 3, env, code=mem.SOAK), \
            "the soak fails in %d KiB (%s)" % (kib, mem.last_failure)
    assert not mem.session_passes(72, None, 1, env, code=mem.SOAK)  # and the check can fail


# A second session on each layer, with text it never saw (a query, a header value, a redirect's
# Location, WebSocket messages, a PING and a close reason of 40 CJK characters each), interns no name.
# MicroPython keeps every interned string for as long as the program runs, and it interns each
# one-character str that a loop over a str, an index into one or chr() makes: a package that read such
# text character by character kept 40 names (~1 KB) more per session here, for good, and its first
# session took a qstr pool of 7 KB more (dual_hostile_http_chars has the case in a 128K heap).
INTERN_SCRIPT = """
import os, micropython
from pumps_http import open_client, LAYERS
from pumps_ws import connect_ws
host, port = os.getenv("MHC_HTTP").rsplit(":", 1)
port = int(port)
def chars(first, n=40):
    b = bytearray()
    for cp in range(first, first + n):
        b.extend(bytes((0xE0 | cp >> 12, 0x80 | cp >> 6 & 0x3F, 0x80 | cp & 0x3F)))
    return str(b, "utf-8")
def session(layer, t):
    c = open_client(layer, host, port, timeout=10, follow_redirects=2)
    try:
        r = c.request("GET", "/echo", query={"k" + t: t}, headers={"X-Chars": t})
        assert r.status == 200 and c.call(r, "json")["query"] == [["k" + t, t]], r.body
        r = c.request("GET", "/redirect/302", query={"to": "/echo?c=" + t})
        assert r.status == 200 and c.call(r, "json")["query"] == [["c", t]], r.body
    finally:
        c.close()
    ws = connect_ws(layer, host, port, "/ws", close_timeout=2)
    ws.send(t)
    assert ws.recv(5) == t
    ws.send(t.encode())
    assert ws.recv(5) == t.encode()
    ws.ping(t.encode()[:30])
    ws.close(4001, t[:10])
first = 0x4E00
for layer in LAYERS:
    session(layer, chars(first))
    print("QSTRS", layer)
    micropython.qstr_info()
    session(layer, chars(first + 0x400))
    print("QSTRS", layer)
    micropython.qstr_info()
    first += 0x800
print("OK")
"""


def test_a_second_session_interns_no_name(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    rc, out = mem.run(INTERN_SCRIPT, env=env, path=[mem.OUT, ".frozen", os.path.join("host_tests", "dual")])
    assert rc == 0 and out.rstrip().endswith("OK"), out
    counts = {}
    layer = None
    for line in out.splitlines():
        if line.startswith("QSTRS "):
            layer = line.split()[1]
        elif line.startswith("qstr pool:"):
            n = int(line.partition("n_qstr=")[2].partition(",")[0])
            counts.setdefault(layer, []).append(n)
    assert sorted(counts) == ["aio", "blocking", "poll"], out
    grew = {k: v[1] - v[0] for k, v in counts.items() if v[1] != v[0]}
    assert not grew, "names interned by a second session (layer: count): %r" % (grew,)


# ws_connect in a short heap (free < wsconnect._ROOM once the WebSocket is open): the HTTP modules it
# loaded itself leave (sys.modules and the package), the 101 response with them; the WebSocket works,
# the next ws_connect and a Connection load them again.  Modules the application had loaded stay (a
# Connection of its own), and so do they all with room to spare.  Measured in a 96 KiB heap: 48 KB in
# use after the handshake instead of 77.
SHED_SCRIPT = """
import gc, os, sys, microhttpc
host, port = os.getenv("MHC_HTTP").rsplit(":", 1)
url = "ws://%s:%s/ws" % (host, port)
def mods():
    return ",".join(sorted(k[11:] for k in sys.modules if k[11:] in ("client", "session", "http11", "urlsplit", "handshake")))
ws = microhttpc.ws_connect(url, timeout=10)
gc.collect()
print("FIRST", mods() or "-", ws.response is None, gc.mem_alloc())
ws.send("one")
assert ws.recv() == "one"
ws.close()
ws = microhttpc.ws_connect(url, timeout=10)
ws.send("two")
assert ws.recv() == "two"
ws.close()
c = microhttpc.Connection(host, int(port), timeout=10)
assert c.request("GET", "/hello").read() == b"hello world"
ws = microhttpc.ws_connect(url, timeout=10)
print("HELD", mods() or "-", ws.response is None)
ws.close()
c.close()
print("OK")
"""


def test_ws_connect_leaves_the_http_modules_in_a_short_heap(live_servers):
    import os

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    got = {}
    # (100K: at 96K, with the test servers' environment, the third ws_connect found no 2 KB block once the
    # TLS fixes had moved the heap's layout by some 100 bytes; 97K passed, and the modules go alike
    # from 96K to 104K)
    for heap in ("100K", "1M"):
        rc, out = mem.run(SHED_SCRIPT, heap=heap, env=env)
        assert rc == 0 and out.rstrip().endswith("OK"), out
        got[heap] = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line[:5] in ("FIRST", "HELD ")}
    short, roomy = got["100K"], got["1M"]
    assert short["FIRST"][:2] == ["-", "True"], short  # gone, and the 101 with them
    assert roomy["FIRST"][:2] == ["client,handshake,http11,session,urlsplit", "False"], roomy
    assert int(short["FIRST"][2]) < int(roomy["FIRST"][2]) - 20000, got  # (about 29 KB less in use)
    for g in (short, roomy):  # the application's own Connection: its modules stay
        assert g["HELD"][0].startswith("client") and "http11,session" in g["HELD"][0] and g["HELD"][1] == "False", g


# what parsing a response head allocates (tools/mem.py's cores, fed the replies of the local server
# recorded by a plain socket; every block handed out, garbage included): measured 928 bytes for the
# 200 to GET /hello (with its 11-byte body) and 928 for the 101 (1280 while the 101's Connection
# header was still split into tokens, which a 101 never needs).  The goal: at most 1 KB.
HEAD_ALLOC_BUDGET = 1024


def test_response_head_allocates_at_most_1_kb(live_servers):
    mem.build()
    rc, out = mem.run(mem.cores_script(mem.record(live_servers.addresses["http"])))
    assert rc == 0, out
    cores = mem.parse_cores(out)
    over = {k: cores[k] for k in ("parse 200", "parse 101") if cores[k] > HEAD_ALLOC_BUDGET}
    assert not over, "a response head allocates more than %d bytes: %r" % (HEAD_ALLOC_BUDGET, over)
    assert cores["check 101"] > 0  # (the measurement counts blocks: the 101's SHA-1 check allocates)


# connections open at once in a 128 KiB heap, 20 exchanges each (tools/mem_conns.py): the largest N of
# its steps that passed 5 of 5 runs.  The budget: that N passes in 128 KiB + 4 KiB (about 1-2
# connections of margin).  Which allocation fails first depends on how the server's answers interleave,
# so a loaded machine fails more often.  With the machine busy elsewhere, when this was set: Engine
# WebSocket 8 at 128 KiB passed 20 of 20 runs, 10 at 132 KiB 5 of 5; Engine HTTP 24 at 128 KiB 10 of 10.
# Later Engine HTTP 24 at 128 KiB 0 of 3 (1344 bytes per connection), then 6 of 6 (1216: the settings a
# connection rarely changes are class attributes, so its attribute table is one size smaller).
# aio on MicroPython (one shared receive buffer, one watchdog task for the timeouts, the socket read
# and written without asyncio's Stream, a Response that is its parsed head): HTTP 16 and WebSocket 8 at
# 128 KiB passed 5 of 5 idle and 5 of 5 with both cores busy; HTTP 20 at 132 KiB fails, WebSocket 10 at
# 132 KiB passed 2 of 3.
# Then Engine HTTP 24 at 128 KiB 5 of 5 (0 of 3 before; 26 at 132 KiB 5 of 5): a parser and a
# Transaction take a 12-slot attribute table, not 17 (the 272-byte block was what found no hole); aio
# HTTP 16 at 128 KiB 5 of 5 (12 before: a connection's attribute table 17 slots, not 23, its
# ``websocket`` the class's None until an upgrade).
CONNS_BUDGET = {"Engine HTTP": 24, "Engine WebSocket": 8, "aio HTTP": 16, "aio WebSocket": 8}
CONNS_HEAP_KIB = 128 + 4
# smallest -X heapsize (KiB) that receives 10 MiB through the blocking layer; measured 80 and 64 (3 of
# 3 runs; the WebSocket 10 of 10 at 80, none at 77: 84 before ws_connect stopped loading ``request``,
# 96 and 76 before the messages moved out, 88 and 72 before rt.load).  The goals: 80 and 64.
# Then the WebSocket passed 10 of 10 at 80 but 0 of 10 at 81 (and 10 of 10 from 82): where the heap's
# holes fall decides, not only how much is free, so the budget is now every size from it to
# STREAM_SPAN KiB above it: 82 (10 of 10 from 82 up, 6 of 10 at 81; the handshake's reload no longer
# packed by rt.load, see IMPORT_BUDGET), the HTTP body 5 of 5 from 64 up.
# Then the WebSocket 64 (ws_connect lets the HTTP modules go before the WebSocket's load): budget 68.
STREAM_BUDGET = {"WebSocket message": 68, "HTTP body, readinto": 68}
STREAM_SPAN = 3


def test_connections_fit_within_budget(live_servers):
    import os

    import mem_conns

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    short = {}
    for kind, n in CONNS_BUDGET.items():
        if not mem_conns.passes(kind, n, CONNS_HEAP_KIB, env, 3):
            short[kind] = n
    assert not short, "fewer connections fit in %d KiB than the budget: %r" % (CONNS_HEAP_KIB, short)
    # and the check can fail: 64 connections of any kind do not fit in 128 KiB
    assert not mem_conns.conns_run("Engine HTTP", 64, 128, env)[0]


def test_larger_than_heap_streams_within_budget(live_servers):
    import os

    import mem_conns

    mem.build()
    env = dict(os.environ)
    env.update(live_servers.env())
    for what, budget in STREAM_BUDGET.items():
        code = mem_conns.stream_script(what)
        for kib in range(budget, budget + STREAM_SPAN + 1):
            for _ in range(2):
                rc, out = mem.run(code, "%dK" % kib, env)
                assert rc == 0 and out.rstrip().endswith("OK"), "%s: fails in %d KiB:\n%s" % (what, kib, out[-1500:])
        # far below it fails (the script does run out of memory)
        rc, out = mem.run(code, "48K", env)
        assert not out.rstrip().endswith("OK")


# what one idle round of the poll Engine allocates (garbage included, collector off): an application
# calls poll() in its main loop, so every byte here is a collection sooner.  Measured 352 bytes with one
# keep-alive connection (the connection list copied twice per round, the timer list, the poller's
# answer), then 64 (the poller's list of ready entries, which select.poll() always makes).
POLL_ROUND_BUDGET = 64

_POLL_ROUND = """
import gc
from microhttpc.poll import Engine
e = Engine(timeout=30)
c = e.connect(%r, %d)
done = []
e.request(c, "GET", "/hello", on_complete=lambda r, ok: done.append(ok))
e.run(until=lambda: done, timeout=5)
assert done == [True], done
for _ in range(10):
    e.poll(0)
gc.collect()
gc.disable()
m0 = gc.mem_alloc()
for _ in range(100):
    e.poll(0)
print("ROUND", (gc.mem_alloc() - m0) // 100, len(e._conns))
"""


def test_idle_poll_round_allocates_little(live_servers):
    mem.build()
    h, p = live_servers.addresses["http"].rsplit(":", 1)
    rc, out = mem.run(_POLL_ROUND % (h, int(p)))
    assert rc == 0 and "ROUND" in out, out
    n, conns = map(int, out.split("ROUND")[1].split())
    assert conns == 1 and n <= POLL_ROUND_BUDGET, "an idle Engine.poll(0) allocates %d bytes" % n
