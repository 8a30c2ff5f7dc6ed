"""The type stubs (the .pyi files next to the modules, shipped with py.typed) say what the code does.

(a) By introspection on CPython: every public function, class, method and property of each stubbed
    module has a stub and every stub has a real counterpart, with the same parameter names, kinds and
    defaults (``**kw`` that a function forwards is spelled out in the stub: the keywords of the
    function it goes to, each with its default), the same ``async``-ness, and each attribute the stub
    declares exists at run time.  A change to a signature in the code fails here until the stub
    follows.
(b) pyright on a small user program, against CPython and against the ESP32 board stubs: the
    package's names get concrete types (``reveal_type``), and mistakes are errors.
(c) pyright on every README block that runs (test_readme runs them): the README's own code, correct
    at run time, type-checks against the stubs in 'basic' mode without an error.
"""

import ast
import importlib
import importlib.util
import inspect
import json
import os
import re
import subprocess
import textwrap

import pytest

import microhttpc
from microhttpc import session, websocket, wsession

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "firmware", "microhttpc")

# tools/pyright/check.py (how pyright is found and run), by path: host_tests/dual has a check.py too.
_spec = importlib.util.spec_from_file_location(
    "pyright_check", os.path.join(ROOT, "tools", "pyright", "check.py")
)
pyright_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pyright_check)

STUB_ONLY = "_types"  # type aliases for the stubs; no such module at run time
STUBBED = sorted(
    n[:-4] for n in os.listdir(PKG) if n.endswith(".pyi") and n[:-4] not in (STUB_ONLY, "__init__")
)
DYNAMIC = object()  # a default the code computes at call time (``...`` in the stub)
# Dunder methods compared like public ones (the rest are object's business).
DUNDERS = (
    "__init__",
    "__enter__",
    "__exit__",
    "__iter__",
    "__next__",
    "__aiter__",
    "__anext__",
    "__aenter__",
    "__aexit__",
    "__getitem__",
    "__contains__",
    "__len__",
)
P = inspect.Parameter


# -- the stubs, parsed ------------------------------------------------------------------------------
class StubModule:
    def __init__(self, name):
        with open(os.path.join(PKG, name + ".pyi")) as f:
            self.tree = ast.parse(f.read())
        self.name = name
        self.functions = {}  # name -> [FunctionDef] (several: overloads)
        self.classes = {}  # name -> ClassDef
        self.variables = set()
        self.reexports = {}  # name -> (module, name) for ``from .m import x as x``
        self.all = None
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.AnnAssign):
                self.variables.add(node.target.id)
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                for a in node.names:
                    if a.asname == a.name:
                        self.reexports[a.name] = (node.module, a.name)
            elif isinstance(node, ast.Assign) and node.targets[0].id == "__all__":
                self.all = tuple(ast.literal_eval(node.value))


_stubs = {}


def stub(name):
    if name not in _stubs:
        _stubs[name] = StubModule(name)
    return _stubs[name]


def resolve_base(mod, expr):
    """The (stub module, ClassDef) a base-class expression of a stub class names, None for object."""
    if isinstance(expr, ast.Name):
        if expr.id in stub(mod).classes:
            return mod, stub(mod).classes[expr.id]
        for node in stub(mod).tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                for a in node.names:
                    if (a.asname or a.name) == expr.id:
                        return node.module, stub(node.module).classes[a.name]
        if expr.id in ("Exception", "Protocol", "ConnectionError", "ValueError"):
            return None
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        if expr.value.id == "builtins":  # errors.TimeoutError's second base on CPython
            return None
        return expr.value.id, stub(expr.value.id).classes[expr.attr]
    raise AssertionError("%s.pyi: base %s not found" % (mod, ast.dump(expr)))


def stub_members(mod, cls):
    """name -> ("def", [FunctionDef]) | ("property", FunctionDef) | ("attr", None), through the stub
    bases (nearest first)."""
    out = {}
    chain = [(mod, cls)]
    while chain:
        m, c = chain.pop(0)
        own = {}
        for node in c.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                decos = [ast.unparse(d) for d in node.decorator_list]
                if "property" in decos:
                    own[node.name] = ("property", node)
                else:
                    own.setdefault(node.name, ("def", []))[1].append(node)
            elif isinstance(node, ast.AnnAssign):
                own[node.target.id] = ("attr", None)
        for k, v in own.items():
            out.setdefault(k, v)
        for b in c.bases:
            r = resolve_base(m, b)
            if r is not None:
                chain.append(r)
    return out


def stub_params(fn):
    """[(name, kind, default)] of a stub function (defaults literal-evaluated; ``...``: DYNAMIC)."""
    a = fn.args
    out = []
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    for i, (arg, d) in enumerate(zip(pos, defaults)):
        kind = P.POSITIONAL_ONLY if i < len(a.posonlyargs) else P.POSITIONAL_OR_KEYWORD
        out.append((arg.arg, kind, default_of(d)))
    if a.vararg:
        out.append((a.vararg.arg, P.VAR_POSITIONAL, P.empty))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        out.append((arg.arg, P.KEYWORD_ONLY, default_of(d)))
    if a.kwarg:
        out.append((a.kwarg.arg, P.VAR_KEYWORD, P.empty))
    return out


def default_of(node):
    if node is None:
        return P.empty
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return DYNAMIC
    return ast.literal_eval(node)


# -- the code, introspected ---------------------------------------------------------------------------
def real_params(fn):
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def defaults_from_source(cls, method, var):
    """{key: default} of the ``var.get("key"[, default])`` calls in ``cls.method``'s source (DYNAMIC
    for a default that is not a literal): keywords a function takes out of a dict."""
    out = {}
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, method))))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == var
            and isinstance(node.args[0], ast.Constant)
        ):
            if len(node.args) > 1:
                try:
                    d = ast.literal_eval(node.args[1])
                except ValueError:
                    d = DYNAMIC
            else:
                d = None
            out[node.args[0].value] = d
    return out


def kw_of(fn, drop=()):
    """{name: default} of the parameters of ``fn`` that can be given by keyword, less ``drop``."""
    return {
        n: d
        for n, k, d in real_params(fn)
        if k in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY) and n not in drop and n not in ("self", "cls")
    }


def merge(*dicts):
    out = {}
    for d in dicts:
        for k, v in d.items():
            assert out.get(k, v) == v, "two defaults for %r: %r, %r" % (k, out[k], v)
            out[k] = v
    return out


def ws_keywords_blocking():
    # Connection.upgrade(**ws_options): make_protocol's keywords, then the WebSocket's (the ones
    # upgrade() does not fill itself); ``timeout`` defaults to the connection's.
    kw = merge(
        kw_of(wsession.make_protocol),
        kw_of(
            websocket.WebSocket.__init__,
            ("stream", "protocol", "leftover", "subprotocol", "response", "buffer"),
        ),
    )
    kw["timeout"] = DYNAMIC
    return kw


def keepalive_keywords():
    # ping_interval / ping_timeout: the aio and poll WebSockets hand their options to keepalive._setup.
    from microhttpc import keepalive

    return defaults_from_source(keepalive, "_setup", "kw")


def ws_keywords_aio():
    # aio: make_protocol's keywords, the callbacks WSCore takes from the options (wsession._OPTS) and
    # the ones aiows.WebSocket reads with opts.get().
    from microhttpc import aiows

    return merge(
        kw_of(wsession.make_protocol),
        {k: None for k in wsession._OPTS},
        defaults_from_source(aiows.WebSocket, "__init__", "opts"),
        keepalive_keywords(),
    )


def ws_keywords_poll():
    # pollws.upgrade accepts exactly handshake's _OPTS + _SETTINGS and on_open (anything else is a
    # UsageError); defaults from make_protocol, else from the kw.get() calls of pollws.WebSocket.
    from microhttpc import handshake, pollws

    names = set(handshake._OPTS) | set(handshake._SETTINGS) | {"on_open"}
    known = merge(
        kw_of(wsession.make_protocol),
        defaults_from_source(pollws.WebSocket, "__init__", "kw"),
        keepalive_keywords(),
    )
    return {n: known.get(n) for n in names}


def _pyright(tmp_path, cfg):
    """pyright's JSON report on ``tmp_path`` with the configuration ``cfg``."""
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(cfg))
    proc = subprocess.run(
        [pyright_check.tool("pyright"), "-p", str(tmp_path / "pyrightconfig.json"), "--outputjson"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=120,
        cwd=str(tmp_path),
    )
    return json.loads(proc.stdout.decode())


def forwarded(mod, qual):
    """What the ``*args``/``**kw`` of ``mod.qual`` take: ("all", fn) for ``*args, **kw`` passed on whole
    to ``fn``; ("kw", {name: default}) for keywords."""
    from microhttpc import aio, client, request, wsconnect

    if (mod, qual) == ("poll", "reconnect"):
        # poll.reconnect(engine, target, **kw) -> PollReconnect: its own keywords (kw.pop), the
        # connect() keywords it picks out, the rest to Engine.upgrade(conn, path, **kw).
        from microhttpc import backoff, poll

        kw = defaults_from_source(backoff.PollReconnect, "__init__", "kw")
        conn = kw_of(poll.Engine.connect)
        kw.update({k: conn[k] for k in backoff.PollReconnect.CONNECT_KW})
        kw.update(forwarded("poll", "Engine.upgrade")[1])
        kw.update(kw_of(importlib.import_module("microhttpc.pollws").upgrade, ("engine", "conn", "path")))
        return "kw", kw
    if qual == "reconnect":  # reconnect(target, ..., **kw) -> ws_connect(target, **kw) of the layer
        if mod == "backoff":
            return "kw", expanded_kw("wsconnect", "ws_connect", wsconnect.ws_connect)
        from microhttpc import backoff

        kw = kw_of(backoff.reconnect, ("target", "aio"))
        kw.update(expanded_kw("aio", "ws_connect", aio.ws_connect))
        return "kw", kw
    init = session.Session.__init__
    table = {
        ("client", "Connection.__init__"): ("all", init),
        ("aio", "Connection.__init__"): ("all", init),
        ("poll", "Conn.__init__"): ("all", init),
        ("aio", "Connection.open"): ("kw", kw_of(init)),
        ("client", "Connection.request"): ("kw", kw_of(request.Request.__init__)),
        ("aio", "Connection.request"): ("kw", kw_of(request.Request.__init__)),
        ("poll", "Engine.request"): ("kw", kw_of(request.Request.__init__)),
        ("client", "Connection.upgrade"): ("kw", ws_keywords_blocking()),
        ("websocket", "WebSocket.__init__"): ("kw", {}),  # (**kw: only to refuse an unknown keyword)
        ("request", "Request.__init__"): ("kw", {}),  # (the same)
        ("session", "Session.__init__"): ("kw", {}),  # (the same)
        ("poll", "Engine.connect"): ("kw", {}),  # (to Conn, whose Session refuses it)
        ("poll", "Engine.__init__"): ("kw", {}),  # (only to refuse an unknown keyword)
        # ws_connect(**ws_options) -> Connection.upgrade(target, ..., **ws_options)
        ("wsconnect", "ws_connect"): (
            "kw",
            merge(kw_of(client.Connection.upgrade, ("path",)), ws_keywords_blocking()),
        ),
        ("aio", "Connection.upgrade"): ("kw", ws_keywords_aio()),
        ("aio", "ws_connect"): ("kw", merge(kw_of(aio.Connection.upgrade, ("path",)), ws_keywords_aio())),
        ("pollws", "upgrade"): ("kw", ws_keywords_poll()),
        ("poll", "Engine.upgrade"): (
            "kw",
            merge(
                kw_of(importlib.import_module("microhttpc.pollws").upgrade, ("engine", "conn", "path")),
                ws_keywords_poll(),
            ),
        ),
    }
    assert (mod, qual) in table, "%s.%s takes *args/**kw: say in test_types.forwarded() where they go" % (
        mod,
        qual,
    )
    return table[(mod, qual)]


def expanded_kw(mod, qual, fn):
    """{name: default} of every keyword ``mod.qual`` takes, its forwarded ``**kw`` expanded."""
    fixed = [p for p in real_params(fn) if p[1] not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    out = dict(forwarded(mod, qual)[1])
    out.update({n: d for n, k, d in fixed[1:]})
    return out


def expected_params(mod, qual, fn, stubbed):
    """The real signature of ``fn`` as the stub must spell it: ``*args``/``**kw`` that the function
    forwards expanded (those the stub keeps as such, like ``__exit__(*exc)``, stay)."""
    params = real_params(fn)
    var = [p[:2] for p in params if p[1] in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    if not var or var == [p[:2] for p in stubbed if p[1] in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]:
        return params
    how, target = forwarded(mod, qual)
    fixed = [p for p in params if p[1] not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)]
    if how == "all":
        return fixed + [p for p in real_params(target) if p[0] != "self" and p[1] != P.VAR_KEYWORD]
    have = {p[0] for p in fixed}
    return fixed + [(n, P.KEYWORD_ONLY, d) for n, d in target.items() if n not in have]


def same_default(a, b):
    # (``...`` in the code too: a sentinel no caller can pass as a value, WebSocket.recv's timeout)
    return a is b or (type(a) is type(b) and a == b) or (a is Ellipsis and b is DYNAMIC)


def check_signature(where, mod, qual, fn, defs):
    """The stub's ``defs`` (one function, or overloads) against the code's ``fn``."""
    if len(defs) == 1:
        stubbed = stub_params(defs[0])
        return compare(where, expected_params(mod, qual, fn, stubbed), stubbed)
    # Overloads: each one is the code's signature with some trailing parameters that have defaults
    # left out, and together they use every parameter.
    real = real_params(fn)
    used = 0
    for d in defs:
        sp = stub_params(d)
        assert [p[:2] for p in sp] == [p[:2] for p in real[: len(sp)]], "%s: overload %s" % (
            where,
            ast.unparse(d),
        )
        assert all(p[2] is not P.empty for p in real[len(sp) :]), (
            "%s: overload %s leaves out a required parameter" % (where, ast.unparse(d))
        )
        used = max(used, len(sp))
    assert used == len(real), "%s: no overload takes every parameter of the code" % where


def compare(where, real, stubbed):
    """Positional parameters in order, keyword-only ones as a set; names, kinds and defaults."""

    def split(ps):
        return [p for p in ps if p[1] != P.KEYWORD_ONLY], {p[0]: p for p in ps if p[1] == P.KEYWORD_ONLY}

    rp, rk = split(real)
    sp, sk = split(stubbed)
    assert [p[:2] for p in sp] == [p[:2] for p in rp], "%s: positional parameters\n  code: %s\n  stub: %s" % (
        where,
        [p[:2] for p in rp],
        [p[:2] for p in sp],
    )
    assert sorted(sk) == sorted(rk), (
        "%s: keyword-only parameters\n  only in the code: %s\n  only in the stub: %s"
        % (where, sorted(set(rk) - set(sk)), sorted(set(sk) - set(rk)))
    )
    for r, s in list(zip(rp, sp)) + [(rk[n], sk[n]) for n in rk]:
        assert same_default(r[2], s[2]), "%s: default of %r: code %r, stub %r" % (where, r[0], r[2], s[2])


def public(name):
    return not name.startswith("_") or name in DUNDERS


def real_members(cls):
    """name -> the attribute as defined (function, property, classmethod) for the package's classes in
    the MRO of ``cls``; and the set of instance attributes their methods assign (``self.x = ...``)."""
    members, attrs = {}, set()
    for c in cls.__mro__:
        if not c.__module__.startswith("microhttpc"):
            continue
        for k, v in vars(c).items():
            if public(k):
                members.setdefault(k, v)
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(c)))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for t in targets:
                for e in t.elts if isinstance(t, ast.Tuple) else [t]:
                    if (
                        isinstance(e, ast.Attribute)
                        and isinstance(e.value, ast.Name)
                        and e.value.id == "self"
                    ):
                        attrs.add(e.attr)
            # WSCore._setup: ``for name in _OPTS: setattr(self, name, ...)``
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr":
                attrs.update(wsession._OPTS)
    return members, attrs


def is_method(v):
    return inspect.isfunction(v) or isinstance(v, (classmethod, staticmethod))


def defined_here(mod):
    return {
        k: v
        for k, v in vars(mod).items()
        if not k.startswith("_")
        and (inspect.isfunction(v) or inspect.isclass(v))
        and v.__module__ == mod.__name__
    }


@pytest.mark.parametrize("name", STUBBED)
def test_stub_matches_the_module(name):
    mod = importlib.import_module("microhttpc." + name)
    st = stub(name)
    real = defined_here(mod)
    stubbed = {k for k in list(st.functions) + list(st.classes) if not k.startswith("_")}
    for k in stubbed - set(real):
        # names a module loads on first use through its __getattr__ (errors -> errors2, request ->
        # bodies) count as its own
        v = getattr(mod, k, None)
        if (inspect.isfunction(v) or inspect.isclass(v)) and v.__module__.startswith("microhttpc."):
            real[k] = v
    assert sorted(stubbed) == sorted(real), (
        "%s: public functions and classes\n  only in the code: %s\n  only in the stub: %s"
        % (name, sorted(set(real) - stubbed), sorted(stubbed - set(real)))
    )
    assert st.all == getattr(mod, "__all__", None), "%s: __all__" % name
    for v in st.variables:
        assert v.startswith("_") or hasattr(mod, v), "%s.pyi declares %s, the module has none" % (name, v)
    for k in st.reexports:
        assert hasattr(mod, k), "%s.pyi re-exports %s, the module has none" % (name, k)
    for fname, defs in st.functions.items():
        if fname.startswith("_"):
            continue
        fn = real[fname]
        assert isinstance(defs[-1], ast.AsyncFunctionDef) == inspect.iscoroutinefunction(fn), (
            "%s.%s: async" % (name, fname)
        )
        check_signature("%s.%s" % (name, fname), name, fname, fn, defs)
    for cname, cdef in st.classes.items():
        if cname.startswith("_"):
            continue
        check_class(name, cname, real[cname], stub_members(name, cdef))


def check_class(mod, cname, cls, members):
    real, attrs = real_members(cls)
    where = "%s.%s" % (mod, cname)
    callables = {k for k, v in real.items() if is_method(v) or isinstance(v, property)}
    stub_callables = {k for k, (kind, _) in members.items() if kind != "attr" and public(k)}
    assert sorted(stub_callables) == sorted(callables), (
        "%s: methods and properties\n  only in the code: %s\n  only in the stub: %s"
        % (where, sorted(callables - stub_callables), sorted(stub_callables - callables))
    )
    for k in sorted(callables):
        v = real[k]
        kind, node = members[k]
        if isinstance(v, property):
            assert kind == "property", "%s.%s is a property in the code" % (where, k)
            continue
        assert kind == "def", "%s.%s is a method in the code" % (where, k)
        fn = v.__func__ if isinstance(v, (classmethod, staticmethod)) else v
        decos = {ast.unparse(d) for d in node[-1].decorator_list}
        assert ("classmethod" in decos) == isinstance(v, classmethod), "%s.%s: classmethod" % (where, k)
        assert isinstance(node[-1], ast.AsyncFunctionDef) == inspect.iscoroutinefunction(fn), (
            "%s.%s: async" % (where, k)
        )
        check_signature("%s.%s" % (where, k), mod, "%s.%s" % (cname, k), fn, node)
    for k, (kind, _) in members.items():
        if kind == "attr":
            assert hasattr(cls, k) or k in attrs, "%s.pyi declares %s.%s, the code never sets it" % (
                mod,
                cname,
                k,
            )


def lazy_names():
    """The package's table of names loaded on first use: {name: module}."""
    table, names = {}, []
    for word in microhttpc._LAZY.split():
        if word.startswith(":"):
            table.update((n, word[1:]) for n in names)
            names = []
        else:
            names.append(word)
    assert not names, "names without a module at the end of microhttpc._LAZY: %r" % names
    return table


def test_package_reexports_every_lazy_name():
    st = stub("__init__")
    lazy = lazy_names()
    for name, mod in lazy.items():
        assert st.reexports.get(name) == (mod, name), "__init__.pyi must re-export %s from .%s" % (name, mod)
        assert getattr(microhttpc, name) is getattr(importlib.import_module("microhttpc." + mod), name)
    errors = importlib.import_module("microhttpc.errors")
    for name, (mod, _) in st.reexports.items():
        if mod is None:  # ``from . import forms as forms``: a submodule, loaded on first use
            assert getattr(microhttpc, name) is importlib.import_module("microhttpc." + name)
        elif mod == "errors":  # the error classes: found in ``errors`` (not in the table)
            assert name not in lazy and getattr(microhttpc, name) is getattr(errors, name)
        else:
            assert lazy.get(name) == mod, "__init__.pyi re-exports %s, which the package does not offer" % name
    for name in ("nonexistent", "Nonexistent", "get post", ":api", "", "message", "MICROPYTHON"):
        try:
            getattr(microhttpc, name)
        except AttributeError:
            pass
        else:
            raise AssertionError("microhttpc.%s should raise AttributeError" % name)
    assert "__version__" in st.variables
    # The stubs cover the lazy names' modules, and the whole wheel carries them (pyproject package-data).
    assert set(lazy.values()) <= set(STUBBED)
    assert os.path.isfile(os.path.join(PKG, "py.typed"))
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        assert re.search(r'^microhttpc = \[.*"py\.typed".*"\*\.pyi".*\]', f.read(), re.M)


# -- (b) what a user's type checker sees -------------------------------------------------------------
USER = """\
import array

import microhttpc
from microhttpc import Connection, Engine, HandshakeError, Request, aio, forms, ws_connect
from microhttpc.poll import Conn

reveal_type(microhttpc.Connection)  # expect: type[Connection]
with Connection("example.com", 443, tls=True, timeout=5) as conn:
    reveal_type(conn)  # expect: Connection
    r = conn.request("GET", "/", headers={"Accept": "text/html"}, query=[("q", 1)])
    reveal_type(r)  # expect: Response
    reveal_type(r.status)  # expect: int
    reveal_type(r.reason)  # expect: str
    reveal_type(r.headers.get("content-type"))  # expect: str | None
    reveal_type(r.read())  # expect: bytes
    reveal_type(conn.send(Request("POST", "/f", form=[("f", forms.File(b"x", "a.txt"))])))  # expect: Response
    ws = conn.upgrade("/ws", subprotocols=["chat"], on_close=lambda code, reason: None)
    reveal_type(ws)  # expect: WebSocket
    reveal_type(ws.recv())  # expect: str | bytes
    reveal_type(ws.close_code)  # expect: int | None
    ws.send("hi")
    ws.close(None)  # (a Close frame without a code: allowed)
    r.status_code  # error: reportAttributeAccessIssue
    ws.sendd("x")  # error: reportAttributeAccessIssue
    ws.timeout = 5.0  # error: reportAttributeAccessIssue
    conn.request("PUT", "/a", body=array.array("h", [1, 2]))  # (an array: a copy of its bytes, README)
    reveal_type(r.readinto(array.array("B", bytes(8))))  # expect: int
    req = Request("GET", "/")
    req.method = "get"  # error: reportAttributeAccessIssue
    req.deadline = 5.0  # error: reportAttributeAccessIssue
Connection("h", timout=5)  # error: reportCallIssue
reveal_type(microhttpc.get("http://h/", timeout=5, query={"q": 1}))  # expect: Response
microhttpc.get("http://h/", timout=5)  # error: reportCallIssue
microhttpc.post("http://h/", params={"q": 1})  # error: reportCallIssue
ws_connect("ws://h/", max_mesage=10)  # error: reportCallIssue
try:
    ws_connect("ws://h/", timeout=3, max_message=1024)
except HandshakeError as e:
    # the Response of the layer that raised it (client, aio or poll: errors.pyi), never None
    reveal_type(e.response)  # expect: microhttpc.client.Response | microhttpc.aio.Response | microhttpc.poll.Response
    reveal_type(e.response.status)  # expect: int
    reveal_type(e.response.read())  # expect: bytes | CoroutineType[Any, Any, bytes]
except microhttpc.ConnectionClosed as e:
    reveal_type(e.cause)  # expect: HTTPCError | None


def connected(c: Conn) -> None:
    reveal_type(c.state_name)  # expect: str


eng = Engine()
c = eng.connect("h", 80, on_connect=connected)
reveal_type(eng.request(c, "GET", "/", on_complete=lambda resp, ok: None))  # expect: Transaction
reveal_type(eng.upgrade(c, "/ws", on_msg=print))  # expect: WebSocket
eng.connect("h", on_connect=lambda: None)  # error: reportArgumentType


async def main() -> None:
    ac = await aio.Connection.open("h", 80, timeout=3)
    ar = await ac.request("GET", "/")
    reveal_type(ar)  # expect: Response
    reveal_type(await ar.read())  # expect: bytes
    await aio.get("http://h/", allow_redirects=False)  # error: reportCallIssue
    aws = await ac.upgrade("/ws")
    reveal_type(await aws.recv())  # expect: str | bytes
    async for m in aws:
        reveal_type(m)  # expect: str | bytes
"""


# (ids not ending in [cpython]: that suffix marks the two-runtime firmware tests in the summary)
@pytest.mark.parametrize("runtime", ["cpython", "esp32"], ids=["cpython-typeshed", "esp32-stubs"])
def test_pyright_gives_a_user_concrete_types_and_errors(runtime, tmp_path):
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "app.py").write_text(USER)
    cfg = {
        "include": ["user"],
        "extraPaths": [os.path.join(ROOT, "firmware")],
        "pythonVersion": "3.8",
        "typeCheckingMode": "basic",
    }
    if runtime != "cpython":  # as in an editor with micropython-esp32-stubs
        stubs = pyright_check.ensure_stubs(runtime)
        pyright_check.ensure_empty_venv()
        cfg.update(
            typeshedPath=stubs, stubPath=stubs, venvPath=os.path.join(ROOT, "build"), venv="pyright-venv"
        )
    report = _pyright(tmp_path, cfg)
    got = {}
    for d in report["generalDiagnostics"]:
        got.setdefault(d["range"]["start"]["line"] + 1, []).append(d)
    print(
        "\n".join(
            "%d: %s %s (%s)" % (n, d["severity"], d["message"].splitlines()[0], d.get("rule"))
            for n in sorted(got)
            for d in got[n]
        )
    )
    for n, line in enumerate(USER.splitlines(), 1):
        here = got.pop(n, [])
        if "# expect: " in line:
            want = line.split("# expect: ")[1]
            assert [d["message"].rsplit(" is ", 1)[1] for d in here] == ['"%s"' % want], (n, line, here)
        elif "# error: " in line:
            rule = line.split("# error: ")[1]
            assert [(d["severity"], d.get("rule")) for d in here] == [("error", rule)], (n, line, here)
        else:
            assert not here, (n, line, here)
    assert not got, got


# -- (c) the README's own code -----------------------------------------------------------------------
@pytest.mark.parametrize("runtime", ["cpython", "esp32"], ids=["cpython-typeshed", "esp32-stubs"])
def test_pyright_passes_the_readme_blocks(runtime, tmp_path):
    # The blocks test_readme runs (``no-run`` ones aside: a board's hardware, a remote server), each a
    # file, checked in one pyright run as a user's editor would check them: CPython's typeshed, or the
    # ESP32 board's stubs (they gave io.BytesIO no methods: a body of one was an error there), basic
    # mode.  The README says correct code type-checks against the stubs; its own examples are the
    # first such code, and they run (test_readme), so every error here is the stubs' or the README's.
    from test_readme import blocks

    (tmp_path / "readme").mkdir()
    starts = {}
    for line, words, code in blocks():
        if "no-run" not in words:
            name = "line%d.py" % line
            starts[name] = line
            (tmp_path / "readme" / name).write_text(code, encoding="utf-8")
    cfg = {
        "include": ["readme"],
        "extraPaths": [os.path.join(ROOT, "firmware")],
        "pythonVersion": "3.8",
        "typeCheckingMode": "basic",
    }
    if runtime != "cpython":
        stubs = pyright_check.ensure_stubs(runtime)
        pyright_check.ensure_empty_venv()
        cfg.update(
            typeshedPath=stubs, stubPath=stubs, venvPath=os.path.join(ROOT, "build"), venv="pyright-venv"
        )
    report = _pyright(tmp_path, cfg)
    assert report["summary"]["filesAnalyzed"] == len(starts) >= 10, (report["summary"], sorted(starts))
    errors = [
        # README.md's line: the block's code starts on the line after its fence
        "README.md:%d: %s (%s)"
        % (
            starts[os.path.basename(d["file"])] + d["range"]["start"]["line"] + 1,
            d["message"].splitlines()[0],
            d.get("rule"),
        )
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert not errors, "\n".join(errors)
