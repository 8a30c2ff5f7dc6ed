# The two commands a newcomer needs: `make demo` and `make test`.  Both bootstrap .venv from the
# pinned extras in pyproject.toml on first use (a fresh machine needs only python3, pip and make).

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: demo test venv autobahn bench mem check clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest host_tests

autobahn: $(STAMP)
	$(BIN)/python tools/autobahn/run.py

# pyright on firmware/ and its type stubs, against the ESP32 and RP2 MicroPython stubs and CPython (also run by make test)
check: $(STAMP)
	$(BIN)/python tools/pyright/check.py

# microhttpc vs its peers and a raw-socket limit (tools/bench/run.py, about 5 minutes; ARGS=--quick under
# one); `make bench ARGS=--write` also regenerates the tables of docs/performance.md and docs/bench.svg
bench: $(STAMP)
	$(BIN)/python tools/bench/run.py $(ARGS)

# heap per import path (.mpy in RAM and ROMFS), the demo session's stages and smallest heap, the cores'
# allocations and the peers, on the 64-bit unix port and the 32-bit WebAssembly port (npm, into .cache/),
# how many connections fit a 128K / 256K heap and the heap a 10 MiB stream needs (tools/mem_conns.py);
# `make mem ARGS=--write` also regenerates the memory tables of README.md and boards/*/NOTES.md
mem: $(STAMP)
	$(BIN)/python tools/mem.py $(ARGS)

clean:
	rm -rf build .pytest_cache
