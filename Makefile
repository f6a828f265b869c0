# Two commands a new user needs: `make run` and `make test`. Both create .venv on first
# use and reinstall only when a requirements file changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint types e2e bench evidence clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt $(VENV)/.app-installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# MALLOC_ARENA_MAX=2: Streamlit runs each session's script in a thread of its own, and
# glibc gives threads up to 8 malloc arenas per core, each keeping the memory it freed;
# two arenas kept a class of 30's server about 20-40 MB smaller (README, Performance).
# The test and bench servers (tests/e2e/harness.py) run with the same setting.
run: $(VENV)/.app-installed
	MALLOC_ARENA_MAX=2 $(BIN)/python -m streamlit run app.py --server.port $(PORT)

# The unit and page tests run on every core (pytest-xdist, each worker its own process
# and training pool). The browser tests run on two workers, a test file per worker
# (--dist loadfile), so the tests of one file keep sharing their server; two at a time
# is what a 2-core machine holds (7.6 -> 6.4 minutes measured here, passing under load).
# Both halves always run, so one failing half does not hide the other's results.
test: $(VENV)/.test-installed lint types
	@status=0; \
	$(BIN)/python -m pytest -m "not e2e" --numprocesses=auto --maxprocesses=4 || status=1; \
	$(BIN)/python -m pytest -m e2e --numprocesses=2 --dist loadfile || status=1; \
	exit $$status

# Lint and format check (ruff); part of `make test`, so CI fails on either.
lint: $(VENV)/.test-installed
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

# Type check (mypy, configured in pyproject.toml); part of `make test` too.
types: $(VENV)/.test-installed
	$(BIN)/python -m mypy

bench: $(VENV)/.test-installed
	$(BIN)/python -m bench

# Regenerate the shipped evidence table (data/evidence.csv): 1,152 small trainings, about
# 10 minutes on 2 cores.
evidence: $(VENV)/.app-installed
	$(BIN)/python -m core.evidence

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
