# Build the book and run the tests. Needs GNU make and python3 (3.11); everything else comes from
# requirements.txt into .venv, which every target creates on first use.
#
#   make book            build the site into _build/html (-n -W --keep-going: any warning fails);
#                        notebooks re-execute only when their code changed (jupyter-cache)
#   make book FORCE=1    drop the execution cache and re-execute every chapter (CI=true does too)
#   make test            pytest tests/, liqlib doctests, then every chapter under nbval
#   make lint            ruff, mypy, and a check that committed notebooks carry no outputs
#   make strip           strip outputs and execution counts from the chapters before committing
#   make bench           run benchmarks/liquidation_price.py
#   make clean           remove _build (the site and the execution cache); .venv stays
#
# PYTEST_ARGS is passed to every pytest run, e.g. `make test PYTEST_ARGS="-x -q"`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
PYTEST_ARGS ?=
JB_FLAGS := -n -W --keep-going
# Plain nbstripout (outputs removed, execution counts nulled). nbval treats a cell whose
# execution_count is null as an unrun reference: it runs it and compares nothing. With
# --keep-count and no outputs, nbval instead compares every NBVAL_CHECK_OUTPUT cell (and, under
# --nbval, every cell) against the empty stored output and fails it (checked with nbval 0.11.0).
# nbstripout 0.9 also renumbers cell ids "0", "1", ... (deterministic; --keep-id would keep them).
STRIP_FLAGS :=

# `execute_notebooks: cache` keys on a notebook's code, not on liqlib, so a cached chapter can show
# stale numbers after a library change. A forced build deletes the cache (every chapter
# re-executes and the cache is refilled) and passes --all (every page is re-rendered).
ifneq ($(filter 1 true yes,$(FORCE) $(CI)),)
  JB_FORCE := 1
endif

.PHONY: book test setup clean bench lint strip

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

book: setup
ifdef JB_FORCE
	rm -rf _build/.jupyter_cache
	$(BIN)/jupyter-book build . $(JB_FLAGS) --all
else
	$(BIN)/jupyter-book build . $(JB_FLAGS)
endif

# Three pytest runs, in this order; each must collect at least one test (exit 5 fails the target).
# --nbval-lax: a chapter's cells are executed and must not raise; stored outputs are not compared
# (chapters are committed without outputs, and hidden assert cells make the run a real check).
# --nbval-current-env: the kernel is this venv's python, whatever kernelspecs exist elsewhere.
test: setup
	$(PYTEST) tests $(PYTEST_ARGS)
	$(PYTEST) --doctest-modules liqlib $(PYTEST_ARGS)
	$(PYTEST) --nbval-lax --nbval-current-env --nbval-cell-timeout=600 book/ $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/nbstripout --verify $(STRIP_FLAGS) book/*.ipynb

strip: setup
	$(BIN)/nbstripout $(STRIP_FLAGS) book/*.ipynb

bench: setup
	$(BIN)/python benchmarks/liquidation_price.py

clean:
	rm -rf _build
