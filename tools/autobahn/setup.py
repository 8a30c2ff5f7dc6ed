#!/usr/bin/env python3
"""Build the private Autobahn|Testsuite environment under <repo>/.autobahn/ (idempotent).

The fuzzing server (``autobahntestsuite`` 25.10.1) is a Python 2.7 program. Nothing is installed
system-wide; everything lives in the git-ignored ``.autobahn/`` folder of the repository:

    .autobahn/debs/        Debian 11 (bullseye) .deb files of CPython 2.7.18 (a cache: kept, reused offline)
    .autobahn/apt/         private apt configuration, state and package lists (only used to fetch the .debs)
    .autobahn/root/        the .debs unpacked with ``dpkg-deb -x`` (never installed with dpkg)
    .autobahn/py3tools/    virtualenv==20.21.1 (last release that can create 2.7 environments), pip --target
    .autobahn/venv27/      the Python 2.7 virtualenv with the pinned packages and autobahntestsuite
    .autobahn/cache/       pip and virtualenv caches
    .autobahn/stamp        written last; when it matches this recipe, the script is a fast no-op

Run with any Python 3 that has pip:  python3 tools/autobahn/setup.py [--force]
Requires: apt-get (only when .autobahn/debs/ is incomplete), dpkg-deb, gcc, network to a Debian mirror and PyPI.
Environment overrides: AUTOBAHN_DEBIAN_MIRROR (default: the machine's Debian mirror from /etc/apt, else
deb.debian.org).
"""

import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BASE = os.path.join(REPO, ".autobahn")
DEBS = os.path.join(BASE, "debs")
APT = os.path.join(BASE, "apt")
ROOT = os.path.join(BASE, "root")
PY3TOOLS = os.path.join(BASE, "py3tools")
VENV27 = os.path.join(BASE, "venv27")
CACHE = os.path.join(BASE, "cache")
STAMP = os.path.join(BASE, "stamp")
LOCK = os.path.join(BASE, "lock")

DEBIAN_SUITE = "bullseye"
DEB_PACKAGES = (
    "python2.7",
    "python2.7-minimal",
    "libpython2.7-minimal",
    "libpython2.7-stdlib",
    "libpython2.7",
    "libpython2.7-dev",
    "libssl1.1",
    "libffi7",
)
VIRTUALENV = "virtualenv==20.21.1"
# The upstream set that autobahntestsuite 25.10.1 works with on Python 2.7 (its sdist declares no dependencies).
PINNED = (
    "attrs==21.4.0",
    "autobahn==0.10.9",
    "Automat==22.10.0",
    "cffi==1.15.1",
    "constantly==15.1.0",
    "cryptography==3.3.2",
    "enum34==1.1.10",
    "hyperlink==21.0.0",
    "idna==2.10",
    "incremental==16.10.1",
    "ipaddress==1.0.23",
    "Jinja2==2.11.3",
    "klein==17.10.0",
    "MarkupSafe==1.1.1",
    "pyasn1==0.5.1",
    "pyasn1-modules==0.3.0",
    "pycparser==2.21",
    "PyHamcrest==1.10.1",
    "pyOpenSSL==19.1.0",
    "service-identity==18.1.0",
    "six==1.16.0",
    "Twisted==19.10.0",
    "txaio==2.1.0",
    "Werkzeug==1.0.1",
    "wsaccel==0.6.6",
    "zope.interface==4.6.0",
    "ujson==2.0.3",
    "unittest2==1.1.0",
    "traceback2==1.4.0",
    "linecache2==1.0.0",
    "typing==3.10.0.0",
)
TESTSUITE = "autobahntestsuite==25.10.1"
RECIPE = "\n".join(("recipe 1", DEBIAN_SUITE) + DEB_PACKAGES + (VIRTUALENV,) + PINNED + (TESTSUITE,)) + "\n"


class SetupError(Exception):
    pass


def say(msg):
    print("autobahn setup: " + msg, flush=True)


def run(cmd, cwd=None, env=None, quiet=False):
    """Run a command, print it, raise SetupError with its output tail when it fails."""
    say("$ " + " ".join(cmd))
    if quiet:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.splitlines()[-40:])
            raise SetupError("command failed (exit %d): %s\n%s" % (proc.returncode, " ".join(cmd), tail))
        return proc.stdout
    proc = subprocess.run(cmd, cwd=cwd, env=env, check=False)
    if proc.returncode != 0:
        raise SetupError("command failed (exit %d): %s" % (proc.returncode, " ".join(cmd)))
    return ""


def multiarch_libdir():
    """<root>/usr/lib/<triplet> that holds the unpacked libssl1.1 / libffi7 (for LD_LIBRARY_PATH)."""
    for d in sorted(glob.glob(os.path.join(ROOT, "usr", "lib", "*-linux-gnu*"))):
        if glob.glob(os.path.join(d, "libssl.so.1.1")):
            return d
    return None


def py27_env(extra=None):
    """Environment for processes of the unpacked Python 2.7 (LD_LIBRARY_PATH only for them)."""
    env = dict(os.environ)
    libdir = multiarch_libdir()
    if libdir:
        old = env.get("LD_LIBRARY_PATH")
        env["LD_LIBRARY_PATH"] = libdir + (":" + old if old else "")
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    env["PIP_CACHE_DIR"] = os.path.join(CACHE, "pip27")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_PYTHON_VERSION_WARNING"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if extra:
        env.update(extra)
    return env


def venv27_python():
    return os.path.join(VENV27, "bin", "python")


# ---------------------------------------------------------------- step 1: the .deb files


def find_debian_mirror():
    """The machine's Debian mirror (first non-security debian URI in /etc/apt), else deb.debian.org."""
    override = os.environ.get("AUTOBAHN_DEBIAN_MIRROR")
    if override:
        return override.rstrip("/")
    uris = []
    files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*"))
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        if path.endswith(".sources"):  # deb822 format
            for stanza in re.split(r"\n\s*\n", text):
                fields = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
                if "deb" in fields.get("types", "").split():
                    uris.extend(fields.get("uris", "").split())
        else:
            for line in text.splitlines():
                words = line.split("#", 1)[0].split()
                if not words or words[0] != "deb":
                    continue
                words = words[1:]
                if words and words[0].startswith("["):
                    while words and not words[0].endswith("]"):
                        words = words[1:]
                    words = words[1:]
                if words:
                    uris.append(words[0])
    for uri in uris:
        u = uri.rstrip("/")
        if u.startswith(("http://", "https://")) and u.endswith("/debian") and "security" not in u:
            return u
    return "http://deb.debian.org/debian"


def debs_present():
    have = {}
    for name in DEB_PACKAGES:
        found = sorted(glob.glob(os.path.join(DEBS, name + "_*.deb")))
        if not found:
            return None
        have[name] = found[-1]
    return have


def fetch_debs():
    have = debs_present()
    if have:
        say("using cached .deb files in " + DEBS)
        return have
    if not shutil.which("apt-get"):
        raise SetupError(
            "apt-get not found and %s is incomplete: cannot fetch the Python 2.7 .deb files" % DEBS
        )
    keyring = "/usr/share/keyrings/debian-archive-keyring.gpg"
    if not os.path.exists(keyring):
        raise SetupError("%s not found (package debian-archive-keyring)" % keyring)
    arch = (
        subprocess.run(
            ["dpkg", "--print-architecture"], check=False, stdout=subprocess.PIPE, text=True
        ).stdout.strip()
        or "amd64"
    )
    mirror = find_debian_mirror()
    say("fetching Debian %s packages from %s (private apt configuration in %s)" % (DEBIAN_SUITE, mirror, APT))
    for d in ("etc/sources.list.d", "etc/preferences.d", "state/lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(APT, d), exist_ok=True)
    os.makedirs(DEBS, exist_ok=True)
    sources = os.path.join(APT, "etc", "sources.list")
    with open(sources, "w") as f:
        f.write("deb [arch=%s signed-by=%s] %s %s main\n" % (arch, keyring, mirror, DEBIAN_SUITE))
    status = os.path.join(APT, "state", "status")
    open(status, "a").close()
    settings = [
        "Dir::Etc::SourceList=" + sources,
        "Dir::Etc::SourceParts=" + os.path.join(APT, "etc", "sources.list.d"),
        "Dir::Etc::Preferences=" + os.path.join(APT, "etc", "preferences"),
        "Dir::Etc::PreferencesParts=" + os.path.join(APT, "etc", "preferences.d"),
        "Dir::State=" + os.path.join(APT, "state"),
        "Dir::State::status=" + status,
        "Dir::Cache=" + os.path.join(APT, "cache"),
        "APT::Architecture=" + arch,
        "APT::Architectures=" + arch,
        "Acquire::Languages=none",
        "Acquire::Check-Valid-Until=false",
        "Debug::NoLocking=1",
    ]
    if os.geteuid() == 0:
        # apt drops to the _apt user for downloads; that user cannot write into a root-owned project folder.
        settings.append("APT::Sandbox::User=root")
    opts = []
    for setting in settings:
        opts += ["-o", setting]
    try:
        run(["apt-get", "-q"] + opts + ["update"])
        run(["apt-get", "-q"] + opts + ["download"] + list(DEB_PACKAGES), cwd=DEBS)
    except SetupError as e:
        raise SetupError(
            "%s\n(if %s no longer serves Debian %s, set AUTOBAHN_DEBIAN_MIRROR, e.g. to "
            "http://archive.debian.org/debian, or put the .deb files into %s)"
            % (e, mirror, DEBIAN_SUITE, DEBS)
        ) from None
    have = debs_present()
    if not have:
        raise SetupError(
            "apt-get download finished but not all of %s are in %s" % (", ".join(DEB_PACKAGES), DEBS)
        )
    return have


# ---------------------------------------------------------------- step 2: unpack


def unpack(debs):
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    os.makedirs(ROOT)
    for name in DEB_PACKAGES:
        run(["dpkg-deb", "-x", debs[name], ROOT], quiet=True)
    py = os.path.join(ROOT, "usr", "bin", "python2.7")
    if not os.path.exists(py):
        raise SetupError("no usr/bin/python2.7 after unpacking the .debs into " + ROOT)
    out = run(
        [
            py,
            "-c",
            "import ssl, ctypes, zlib, sys; print(sys.version.split()[0] + ' ' + ssl.OPENSSL_VERSION)",
        ],
        env=py27_env(),
        quiet=True,
    )
    say("unpacked Python " + out.strip())
    return py


# ---------------------------------------------------------------- step 3: virtualenv + packages


def make_venv27(py27):
    if not os.path.exists(os.path.join(PY3TOOLS, "virtualenv")):
        say("installing %s for %s into %s" % (VIRTUALENV, sys.executable, PY3TOOLS))
        env = dict(os.environ)
        env["PIP_CACHE_DIR"] = os.path.join(CACHE, "pip3")
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--target",
                PY3TOOLS,
                VIRTUALENV,
            ],
            env=env,
        )
    if os.path.isdir(VENV27):
        shutil.rmtree(VENV27)
    env = py27_env(
        {"PYTHONPATH": PY3TOOLS, "VIRTUALENV_OVERRIDE_APP_DATA": os.path.join(CACHE, "virtualenv")}
    )
    run(
        [sys.executable, "-m", "virtualenv", "--no-periodic-update", "--no-download", "-p", py27, VENV27],
        env=env,
    )
    include = "-I%s -I%s" % (
        os.path.join(ROOT, "usr", "include"),
        os.path.join(ROOT, "usr", "include", "python2.7"),
    )
    cflags = (include + " " + os.environ.get("CFLAGS", "")).strip()
    env = py27_env({"CFLAGS": cflags, "CPPFLAGS": (include + " " + os.environ.get("CPPFLAGS", "")).strip()})
    pip = [venv27_python(), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    say("installing the pinned Python 2.7 packages (%d)" % len(PINNED))
    run(pip + list(PINNED), env=env)
    say("installing " + TESTSUITE)
    run(pip + ["--no-deps", TESTSUITE], env=env)
    check = (
        "import autobahntestsuite, autobahn, twisted, wsaccel, jinja2; "
        "print('autobahntestsuite %s, autobahn %s, twisted %s' % "
        "(autobahntestsuite.__version__, autobahn.__version__, twisted.__version__))"
    )
    out = run([venv27_python(), "-c", check], env=py27_env(), quiet=True)
    say("ok: " + out.strip())


def lock(who):
    """Hold .autobahn/lock (an flock) while building or running: two runs would clobber each other's
    folders. Waits for a run that holds it. Returns the open file; the lock goes when it is closed."""
    os.makedirs(BASE, exist_ok=True)
    f = open(LOCK, "a")  # noqa: SIM115 - lives as long as the lock is held
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print("%s: another run holds %s; waiting for it" % (who, os.path.relpath(LOCK, REPO)), flush=True)
        fcntl.flock(f, fcntl.LOCK_EX)
    return f


def is_done():
    try:
        with open(STAMP) as f:
            stamp = f.read()
    except OSError:
        return False
    return stamp == RECIPE and os.path.exists(venv27_python()) and multiarch_libdir() is not None


def ensure(force=False):
    """Build the environment unless the stamp says it is there. Returns the 2.7 virtualenv's python."""
    if not force and is_done():
        say("already set up (%s)" % os.path.relpath(STAMP, REPO))
        return venv27_python()
    for tool in ("dpkg-deb", "gcc"):
        if not shutil.which(tool):
            raise SetupError("%s not found on PATH" % tool)
    os.makedirs(BASE, exist_ok=True)
    if os.path.exists(STAMP):
        os.remove(STAMP)
    debs = fetch_debs()
    py27 = unpack(debs)
    make_venv27(py27)
    with open(STAMP, "w") as f:
        f.write(RECIPE)
    say("done: " + os.path.relpath(BASE, REPO) + "/")
    return venv27_python()


def main(argv):
    force = "--force" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--force"]
    if unknown:
        print("usage: %s [--force]" % argv[0], file=sys.stderr)
        return 2
    held = lock("autobahn setup")
    try:
        ensure(force)
    except SetupError as e:
        print("autobahn setup: ERROR: %s" % e, file=sys.stderr)
        return 1
    finally:
        held.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
