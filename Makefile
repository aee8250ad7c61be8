# cxgov: the two commands a new machine needs are `make run` and `make test`.
# Everything runs from .venv/bin, so nothing needs activating.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CXGOV := $(BIN)/cxgov
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
WORKERS ?= 2
BIND ?= 127.0.0.1:8000

STAMP := $(VENV)/.cxgov-installed

.PHONY: install run test test-postgres openapi

## install: create .venv (if missing) and install cxgov with its test dependencies.
## Reinstalls only when pyproject.toml changed (or .venv is new), so repeated and
## parallel `make` calls do not race on pip.
install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "cxgov needs Python 3.11 or newer ($(PYTHON) is $$($(PYTHON) --version 2>&1))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

## run: install, migrate, load the demo into an empty database, serve on $(BIND)
run: install
	$(CXGOV) db upgrade
	$(CXGOV) demo --if-empty
	$(CXGOV) serve --workers $(WORKERS) --bind $(BIND)

## test: install, then the whole suite (SQLite)
test: install
	$(BIN)/pytest -q

## test-postgres: the whole suite against PostgreSQL at $(PG_TEST_URL)
test-postgres: install
	CXGOV_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

## openapi: regenerate the committed OpenAPI spec
openapi: install
	$(CXGOV) openapi write openapi/openapi.json
