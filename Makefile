# Marsad's developer commands. A fresh machine needs only Python 3.11 (and make).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two workers fit the 2-core machines we run on; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: install install-test demo test test-fast lint format bench messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: '$(PYTHON)' was not found (set PYTHON=...)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	PORT=$(PORT) $(BIN)/marsad demo --port $(PORT)

test: install-test
	@$(BIN)/pytest -n $(PYTEST_WORKERS) -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; fi; \
	exit $$status

test-fast: install-test
	$(BIN)/pytest -q -m "not browser and not slow"

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	MARSAD_ENV=test $(BIN)/marsad makemigrations --check --dry-run
	MARSAD_ENV=test $(BIN)/marsad spectacular --validate --fail-on-warn --file /dev/null

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install-test
	@for script in bench/*/run.py; do echo "== $$script"; $(BIN)/python $$script || exit $$?; done

messages: install
	cd src/marsad && ../../$(BIN)/django-admin makemessages -l ar -l ckb --ignore=tests --no-wrap && ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info
