"""Server faults of the scripted raw WebSocket server (tools/servers.py RAW_SCRIPTS): (path, the close
code RFC 6455 section 7.4.1 names, a word the error must carry).  Shared by dual_ws_faults and
dual_hostile_ws_faults."""

FAULTS = (
    ("/masked", 1002, "masked"),
    ("/rsv", 1002, "reserved"),
    ("/opcode3", 1002, "opcode"),
    ("/opcodeB", 1002, "opcode"),
    ("/bigping", 1002, "125"),
    ("/fragping", 1002, "fragmented control"),
    ("/cont", 1002, "continuation"),
    ("/newdata", 1002, "inside a fragmented"),
    ("/closecode", 1002, "999"),
    ("/close1005", 1002, "1005"),
    ("/close1", 1002, "1-byte"),
    ("/badreason", 1007, "UTF-8"),
    # A valid start, then a byte that cannot continue the sequence begun in the previous fragment; the
    # message never ends, so only incremental checking notices.
    ("/badutf8", 1007, "UTF-8"),
    ("/oversize", 1009, "limit"),
    ("/len63", 1002, "64-bit"),
)
