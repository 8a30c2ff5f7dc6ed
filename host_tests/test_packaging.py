"""Packaging for boards: package.json (mip) lists every module, one version number everywhere, the
freeze manifests point at the package, and mpy-cross compiles every module for each board's CPU."""

import ast
import json
import os
import re
import sys

import build_mpy
import deploy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "firmware", "microhttpc")
BOARDS = ("esp32", "rp2-pico-w", "unix")
MARCHES = ("xtensawin", "armv6m", "armv7emsp")  # ESP32/S3, RP2040 (Pico W), RP2350 (Pico 2 W)


def modules():
    return sorted(n for n in os.listdir(PKG) if n.endswith(".py"))


def test_package_json_lists_exactly_the_package_modules():
    with open(os.path.join(ROOT, "package.json")) as f:
        doc = json.load(f)
    urls = doc["urls"]
    listed = sorted(dest.split("/", 1)[1] for dest, _ in urls)
    hint = "package.json is out of date: run `.venv/bin/python tools/deploy.py --write-package-json`"
    board = [n for n in modules() if n not in deploy.CPYTHON_ONLY]  # (MicroPython never imports those)
    assert listed == board, "%s\n listed: %s\n on disk: %s" % (hint, listed, board)
    for dest, src in urls:
        # Installed as lib/microhttpc/<file>; fetched from the repository path, relative to package.json,
        # which works for github:owner/repo and for a local checkout alike.
        assert dest.startswith("microhttpc/"), dest
        assert src == "firmware/" + dest, (dest, src)
        assert os.path.isfile(os.path.join(ROOT, src)), src
    assert doc.get("deps", []) == []  # the package is dependency-free
    assert doc == json.loads(deploy.package_json()), hint


def read_versions():
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        pyproject = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    with open(os.path.join(PKG, "__init__.py")) as f:
        init = re.search(r'^__version__\s*=\s*"([^"]+)"', f.read(), re.M).group(1)
    with open(os.path.join(ROOT, "package.json")) as f:
        pkg = json.load(f)["version"]
    manifests = {b: manifest_calls(b)["metadata"][0]["version"] for b in BOARDS}
    return pyproject, init, pkg, manifests


def test_one_version_everywhere():
    pyproject, init, pkg, manifests = read_versions()
    assert re.match(r"^\d+\.\d+\.\d+", pyproject), pyproject
    assert init == pyproject, "firmware/microhttpc/__init__.py __version__ %s != pyproject.toml %s" % (init, pyproject)
    assert pkg == pyproject, "package.json version %s != pyproject.toml %s" % (pkg, pyproject)
    for board, v in manifests.items():
        assert v == pyproject, "boards/%s/manifest.py version %s != pyproject.toml %s" % (board, v, pyproject)


def manifest_calls(board):
    """Run boards/<board>/manifest.py with the manifest functions of MicroPython's tools/manifestfile.py
    recorded instead of executed; paths resolved relative to the manifest, as that tool does."""
    path = os.path.join(ROOT, "boards", board, "manifest.py")
    base = os.path.dirname(path)
    calls = {"include": [], "metadata": [], "package": [], "module": [], "require": [], "freeze": [], "order": []}

    def rec(kind):
        def f(*args, **kw):
            calls["order"].append(kind)
            calls[kind].append(dict(kw, args=args))
        return f

    def package(name, files=None, base_path=".", opt=None):
        calls["order"].append("package")
        calls["package"].append({"name": name, "dir": os.path.normpath(os.path.join(base, base_path, name))})

    def module(name, base_path=".", opt=None):
        calls["order"].append("module")
        calls["module"].append({"path": os.path.normpath(os.path.join(base, base_path, name))})

    def metadata(description=None, version=None, license=None, author=None):
        calls["order"].append("metadata")
        calls["metadata"].append({"version": version, "description": description, "license": license})

    ns = {"include": rec("include"), "require": rec("require"), "freeze": rec("freeze"), "package": package,
          "module": module, "metadata": metadata, "options": None}
    with open(path) as f:
        exec(compile(f.read(), path, "exec"), ns)
    return calls


def test_manifests_freeze_the_package():
    for board in BOARDS:
        calls = manifest_calls(board)
        assert [p["name"] for p in calls["package"]] == ["microhttpc"], (board, calls)
        assert calls["package"][0]["dir"] == PKG, (board, calls["package"])
        assert len(calls["metadata"]) == 1, board
        # MicroPython's manifestfile.py (compile and pyproject modes) wants metadata() before any
        # include/require/package: "metadata() must be the first command in a manifest file".
        assert calls["order"][0] == "metadata", (board, calls["order"])
        assert calls["metadata"][0]["license"] == "MIT" and calls["metadata"][0]["description"], board
        # Each manifest keeps the port's or board's own frozen modules.
        includes = [c["args"][0] for c in calls["include"]]
        assert len(includes) == 1 and includes[0].startswith("$("), (board, includes)
        for m in calls["module"]:
            assert os.path.isfile(m["path"]), (board, m)


def test_boards_have_example_template_notes():
    for board in BOARDS:
        d = os.path.join(ROOT, "boards", board)
        for name in ("main.py", "config_template.py", "manifest.py", "NOTES.md"):
            assert os.path.isfile(os.path.join(d, name)), (board, name)
        ns = {}
        with open(os.path.join(d, "config_template.py")) as f:
            exec(f.read(), ns)
        assert isinstance(ns["SERVER"], str) and ":" in ns["SERVER"]
        if board != "unix":
            assert ns["WIFI_TIMEOUT"] > 0 and ns["WIFI_RETRIES"] > 0
    with open(os.path.join(ROOT, ".gitignore")) as f:
        assert "boards/*/config.py" in f.read().split("\n")  # the Wi-Fi password never gets committed


def test_mpy_cross_compiles_every_module_for_each_board(tmp_path, capsys):
    table = []
    for march in MARCHES:
        sizes = build_mpy.build(str(tmp_path / march), march, quiet=True)
        names = sorted(n for n, _ in sizes)
        catalogs = [n for n in names if re.match(r"_t[0-9]+\.mpy$", n)]  # the error texts (move_messages)
        assert catalogs and [n for n in names if n not in catalogs] == [m[:-3] + ".mpy" for m in modules()], (
            march, names)
        for name, size in sizes:
            with open(str(tmp_path / march / "microhttpc" / name), "rb") as f:
                head = f.read(4)
            assert head[:1] == b"M" and head[1] == 6, (march, name, head)  # .mpy format version 6
            assert size == os.path.getsize(str(tmp_path / march / "microhttpc" / name))
        table.append((march, dict(sizes)))
    with capsys.disabled():  # the sizes, for the log (pytest -s, or CI's output)
        sys.stdout.write("\n.mpy sizes in bytes:\n  %-16s" % "" + "".join("%11s" % m for m, _ in table) + "\n")
        for name in sorted(table[0][1]):
            sys.stdout.write("  %-16s" % name + "".join("%11d" % s[name] for _, s in table) + "\n")
        sys.stdout.write("  %-16s" % "total" + "".join("%11d" % sum(s.values()) for _, s in table) + "\n")


def test_pyproject_metadata_and_script():
    import importlib
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert set(project["urls"]) >= {"Homepage", "Documentation", "Source", "Issues"}, project["urls"]
    assert all(u.startswith("https://") for u in project["urls"].values()), project["urls"]
    assert "Programming Language :: Python :: Implementation :: MicroPython" in project["classifiers"]
    # PEP 639: the licence is the SPDX expression; setuptools refuses a License classifier next to it.
    assert project["license"] == "MIT" and not any(c.startswith("License ::") for c in project["classifiers"])
    assert project["keywords"]
    for target in project["scripts"].values():  # each console script names a function that exists
        mod, _, fn = target.partition(":")
        assert callable(getattr(importlib.import_module(mod), fn)), target


def test_build_moves_every_raised_message_into_the_catalogs():
    sources = {}
    for name in modules():
        with open(os.path.join(PKG, name), encoding="utf-8") as f:
            sources[name] = f.read()
    compiled, texts = build_mpy.move_messages(sources)
    assert len(texts) > 100 and len(set(texts)) == len(texts)
    calls = 0
    for name, src in compiled.items():
        assert src.count("\n") == sources[name].count("\n"), name  # every line where it was
        calls += len(re.findall(r"\b_mt\(\d+", src))
        strings = {n.value for n in ast.walk(ast.parse(sources[name])) if isinstance(n, ast.Constant)}
        for n in re.findall(r"\b_mt\((\d+)", src):  # each call names a text that came from this module
            assert texts[int(n)] in strings, (name, n)
    assert calls >= len(texts)
    again, more = build_mpy.move_messages(compiled)  # nothing left to move: the transform is complete
    assert more == [] and again == compiled
    catalogs = build_mpy.catalogs(texts)
    ns = {}
    for name in sorted(catalogs, key=lambda n: int(n[2:-3])):
        exec(catalogs[name], ns)
        assert len(ns["text"]) <= build_mpy.CATALOG
        assert list(ns["text"]) == texts[int(name[2:-3]) * build_mpy.CATALOG:][:len(ns["text"])]
    for name in build_mpy.KEEP_MESSAGES:
        assert compiled.get(name, "") == sources.get(name, ""), name


def test_moved_messages_read_as_the_source_wrote_them():
    # What the build does to a module, run on CPython: each error carries the same text as from the
    # source, whatever the shape of the expression the text stood in.
    import types

    source = '''
from .errors import ProtocolError, UsageError, TimeoutError


def percent(x, y):
    raise ProtocolError("bad %r and %d" % (x, len(y)))


def continued(x):
    raise UsageError("a long "
                     "message %s" % x)


def nested(x):
    raise UsageError("outer %s" % (UsageError("inner text here"),))


def formatted(x):
    return UsageError("format {} then".format(x))


def routine():
    raise TimeoutError("stays inline: timeouts are routine")
'''
    compiled, texts = build_mpy.move_messages({"m.py": source})
    moved = compiled["m.py"]
    assert moved.count("\n") == source.count("\n") and "_mt(" in moved
    assert "stays inline" in moved and "outer %s" not in moved and "a long message %s" in texts

    errors = types.ModuleType("fake_errors")

    class E(Exception):
        pass

    errors.ProtocolError = errors.UsageError = errors.TimeoutError = E
    errors.message = lambda n, *a: texts[n] % a[0] if a else texts[n]
    sys.modules["fake_errors"] = errors
    try:
        results = []
        for src in (source, moved):
            ns = {}
            exec(src.replace("from .errors", "from fake_errors"), ns)
            got = []
            for name, args in (("percent", ("x", "ab")), ("continued", (5,)), ("nested", (0,)),
                               ("formatted", (7,)), ("routine", ())):
                try:
                    r = ns[name](*args)
                    got.append(str(r))
                except E as e:
                    got.append(str(e))
            results.append(got)
    finally:
        del sys.modules["fake_errors"]
    assert results[0] == results[1], results
    assert results[0][0] == "bad 'x' and 2" and results[0][3] == "format 7 then"


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Each module of the package can be the first one a program imports, on CPython and on the
    MicroPython unix port (``import microhttpc.mask`` or ``microhttpc.utf8`` first failed on CPython:
    a circular import of ``_cpython`` and ``errors``).  Left out: ``_viper`` (native code) on CPython,
    ``_cpython`` and ``_cpyaio`` on MicroPython, where they cannot load, and ``_cpython`` first on CPython (private: its
    three error classes derive from ``errors``, which takes them from it, so ``errors`` goes first)."""
    import subprocess

    import mem

    out = mem.build()
    names = [n[:-3] for n in modules() if n != "__main__.py"]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "firmware"))
    failed = {}
    for name in names:
        runs = []
        if name not in ("_viper", "_cpython"):
            runs.append(("cpython", [sys.executable, "-c", "import microhttpc." + name], env))
        if name not in ("_cpython", "_cpyaio"):
            runs.append(("micropython", [mem.micropython(), "-c", "import microhttpc." + name],
                         dict(os.environ, MICROPYPATH=os.pathsep.join([out, ".frozen"]))))  # (the port's own)
        for runtime, cmd, e in runs:
            proc = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            if proc.returncode:
                failed["%s %s" % (runtime, name)] = proc.stdout.decode(errors="replace").strip().splitlines()[-1:]
    assert not failed, failed


def test_message_shapes_the_build_cannot_move_are_refused():
    # Shapes that no module has today, which the move got wrong without a word: an f-string (its text
    # cut at its first value), a module that starts with a compound statement (the import put before
    # it: a SyntaxError), texts chosen before a % (a catalog that cannot load gave its placeholder, and
    # the % raised a TypeError in place of the error); and a % operand over several lines (the module
    # grew a line: every line after it moved).
    import pytest

    head = "from .errors import UsageError\n\n"
    for src in (head + 'def f(x):\n    raise UsageError(f"bad value {x!r} for port")\n',
                'def f(x):\n    from .errors import UsageError\n    raise UsageError("bad thing %r" % (x,))\n',
                head + 'def f(c, x):\n    raise UsageError(("one %s" if c else "two %s") % x)\n'):
        with pytest.raises(ValueError):
            build_mpy.move_messages({"m.py": src})
    src = head + 'def f(x, y):\n    raise UsageError("bad %r and %r" % (x,\n                                      y))\n'
    moved = build_mpy.move_messages({"m.py": src})[0]["m.py"]
    assert moved.count("\n") == src.count("\n") and "_mt(0, (x, y))" in moved, moved
    compile(moved, "m.py", "exec")
