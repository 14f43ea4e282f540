# Two commands on a fresh clone: `make demo` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo console test lint typecheck unit clean setup audit

NODE_STAMP := node_modules/.package-lock.json

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml scripts/system-packages.sh
	@bash scripts/system-packages.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

# Prism, the provider mocks of tests/contract, pinned by package-lock.json. npm writes
# node_modules/.package-lock.json on every install, so a changed lock file installs again.
# Without npm the contract tests are skipped, except in CI (CI=true), where they must run.
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null 2>&1 || [ "$${CI:-}" = "true" ]; then \
		npm ci --no-audit --no-fund; \
	else \
		echo "npm not found: the contract tests (tests/contract) will be skipped" >&2; \
	fi

# The sample incident end to end, then (at a terminal) the console to look at it and run
# your own: `herald dev` until Ctrl-C. Without a terminal (CI, scripts) it stops after the
# sample incident; `make console` serves the console later.
demo: $(STAMP)
	$(BIN)/herald demo
	@if [ -t 0 ] && [ -t 1 ] && [ "$${CI:-}" != "true" ]; then \
		echo; echo "Starting the console (Ctrl-C to stop)..."; $(BIN)/herald dev; \
	fi

console: $(STAMP)
	$(BIN)/herald dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Known vulnerabilities in what `pip install -e .[test]` installed, from PyPI's data. Fails on
# a finding; PyPI unreachable only warns, except in CI (see scripts/audit.py).
audit: $(STAMP)
	$(BIN)/python scripts/audit.py

test: $(STAMP) $(NODE_STAMP) lint typecheck audit
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .herald .mypy_cache .ruff_cache .pytest_cache
