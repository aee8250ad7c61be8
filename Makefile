# cxgov: the two commands a new machine needs are `make run` and `make test`.
# Everything runs from .venv/bin, so nothing needs activating.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CXGOV := $(BIN)/cxgov
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
WORKERS ?= 2
BIND ?= 127.0.0.1:8000
CHROMIUM ?= /usr/bin/chromium

STAMP := $(VENV)/.cxgov-installed

.PHONY: install browser run test test-postgres openapi

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

## browser: Debian's chromium for tests/browser (Playwright drives it; no browser download),
## installed with apt-get when missing and this can (root, apt-get there); else those tests skip
## and say why. A failed install does not stop the suite.
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests: apt-get update && apt-get install -y chromium"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
			|| echo "apt-get could not install chromium: the browser tests (tests/browser) will skip"; \
	else \
		echo "no $(CHROMIUM), and installing it needs root and apt-get: the browser tests (tests/browser) will skip"; \
	fi
	@if [ -x $(CHROMIUM) ]; then echo "browser: $$($(CHROMIUM) --version 2>/dev/null)"; fi

## test: install, then the whole suite (SQLite)
test: install browser
	$(BIN)/pytest -q

## test-postgres: the whole suite against PostgreSQL at $(PG_TEST_URL)
test-postgres: install browser
	CXGOV_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

## openapi: regenerate the committed OpenAPI spec
openapi: install
	$(CXGOV) openapi write openapi/openapi.json
