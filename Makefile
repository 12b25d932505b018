# callpulse — `make demo` runs the whole path on the embedded default; `make test` runs the test suite.
# Both create .venv and install what they need (Python packages from PyPI, servers and test data from
# Debian's packages) on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSSTAMP := .sysdeps.installed
DEBS := pocketsphinx-testdata espeak-ng sox chromium postgresql redis-server fonts-wqy-microhei

.PHONY: demo test lint typecheck sysdeps venv bench migration clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "need Python 3.11 (python3.11 or python3 on PATH)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip setuptools wheel
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Servers and data the tests use; installed once per machine (root on these machines; sudo elsewhere).
$(SYSSTAMP):
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	touch $(SYSSTAMP)

sysdeps: $(SYSSTAMP)

demo: $(STAMP)
	$(BIN)/callpulse demo

test: $(STAMP) $(SYSSTAMP)
	$(BIN)/ruff check core ingest transcribe detect api cli tests bench scripts
	$(BIN)/ruff format --check core ingest transcribe detect api cli tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check core ingest transcribe detect api cli tests bench scripts
	$(BIN)/ruff format --check core ingest transcribe detect api cli tests bench scripts

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP) $(SYSSTAMP)
	$(BIN)/python -m bench.run_all

migration: $(STAMP)
	$(BIN)/python scripts/regenerate_initial_migration.py

clean:
	rm -rf $(VENV) $(SYSSTAMP) callpulse.db callpulse.db-wal callpulse.db-shm
