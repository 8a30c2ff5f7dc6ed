"""Run Autobahn|Testsuite's ``wstest`` with every listening socket bound to 127.0.0.1.

Python 2.7 launcher (runs in .autobahn/venv27, started by run.py). Stock ``wstest -m fuzzingserver`` binds
0.0.0.0 whatever the spec's url says (autobahn's listenWS passes interface=''), and so does its embedded web
server. This launcher makes Twisted's listenTCP/listenSSL use 127.0.0.1 for every caller, then runs wstest's
own command line unchanged:

    python wstest_loopback.py -m fuzzingserver -s spec.json -u 0

Kept parseable by Python 3 so linters that read tools/ do not choke on it.
"""

import sys

LOOPBACK = "127.0.0.1"

# wstest insists that choosereactor is imported before anything installs a reactor.
from autobahntestsuite import choosereactor  # noqa: F401 - imported for its side effect
from twisted.internet import posixbase

_listen_tcp = posixbase.PosixReactorBase.listenTCP
_listen_ssl = posixbase.PosixReactorBase.listenSSL


def _loopback_tcp(self, port, factory, backlog=50, interface=""):
    return _listen_tcp(self, port, factory, backlog, LOOPBACK)


def _loopback_ssl(self, port, factory, contextFactory, backlog=50, interface=""):
    return _listen_ssl(self, port, factory, contextFactory, backlog, LOOPBACK)


posixbase.PosixReactorBase.listenTCP = _loopback_tcp
posixbase.PosixReactorBase.listenSSL = _loopback_ssl

from autobahntestsuite import wstest

if __name__ == "__main__":
    sys.argv[0] = "wstest"
    sys.stdout.write("wstest_loopback: all listening sockets bound to %s\n" % LOOPBACK)
    sys.stdout.flush()
    wstest.run()
