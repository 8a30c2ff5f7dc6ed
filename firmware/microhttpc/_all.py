"""``from microhttpc import *``: the package's ``__all__``, made when asked (a table kept in the
package would cost every board its heap)."""


def names(lazy):
    """The names of the package's lazy table ``lazy`` and every error class, each loaded here; not
    TimeoutError where the runtime has a builtin of that name (CPython: a star import would hide it;
    MicroPython has none, and ``except TimeoutError:`` after a star import was a NameError there)."""
    import builtins

    from . import errors, errors2, extras, jsonbody

    skip = "TimeoutError" if hasattr(builtins, "TimeoutError") else ""
    value = [n for n in lazy.split() if n[0] != ":"]
    # (ConnectionClosed: errors2's __getattr__ has it)
    for n in dir(errors) + dir(errors2) + dir(extras) + dir(jsonbody) + ["ConnectionClosed"]:
        c = getattr(errors, n, None)
        if isinstance(c, type) and issubclass(c, errors.HTTPCError) and n != skip and n not in value:
            value.append(n)
    return value
