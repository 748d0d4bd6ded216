# Two commands matter: `make demo` and `make test`. Both set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test lint demo docs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt scripts/ensure-system-packages.sh matrixone_lite/native/mo_native.c
	@PYTHON=$(PYTHON) bash scripts/ensure-system-packages.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@echo "setup: installing Python packages into $(VENV) (first time takes a few minutes)"
	@$(PY) -m pip install -q -c constraints.txt -e '.[lite,dev,docs]'
	@$(PY) -m matrixone_lite.native >/dev/null  # lite's native SQL functions (C), built once
	@touch $(STAMP)

# MO_LITE_NATIVE=required: lite's native SQL functions must load (no silent fall-back to Python in CI)
test: setup
	MO_LITE_NATIVE=required $(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

demo: setup
	$(PY) scripts/demo.py

docs: setup
	$(VENV)/bin/mkdocs build --strict --site-dir site

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .demo
