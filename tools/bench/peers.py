"""The peers the benchmarks compare against: pinned versions, and their installation into a
git-ignored cache (``.cache/peers/``) from PyPI only.  Nothing here is vendored or committed.

- CPython peers come from the ``bench`` extra of pyproject.toml (pinned there) and are installed with
  ``pip install --no-deps --target .cache/peers/cpython``; ``websockets`` is already in the ``test`` extra.
- MicroPython peers are pinned below, fetched with ``pip download --no-deps`` (wheels are unpacked;
  ``micropython-urequests`` 0.9.1 is an sdist without setup.py, which pip refuses to prepare, so it is
  fetched from the registry's JSON API and checked against the sha256 pinned here), then compiled to
  ``.mpy`` with the same mpy-cross as microhttpc so every client is loaded the same way on the unix port.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache", "peers")

# MicroPython peers: distribution -> version.  Top-level packages/modules land in one folder per peer.
MP_PEERS = {
    "micropython-websocket": "1.0.5",
    "micropython-async-websocket-client": "0.3.4",
    "micropython-websockets": "0.1.0",
    "chumicro-websockets": "0.27.3",
    "chumicro-requests": "0.21.3",
    "chumicro-sockets": "0.21.3",  # dependency of both chumicro-* clients
    "chumicro-timing": "0.8.4",  # dependency of both chumicro-* clients
    "micropython-urequests": "0.9.1",
}
# Files pip cannot fetch for us (sdists without build metadata): distribution -> sha256 of the sdist.
SDIST_SHA256 = {
    "micropython-urequests": "15ed0132bcff1a84e87049d9d7780ce26df0810fa674aa89d187e17493d6e3c5",
}
# Which peer folders each MicroPython client needs on MICROPYPATH.
MP_PATHS = {
    "micropython-websocket": ["micropython-websocket"],
    "micropython-async-websocket-client": ["micropython-async-websocket-client"],
    "micropython-websockets": ["micropython-websockets"],
    "chumicro-websockets": ["chumicro-websockets", "chumicro-sockets", "chumicro-timing"],
    "chumicro-requests": ["chumicro-requests", "chumicro-sockets", "chumicro-timing"],
    "micropython-urequests": ["micropython-urequests"],
}


def _pip():
    return [sys.executable, "-m", "pip"]


def bench_extra():
    """The pinned requirements of pyproject.toml's ``bench`` extra."""
    path = os.path.join(ROOT, "pyproject.toml")
    try:
        import tomllib

        with open(path, "rb") as f:
            return tomllib.load(f)["project"]["optional-dependencies"]["bench"]
    except ImportError:  # Python < 3.11: read the one list by hand
        reqs, inside = [], False
        for line in open(path):
            s = line.strip()
            if s.startswith("bench") and s.endswith("["):
                inside = True
            elif inside and s.startswith("]"):
                break
            elif inside and s.startswith('"'):
                reqs.append(s.strip('",'))
        return reqs


def install_cpython(log=print):
    """Install the ``bench`` extra into .cache/peers/cpython; return that folder (for sys.path)."""
    target = os.path.join(CACHE, "cpython")
    reqs = bench_extra()
    stamp = os.path.join(target, ".pins")
    if os.path.exists(stamp) and open(stamp).read() == "\n".join(reqs):
        return target
    shutil.rmtree(target, ignore_errors=True)
    log("installing CPython peers: %s" % " ".join(reqs))
    subprocess.run(
        _pip() + ["install", "--quiet", "--no-deps", "--target", target] + reqs, check=True, timeout=600
    )
    with open(stamp, "w") as f:
        f.write("\n".join(reqs))
    return target


def _fetch_sdist(name, version, dest):
    """Fetch one pinned sdist through the registry's simple index (as pip does), checking its sha256."""
    req = urllib.request.Request(
        "https://pypi.org/simple/%s/" % name, headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        files = json.load(r)["files"]
    want = "%s-%s.tar.gz" % (name, version)
    for f in files:
        if f["filename"] == want:
            with urllib.request.urlopen(f["url"], timeout=60) as r:
                data = r.read()
            if hashlib.sha256(data).hexdigest() != SDIST_SHA256[name]:
                raise RuntimeError("%s %s: sdist sha256 differs from the pinned one" % (name, version))
            path = os.path.join(dest, want)
            with open(path, "wb") as out:
                out.write(data)
            return path
    raise RuntimeError("%s %s: no sdist %s on the registry" % (name, version, want))


def _unpack(archive, dest):
    """Unpack the importable top level of a wheel or sdist into ``dest``."""
    os.makedirs(dest, exist_ok=True)
    if archive.endswith(".whl"):
        with zipfile.ZipFile(archive) as z:
            for n in z.namelist():
                top = n.split("/")[0]
                if top.endswith(".dist-info") or top == "example" or not n.endswith(".py"):
                    continue
                z.extract(n, dest)
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                parts = m.name.split("/")[1:]
                if (
                    not m.isfile()
                    or not m.name.endswith(".py")
                    or parts[0].endswith(".egg-info")
                    or parts[0] in ("setup.py",)
                ):
                    continue
                out = os.path.join(dest, *parts)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with t.extractfile(m) as src, open(out, "wb") as f:
                    f.write(src.read())


def _compile_tree(src, dest, mpy_cross):
    """mpy-cross every .py under ``src`` into ``dest`` (same layout)."""
    errors = []
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), src)
            out = os.path.join(dest, rel[:-3] + ".mpy")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            p = subprocess.run(
                [mpy_cross, "-o", out, "-s", rel, os.path.join(src, rel)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if p.returncode:
                errors.append("%s: %s" % (rel, (p.stderr or p.stdout).strip().splitlines()[-1:]))
    return errors


def install_micropython(mpy_cross, log=print):
    """Fetch, unpack and compile the MicroPython peers; return {distribution: mpy folder}."""
    dl = os.path.join(CACHE, "download")
    src_root = os.path.join(CACHE, "micropython", "src")
    mpy_root = os.path.join(CACHE, "micropython", "mpy")
    os.makedirs(dl, exist_ok=True)
    out = {}
    for name, version in MP_PEERS.items():
        stamp = os.path.join(mpy_root, name, ".version")
        if os.path.exists(stamp) and open(stamp).read() == version:
            out[name] = os.path.join(mpy_root, name)
            continue
        log("fetching MicroPython peer %s==%s" % (name, version))
        prefix = name.replace("-", "_") + "-" + version
        found = [f for f in os.listdir(dl) if f.replace("-", "_").startswith(prefix.replace("-", "_"))]
        if not found:
            if name in SDIST_SHA256:
                archive = _fetch_sdist(name, version, dl)
            else:
                subprocess.run(
                    _pip()
                    + [
                        "download",
                        "--quiet",
                        "--no-deps",
                        "--only-binary",
                        ":all:",
                        "-d",
                        dl,
                        "%s==%s" % (name, version),
                    ],
                    check=True,
                    timeout=600,
                )
                archive = os.path.join(
                    dl,
                    [f for f in os.listdir(dl) if f.replace("-", "_").startswith(prefix.replace("-", "_"))][
                        0
                    ],
                )
        else:
            archive = os.path.join(dl, found[0])
        src = os.path.join(src_root, name)
        shutil.rmtree(src, ignore_errors=True)
        _unpack(archive, src)
        dest = os.path.join(mpy_root, name)
        shutil.rmtree(dest, ignore_errors=True)
        errors = _compile_tree(src, dest, mpy_cross)
        if errors:
            log("  mpy-cross failed for %s: %s" % (name, "; ".join(errors)))
        with open(stamp, "w") as f:
            f.write(version)
        out[name] = dest
    return out


def micropython_path(client, mpy_dirs):
    """The MICROPYPATH folders a MicroPython peer client needs."""
    return [mpy_dirs[d] for d in MP_PATHS[client]]
