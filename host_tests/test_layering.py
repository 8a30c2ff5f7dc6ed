"""The sans-I/O cores must not import I/O or clock modules (a CPython-side source check)."""

import ast
import os

PKG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware", "microhttpc")
CORE_MODULES = ("http11.py", "rfc6455.py", "utf8.py", "mask.py", "sha1.py", "errors.py", "request.py",
                "forms.py", "urls.py")
FORBIDDEN = {"socket", "select", "ssl", "asyncio", "uasyncio", "time", "utime", "tls", "usocket", "uselect"}


def imported_modules(path):
    tree = ast.parse(open(path).read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value.split(".")[0])
    return names


def test_core_modules_import_no_io():
    for name in CORE_MODULES:
        bad = imported_modules(os.path.join(PKG, name)) & FORBIDDEN
        assert not bad, "%s imports %s: the sans-I/O core must not" % (name, sorted(bad))


def test_checker_catches_forbidden_import(tmp_path):
    p = tmp_path / "bad.py"
    p.write_text("import os\nfrom socket import socket\nimport time as t\n")
    assert imported_modules(str(p)) & FORBIDDEN == {"socket", "time"}
