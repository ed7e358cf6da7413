# Thin wrappers around the tools. `make report` and `make test` are all a new user needs.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
STAMP  := $(VENV)/.installed-from-lock
SOURCES ?= ../shared/data/reference

.PHONY: setup report rebuild verify new-wave experiments test lint clean reference system-check bench

# Rebuild the environment from scratch whenever the lock file or package metadata changes:
# with uv (pinned, from PyPI), which installs the lock in seconds; where uv cannot be installed
# or cannot reach the packages (it reads no pip.conf, so no pip-only mirror), with pip.
UV_VERSION := 0.13.9
UV  = $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode
PIP = $(BIN)/python -m pip install --quiet
$(STAMP): requirements.lock pyproject.toml
	@echo "Building $(VENV) from requirements.lock (about a minute; five or more with pip)"
	@rm -rf $(VENV)
	@$(PYTHON) -m venv $(VENV)
	@( $(PIP) uv==$(UV_VERSION) 2>/dev/null && $(UV) -r requirements.lock pip==26.3 && $(UV) --no-deps -e . ) || \
	 ( echo "uv could not install the lock; installing with pip" && \
	   $(PIP) --upgrade pip==26.3 && $(PIP) -r requirements.lock && $(PIP) --no-deps -e . )
	@touch $@

AXE := tests/browser/node_modules/.package-lock.json
# axe-core for the browser tests, as pinned in tests/browser/package-lock.json; without npm they skip.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/browser --no-audit --no-fund; \
	else echo "npm not found: the browser accessibility tests will be skipped"; fi

system-check:
	@$(PYTHON) -c "import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 12))" 2>/dev/null || \
	  { echo "requirements.lock needs Python 3.11.5 or a later 3.11; $(PYTHON) is $$($(PYTHON) -V 2>&1)."; \
	    echo "Name another: make report PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('pango-1.0') and ctypes.util.find_library('pangoft2-1.0') else 1)" || \
	  { echo "WeasyPrint needs the Pango library, which is missing."; \
	    echo "On Debian/Ubuntu: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"; \
	    echo "On Fedora: sudo dnf install -y pango"; exit 1; }

setup: system-check $(STAMP)

# Parameters are checked before DVC starts, so a bad params.yaml stops with one message.
report: system-check $(STAMP)
	@$(BIN)/python -m pipeline validate
	@$(BIN)/dvc repro --quiet
	@$(BIN)/python -m pipeline provenance

# Every stage again, ignoring DVC's cache of earlier runs (make clean alone restores from it).
rebuild: system-check $(STAMP)
	@$(BIN)/python -m pipeline validate
	@$(BIN)/dvc repro --force --quiet
	@$(BIN)/python -m pipeline provenance

# Rebuild the committed state in a temporary clone and compare every output with dvc.lock.
verify: system-check $(STAMP)
	$(BIN)/python -m pipeline verify

# make new-wave YEAR=2027 FILE=~/Downloads/survey_2027.csv
new-wave: $(STAMP)
	@test -n "$(YEAR)" -a -n "$(FILE)" || { echo "usage: make new-wave YEAR=2027 FILE=path/to/export.csv"; exit 2; }
	$(BIN)/python -m pipeline new-wave $(YEAR) $(FILE)

# Experiments against the last commit, model results first.
experiments: $(STAMP)
	$(BIN)/dvc exp show --only-changed --sort-by model_metrics.json:aic_negative_binomial --no-pager

test: system-check $(STAMP) $(AXE)
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest -m "e2e or slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbstripout --verify notebooks/*.ipynb
	$(BIN)/python tests/house_rules.py pipeline

reference: $(STAMP)
	$(BIN)/python -m pipeline reference --sources $(SOURCES) --out data/reference

bench: system-check $(STAMP)
	$(BIN)/python bench/benchmark.py

clean:
	rm -rf data/interim/* data/processed/* reports/* .pytest_cache .ruff_cache
	touch data/interim/.gitkeep data/processed/.gitkeep reports/.gitkeep
