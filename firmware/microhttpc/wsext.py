"""Sec-WebSocket-Extensions lists (RFC 6455 section 9.1): the names a raw request header offers and
the check of a 101's answer against the offers (section 4.1, client requirement 5).  A module of its
own, loaded only when a request header offers extensions or a 101 names some: an upgrade without them
(the usual one: none is implemented here) does not load this code.
"""

from . import errors


def split(values, response=False, offered=None):
    """The extensions of the header ``values``, each as sent but for the spaces around it: a parameter's
    quoted string may hold a comma (``x; a="1,2"`` is one; split at every comma it was two, and the
    handshake failed), and its case is kept (it was lower-cased).  A quote not ended: UsageError for an
    offer (``response`` False), HandshakeError for a 101 (carrying ``response``).  With ``offered``
    (the names offered), a 101's: each must be one of them, at most once per offer (one named twice
    was taken, once per offer), else HandshakeError.  (One function: each name a module brings stays
    in a board's heap for good once it is loaded, the handshake's included.)"""
    out = []
    for v in values:
        t = ""
        for piece in v.split(","):
            t += piece
            if t.replace("\\\\", "").replace('\\"', "").count('"') % 2:
                t += ","  # (inside a quoted string: its comma)
                continue
            t = t.strip(" \t")
            if t:
                out.append(t)
            t = ""
        if t:
            if response is False:
                raise errors.UsageError("invalid Sec-WebSocket-Extensions %r: a quote is not ended" % (v,))
            raise errors.HandshakeError("malformed Sec-WebSocket-Extensions (a quote is not ended): %r"
                                        % (v,), response)
    if offered is not None:
        offered = [e.split(";")[0].strip(" \t").encode().lower() for e in offered]
        for e in out:
            n = e.split(";")[0].strip(" \t").encode().lower()  # (bytes: ASCII letters only: CPython's str.lower()
            if n not in offered:  # made the Kelvin sign a "k")
                raise errors.HandshakeError("server chose extension %r that was not offered (or twice)" % (e,),
                                            response)
            offered = [o for o in offered if o != n]
    return out
