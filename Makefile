# Postframe: `make run` serves the studio, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python

.PHONY: run test lint bench lock clean install install-test

run: install
	@scripts/run.sh

test: install-test
	@scripts/test.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install-test
	@scripts/bench.sh

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

$(VENV)/bin/python:
	@py=$$(scripts/find-python.sh) || exit 1; echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)
	@$(PYTHON) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements/run.txt | $(VENV)/bin/python
	$(PYTHON) -m pip install --quiet -r requirements/run.txt
	@touch $@

$(VENV)/.test-installed: requirements/test.txt $(VENV)/.run-installed
	$(PYTHON) -m pip install --quiet -r requirements/test.txt
	@scripts/install-chromium.sh
	@touch $@

# Re-pin every dependency after editing requirements/*.in.
lock: | $(VENV)/bin/python
	$(PYTHON) -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links -o run.txt run.in
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-header --allow-unsafe --no-emit-index-url --no-emit-find-links -o test.txt test.in

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache
