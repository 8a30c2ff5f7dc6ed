"""The sans-I/O cores must not import I/O or clock modules, directly or through the package's own
modules (a CPython-side source check that follows relative imports)."""

import ast
import os

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware", "microhttpc")
CORE_MODULES = ("http11.py", "rfc6455.py", "utf8.py", "mask.py", "sha1.py", "errors.py", "request.py",
                "forms.py", "urls.py", "urlsplit.py", "hostname.py", "session.py", "wsession.py", "handshake.py",
                "rt.py", "extras.py", "jsonbody.py", "textbody.py", "wsext.py")
FORBIDDEN = {"socket", "select", "ssl", "asyncio", "uasyncio", "time", "utime", "tls", "usocket", "uselect"}


def imported_modules(path, package_modules=None):
    """Top-level module names ``path`` imports (anywhere in it, functions included).  Relative imports
    (``from . import x``, ``from .x import y``) go to ``package_modules`` when given."""
    tree = ast.parse(open(path).read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 1 and package_modules is not None:
            if node.module:
                package_modules.add(node.module.split(".")[0])
            else:
                package_modules.update(a.name for a in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value.split(".")[0])
    return names


def reached(name):
    """Every outside module ``name`` (a module of the package) imports, following the package's own
    modules transitively; returns {outside module: the package module that imports it}."""
    seen, todo, out = set(), [name[:-3] if name.endswith(".py") else name], {}
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        inner = set()
        for ext in imported_modules(os.path.join(PKG, mod + ".py"), inner):
            out.setdefault(ext, mod)
        todo.extend(m for m in inner if os.path.exists(os.path.join(PKG, m + ".py")))
    return out


def test_core_modules_import_no_io():
    for name in CORE_MODULES:
        bad = {m: via for m, via in reached(name).items() if m in FORBIDDEN}
        assert not bad, "%s reaches %s: the sans-I/O core must not" % (name, bad)


def test_transitive_check_sees_io_through_the_layers():
    # client.py reaches ssl only through net.py and tls.py; the check must see it there
    assert reached("client.py").get("ssl") == "tls"
    # websocket.py does not import time itself: it reaches it through rtio
    assert reached("websocket.py").get("time") == "rtio"


def test_checker_catches_forbidden_import(tmp_path):
    p = tmp_path / "bad.py"
    p.write_text("import os\nfrom socket import socket\nimport time as t\n")
    assert imported_modules(str(p)) & FORBIDDEN == {"socket", "time"}


def test_poll_pump_stays_thin():
    """The engine is a pump over the session (the rules live in session.py/wsession.py): its module
    stays within 600 lines, as the session issue set."""
    with open(os.path.join(PKG, "poll.py")) as f:
        n = len(f.read().splitlines())
    assert n <= 600, "poll.py has %d lines" % n


def test_the_handshake_loads_no_websocket_module():
    """ws_connect checks its 101 before the WebSocket's modules load, and in a short heap lets the HTTP
    ones go in between (wsconnect): the handshake, and the package modules it imports at their top
    level, import none of them at load.  Its copy of the WebSocket's callback names is wsession's."""
    import ast

    seen, todo = set(), ["handshake"]
    while todo:
        mod = todo.pop()
        if mod in seen:
            continue
        seen.add(mod)
        with open(os.path.join(PKG, mod + ".py")) as f:
            tree = ast.parse(f.read())
        for node in tree.body:  # (top level only: an import inside a function runs when it is called)
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module] if node.module else [a.name for a in node.names]
                todo.extend(n for n in names if os.path.exists(os.path.join(PKG, n + ".py")))
    assert not seen & {"rfc6455", "wsession", "websocket"}, sorted(seen)
    from microhttpc import handshake, wsession

    assert handshake._OPTS == wsession._OPTS


def test_modules_a_short_heap_drops_load_through_rt_load():
    """The modules that MicroPython drops in a short heap and loads again (``wsconnect._HTTP``, the
    handshake, the error-message catalog) are imported inside functions through ``rt.load`` only: it
    holds a lock while it loads, and with a plain import a thread found one half loaded, another thread
    loading it again (an AttributeError from ``upgrade()`` or ``ws_connect``)."""
    import sys

    sys.path.insert(0, os.path.dirname(PKG))
    from microhttpc.wsconnect import _HTTP

    dropped = set(_HTTP) | {"handshake"}
    plain = []
    for name in sorted(os.listdir(PKG)):
        if not name.endswith(".py") or name in ("__main__.py",):  # (the command line: one thread, run once)
            continue
        with open(os.path.join(PKG, name)) as f:
            tree = ast.parse(f.read())
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level == 1:
                    names = [node.module] if node.module else [a.name for a in node.names]
                    plain += ["%s:%d %s" % (name, node.lineno, n) for n in names if n in dropped]
                elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args \
                        and isinstance(node.args[0], ast.Constant) \
                        and str(node.args[0].value).split(".")[-1] in dropped:
                    plain.append("%s:%d __import__" % (name, node.lineno))
    assert not plain, plain
