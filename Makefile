# Silta — the two commands of the README, and a few helpers.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean benchmark simulate

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Run the product locally against the sandbox: SQLite, task cluster, web server.
demo: $(STAMP)
	DEBUG=true $(BIN)/python manage.py rundemo

## Run the whole test suite on a throwaway PostgreSQL (or on $$DATABASE_URL if set).
test: $(STAMP)
	@if [ -n "$$DATABASE_URL" ]; then \
		$(BIN)/pytest $(PYTEST_ARGS); \
	else \
		tests/postgres.sh run $(BIN)/pytest $(PYTEST_ARGS); \
	fi

## Measure the article sync (requests vs the minimum, wall time, peak RSS) on a database of its own.
## Many tenants on one eAccounting budget, on a scaled clock, on a throwaway PostgreSQL (see README).
simulate: $(STAMP)
	DEBUG=true tests/postgres.sh run sh -c '$(BIN)/python manage.py migrate -v0 && $(BIN)/python manage.py simulate $(ARGS)'

benchmark: $(STAMP)
	mkdir -p var
	rm -f var/benchmark.sqlite3*
	DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/var/benchmark.sqlite3 $(BIN)/python manage.py migrate -v0
	DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/var/benchmark.sqlite3 $(BIN)/python manage.py benchmark $(or $(ARGS),articles)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
