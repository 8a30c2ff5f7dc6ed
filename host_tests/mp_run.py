"""Run one test function of a dual-runtime test module (MicroPython side of the harness).

    MICROPYPATH=build/mpy-tests:build/mpy:.frozen micropython -X heapsize=128K host_tests/mp_run.py dual_x test_name

Prints PASS, or the traceback and exits 1.  The test module and the package come from MICROPYPATH
(their .mpy builds, made by the harness).
"""

import sys


def main():
    module, name = sys.argv[1], sys.argv[2]
    mod = __import__(module)
    try:
        getattr(mod, name)()
    except Exception as exc:
        sys.print_exception(exc)
        print("FAIL")
        sys.exit(1)
    print("PASS")


main()
