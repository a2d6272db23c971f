# Build the book and run the tests. Needs GNU make and python3 (3.11); everything else comes from
# requirements.txt into .venv, which every target creates on first use.
#
#   make book            build the site into _build/html (-n -W --keep-going: any warning fails);
#                        chapters run inline while parsed; Sphinx re-reads only changed ones. First
#                        installs the site's browser assets (MathJax, require.js, the widget
#                        manager) from npm into assets/vendor/ when assets/package-lock.json changed
#   make book FORCE=1    re-read and re-execute every chapter (CI=true does too): needed after a
#                        library change, which Sphinx does not see
#   make test            build the book, then pytest tests/, liqlib doctests, every chapter under
#                        nbval, the built site in Chromium (tests/site), then `make lint`
#   make lint            ruff, mypy, and a check that committed notebooks carry no outputs
#   make strip           strip outputs and execution counts from the chapters before committing
#   make bench           run every script in benchmarks/ (each prints ratios against its own baseline)
#   make mutate          mutation testing (mutmut, pinned) of one module against its unit tests, in a
#                        scratch copy under _build/mutate; CPU-heavy, not part of `make test`, e.g.
#                        make mutate MODULE=liqlib/core/tiers.py TESTS=tests/test_contracts_tiers_margin.py
#   make clean           remove _build (the site and the execution cache); .venv stays
#
# PYTEST_ARGS is passed to every pytest run, e.g. `make test PYTEST_ARGS="-x -q"`.
# CHROMIUM is the browser tests/site drives (default /usr/bin/chromium, Debian's package, which
# `make test` installs with apt-get when it is missing and we are root), e.g. `make test
# CHROMIUM=/opt/chromium/chrome`. Never `playwright install`: the Python package drives this one.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
PYTEST_ARGS ?=
# make test draws hypothesis examples from a fixed seed, so a run is reproducible (CI passes or
# fails the same way twice); `make test HYPOTHESIS_SEED=$RANDOM`, or pytest run directly, explores
# new examples, and a failure found that way becomes a fix plus an @example.
HYPOTHESIS_SEED ?= 0
JB_FLAGS := -n -W --keep-going
# Plain nbstripout (outputs removed, execution counts nulled). nbval treats a cell whose
# execution_count is null as an unrun reference: it runs it and compares nothing. With
# --keep-count and no outputs, nbval instead compares every NBVAL_CHECK_OUTPUT cell (and, under
# --nbval, every cell) against the empty stored output and fails it (checked with nbval 0.11.0).
# nbstripout 0.9 also renumbers cell ids "0", "1", ... (deterministic; --keep-id would keep them).
STRIP_FLAGS :=

# Chapters execute inline (_config.yml) as Sphinx reads them, and Sphinx re-reads a page only when
# its source changed, so a chapter can show stale numbers after a library change. A forced build
# passes --all: every page is re-read and every chapter re-executed.
ifneq ($(filter 1 true yes,$(FORCE) $(CI)),)
  JB_FORCE := 1
endif

# The site's browser assets, served from _static/vendor/ so that the site makes no request to
# another host. Pinned in assets/package.json + assets/package-lock.json (exact versions); `npm ci`
# installs them into a scratch folder, the files the site needs are copied into assets/vendor/
# (gitignored; _config.yml: html_static_path, mathjax_path, nb_ipywidgets_js) and the scratch
# folder is deleted. The stamp is keyed on the lock, so this runs once per lock change. Copied:
# require.js (licence in its header); html-manager's AMD embedder, which bundles the base,
# controls and output widgets, with the icon fonts (Font Awesome 5, webpack-hashed names) that
# its CSS loads from beside it; MathJax's combined TeX/MathML + CHTML component and what it
# loads on demand (TeX extensions, fonts, the menu's accessibility explorer).
NPM ?= npm
VENDOR := assets/vendor
VENDOR_STAMP := $(VENDOR)/.installed
NPM_DIR := _build/npm
NM := $(NPM_DIR)/node_modules

CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: book test setup clean bench lint strip vendor chromium mutate

# The venv. Rebuilt when the pins or the package metadata change, or when liqlib/__init__.py
# appears or changes (the editable install maps the liqlib package that exists at install time).
# The kernelspec is written into the venv (--sys-prefix), never into ~/.local or /usr/local, with
# the venv's python as an absolute path: Jupyter Book, nbval and `jupyter lab` all run chapters
# in the venv whatever PATH says.
$(STAMP): requirements.txt pyproject.toml $(wildcard liqlib/__init__.py)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --no-input -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check --no-input \
	    --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
	    --display-name "Python 3 (liqlib)" >/dev/null
	touch $@

setup: $(STAMP)

$(VENDOR_STAMP): assets/package.json assets/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "make: npm (Node.js) is needed to install the" \
	    "site's browser assets (Debian: apt-get install npm)" >&2; exit 1; }
	rm -rf $(NPM_DIR) $(VENDOR)
	mkdir -p $(NPM_DIR) $(VENDOR)/html-manager $(VENDOR)/mathjax
	cp assets/package.json assets/package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cp $(NM)/requirejs/require.js $(VENDOR)/
	cp $(NM)/@jupyter-widgets/html-manager/dist/{embed-amd.js,*.woff2,*.woff,*.ttf} \
	    $(NM)/@jupyter-widgets/html-manager/LICENSE $(VENDOR)/html-manager/
	cp -R $(NM)/mathjax/es5/{tex-mml-chtml.js,a11y,adaptors,input,output,sre,ui} \
	    $(NM)/mathjax/LICENSE $(VENDOR)/mathjax/
	rm -rf $(NPM_DIR)
	touch $@

vendor: $(VENDOR_STAMP)

# LIQLIB_SITE_BUILD=1 tells the chapters' explorables to draw every frame for the static site (in
# a live kernel they draw each frame when the slider first reaches it).
book: setup $(VENDOR_STAMP)
	LIQLIB_SITE_BUILD=1 $(BIN)/jupyter-book build . $(JB_FLAGS) $(if $(JB_FORCE),--all)

# The browser for tests/site: Debian's chromium, installed when missing and apt-get is usable.
# Otherwise tests/site skips, except under CI=true, where it fails for want of a browser.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$(CHROMIUM)" = /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] \
	        && command -v apt-get >/dev/null; then \
	    echo "make: installing Debian's chromium for tests/site"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
	    echo "make: no browser at $(CHROMIUM), and apt-get is not usable to install one:" \
	         "tests/site will skip (fail under CI=true)" >&2; \
	fi

# Build the book (the browser tests need the site; under CI=true the build is forced), then four
# pytest runs, in this order; each must collect at least one test (exit 5 fails the target).
# --nbval-lax: a chapter's cells are executed and must not raise; stored outputs are not compared
# (chapters are committed without outputs, and hidden assert cells make the run a real check).
# --nbval-current-env: the kernel is this venv's python, whatever kernelspecs exist elsewhere.
# tests/site: every page of _build/html in Chromium (console errors, failed or off-site requests,
# math, alt text, explorables); screenshots land in _build/screenshots/.
test: book chromium
	$(PYTEST) tests --ignore=tests/site --hypothesis-seed=$(HYPOTHESIS_SEED) $(PYTEST_ARGS)
	$(PYTEST) --doctest-modules liqlib $(PYTEST_ARGS)
	$(PYTEST) --nbval-lax --nbval-current-env --nbval-cell-timeout=600 book/ $(PYTEST_ARGS)
	$(PYTEST) tests/site $(PYTEST_ARGS)
	$(MAKE) --no-print-directory lint

# Style and types of the library, its tests and benchmarks (chapters are prose-first code, not
# linted), and a check that no chapter is committed with outputs. Part of `make test`.
lint: setup
	$(BIN)/ruff check liqlib tests benchmarks book/surface.py book/check_chapter.py
	$(BIN)/mypy
	$(BIN)/nbstripout --verify $(STRIP_FLAGS) book/*.ipynb

strip: setup
	$(BIN)/python book/surface.py book/*.ipynb
	$(BIN)/nbstripout $(STRIP_FLAGS) book/*.ipynb

bench: setup
	failed=""; \
	for script in benchmarks/*.py; do \
	    echo "== $$script"; \
	    $(BIN)/python $$script || failed="$$failed $$script"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed" >&2; exit 1; fi

# Mutation testing: mutmut (pinned in requirements.txt) mutates MODULE one change at a time and
# runs TESTS against each mutant, under nice on one worker (the machine is shared). It runs in a
# scratch copy with its own setup.cfg, so the project carries no mutmut config and no mutants/.
# Survivors: `cd _build/mutate && mutmut results`, `mutmut show <name>`. The kill rate to keep is
# >= 90% of the non-equivalent mutants (equivalents are listed in the commit that measured it).
MODULE ?= liqlib/core/contracts.py
TESTS ?= tests/test_contracts_tiers_margin.py tests/test_bad_input.py
MUTATE_DIR := _build/mutate
mutate: setup
	rm -rf $(MUTATE_DIR) && mkdir -p $(MUTATE_DIR)
	cp -R liqlib tests pyproject.toml $(MUTATE_DIR)/
	$(BIN)/python -c 'import sys; nl = "\n    "; print("[mutmut]\nsource_paths = liqlib\n" \
	    "only_mutate = " + sys.argv[1] + "\npytest_add_cli_args =" + nl + nl.join(["-p", \
	    "no:cacheprovider", "-x", "-q"]) + "\npytest_add_cli_args_test_selection =" + nl \
	    + nl.join(sys.argv[2:]))' $(MODULE) $(TESTS) > $(MUTATE_DIR)/setup.cfg
	printf '%s\n' 'from hypothesis import HealthCheck, settings' \
	    '# mutmut calls each test from its own runner: deterministic, no database, no health checks' \
	    'settings.register_profile("mutate", derandomize=True, database=None, deadline=None,' \
	    '                          max_examples=30, suppress_health_check=list(HealthCheck))' \
	    'settings.load_profile("mutate")' > $(MUTATE_DIR)/tests/conftest.py
	cd $(MUTATE_DIR) && nice -n 10 $(abspath $(BIN))/mutmut run --max-children 1
	cd $(MUTATE_DIR) && $(abspath $(BIN))/mutmut results

clean:
	rm -rf _build
