"""Run one test function of a dual-runtime test module (MicroPython side of the harness).

    micropython -X heapsize=128K host_tests/mp_run.py host_tests/dual/dual_x.py test_name

Prints PASS, or the traceback and exits 1.  The package comes from MICROPYPATH (the .mpy build).
"""

import sys


def main():
    path, name = sys.argv[1], sys.argv[2]
    d, _, fname = path.rpartition("/")
    sys.path.insert(0, d or ".")
    mod = __import__(fname[:-3])
    try:
        getattr(mod, name)()
    except Exception as exc:
        sys.print_exception(exc)
        print("FAIL")
        sys.exit(1)
    print("PASS")


main()
