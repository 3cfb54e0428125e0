# Two commands do everything: `make book` builds the site, `make test` runs every test.
# Both create or reuse the virtual environment and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTML := _build/html
# Case-study data: downloaded from its source with checksum checks and cached.
# When the shared data folder sits beside the repository (tests, CI, offline
# builds), use it as the cache so nothing is downloaded.
SHARED_DATA := $(abspath ../shared/data)
ifneq ($(wildcard $(SHARED_DATA)/MANIFEST.csv),)
export PAI_DATA_CACHE ?= $(SHARED_DATA)
endif
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# How many notebooks the book build executes at once, and how many pytest workers `make test`
# runs (pytest-xdist): the CPUs this machine has, at most 4 (each is a kernel or a browser).
# Override with `make test JOBS=1` to run everything in one process.
JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 4 ] && n=4; echo $$n)

.PHONY: help setup bundles book notebooks test test-fast test-profile screenshots serve bench clean clean-all

help:
	@echo "make book   build the site (notebooks executed, strict) into $(HTML)"
	@echo "make test   build the site if needed, then run every test (unit, build, browser)"
	@echo "make serve  serve the built site on http://127.0.0.1:8000"
	@echo "make bench  run the benchmarks (speed and memory targets)"
	@echo "make test-profile  make test, recording each test's CPU and wall time (benchmarks/TEST-TIME.md)"
	@echo "make screenshots  the browser tests, taking the screenshots to look at (test-artifacts/)"
	@echo "make bundles  build the notebook widgets' front-ends (widgets/bundles, esbuild)"
	@echo "make notebooks  regenerate the .ipynb copies Colab opens (notebooks/)"

# --- setup -----------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Each notebook widget's front-end as one file (anywidget loads one module): esbuild bundles the ES
# module and the shared modules it imports (widgets/static/lib/). Never committed; the static site
# imports the modules themselves. The entry points and flags live in widgets/_frontend.py
# (build_bundles), which `pip install` also runs (setup.py); it runs here without the venv.
BUNDLE_SOURCES := $(shell find widgets/static -type f -name '*.js' 2>/dev/null) widgets/data/ui-labels.json widgets/_frontend.py package.json
widgets/bundles/.built: $(BUNDLE_SOURCES) node_modules/.installed
	$(PYTHON) widgets/_frontend.py --outdir widgets/bundles
	touch $@

bundles: widgets/bundles/.built

setup: $(VENV)/.installed node_modules/.installed widgets/bundles/.built

# --- the site --------------------------------------------------------------
# Notebooks are executed in cache mode, which only notices changes to a
# notebook's own cells. When the code or data files the notebooks import
# change, drop the execution cache and the parsed pages so every page is
# rebuilt from the new code.
NOTEBOOK_INPUTS := $(shell find widgets casestudies book/_ext -type f -not -path 'widgets/bundles/*' \( -name '*.py' -o -name '*.yaml' -o -name '*.csv' -o -name '*.json' -o -name '*.js' \) -not -path '*/__pycache__/*' 2>/dev/null)
_build/.inputs-stamp: $(NOTEBOOK_INPUTS) _config.yml
	rm -rf _build/.jupyter_cache _build/jupyter_execute _build/.doctrees
	mkdir -p _build && touch $@

# pai_execute.py runs the notebook pages that are not in the execution cache $(JOBS) at a time
# and stores them there; jupyter-book then renders them from the cache (and executes, itself,
# any page the cache does not match).
book: setup _build/.inputs-stamp
	$(BIN)/python book/_ext/pai_execute.py --jobs $(JOBS)
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html
	$(BIN)/python book/_ext/pai_handouts.py $(HTML)
	@echo "Site built: open $(HTML)/index.html or run 'make serve'."

# Colab cannot open MyST Markdown: keep an output-free .ipynb copy of each
# notebook page under notebooks/ (tests fail when one is stale).
notebooks: setup
	$(BIN)/python book/_ext/pai_notebooks.py

$(HTML)/index.html:
	$(MAKE) book

serve: $(HTML)/index.html
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(HTML) 8000

# --- tests -----------------------------------------------------------------
# The browser tests need Chromium from Debian (`apt-get install -y chromium`);
# .ci/run installs it. They skip with a clear reason where it is missing,
# unless PAI_REQUIRE_BROWSER=1 (set in CI), where they fail.
# Tests run on $(JOBS) pytest-xdist workers; a file's tests that share a module fixture stay on one
# worker (--dist loadgroup, groups set in tests/conftest.py). The ten slowest are listed at the end
# (benchmarks/TEST-TIME.md says how the suite is kept fast).
PYTEST_XDIST = -n $(if $(filter 1,$(JOBS)),0,$(JOBS)) --dist loadgroup
test: setup
	$(MAKE) book
	$(BIN)/python -m pytest -ra $(PYTEST_XDIST) --durations=10

test-fast: setup
	$(BIN)/python -m pytest -ra $(PYTEST_XDIST) -m "not browser and not build"

# `make test` with each test's CPU (worker, Chromium, Node, servers) and wall recorded, then the
# table of where the time goes (benchmarks/time_table.py; TEST-TIME.md keeps the last one).
PROFILE := test-artifacts/profile
test-profile: setup
	$(MAKE) book
	rm -rf $(PROFILE)
	PAI_TEST_PROFILE=$(abspath $(PROFILE)) $(BIN)/python -m pytest -ra $(PYTEST_XDIST) --durations=10; \
	  status=$$?; $(BIN)/python benchmarks/time_table.py $(PROFILE) | tee $(PROFILE)/table.md; exit $$status

# The browser tests with the screenshots that are there for people to look at (every page at
# 1280 and 390 px in test-artifacts/reading/, the self-assessment's groups, the room view...).
# No assertion reads them, so `make test` does not take them (PAI_SCREENSHOTS, tests/conftest.py).
screenshots: setup
	$(MAKE) book
	PAI_SCREENSHOTS=1 $(BIN)/python -m pytest -ra $(PYTEST_XDIST) -m browser
	@echo "Screenshots in test-artifacts/ (reading/, assessment-2.0/, live-room/, room-*.png)."

bench: setup
	$(BIN)/python -m pip install -r benchmarks/requirements.txt
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf _build _assets test-artifacts widgets/bundles

clean-all: clean
	rm -rf $(VENV) node_modules
