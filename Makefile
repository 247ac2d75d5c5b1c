# claimdesk: `make dev` runs the whole service here, `make test` runs lint and the tests.
# Everything is installed from PyPI into .venv; no Docker engine is needed.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: venv dev lint test bench screenshot clean

NPM_TOOLS := tools/npm/node_modules/.installed

venv: $(STAMP) $(NPM_TOOLS)

# Reinstalled only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "claimdesk needs Python 3.11: install python3.11 or set PYTHON=/path/to/python3.11")'
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,local]'
	touch $@

# dclint for tests/stack/test_compose.py, pinned by tools/npm/package-lock.json, into
# tools/npm/node_modules (no global npm package); it needs the machine's Node.js and npm.
$(NPM_TOOLS): tools/npm/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js (20 or later) and npm for the compose checks"; exit 1; }
	npm ci --prefix tools/npm --silent --no-audit --no-fund
	touch $@

dev: $(STAMP)
	$(VENV)/bin/claimdesk dev

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The browser tests drive Debian's chromium: installed here where missing (CI runs as root).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "$(CHROMIUM) missing and no apt-get: install chromium"; exit 1; }
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium

test: venv lint $(CHROMIUM)
	$(VENV)/bin/pytest

# The benchmark's extras (matplotlib, psutil) on top of the venv, again when pyproject.toml changes.
$(VENV)/.installed-bench: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,local,bench]'
	touch $@

# One run on a fresh embedded stack (~5 min): prints the table, writes docs/bench/.
bench: venv $(VENV)/.installed-bench
	$(VENV)/bin/python -m bench

# The README's Temporal UI pictures, from a real `claimdesk dev` (needs `apt install chromium`).
$(VENV)/.installed-screenshots: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,local,screenshots]'
	touch $@

screenshot: venv $(VENV)/.installed-screenshots
	$(VENV)/bin/python docs/ui/take_screenshot.py

clean:
	rm -rf $(VENV) tools/npm/node_modules build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
