# Silta — the two commands of the README, and a few helpers.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format types check venv clean benchmark simulate

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Run the product locally against the sandbox: SQLite, task cluster, web server.
demo: $(STAMP)
	mkdir -p var
	DEBUG=true $(BIN)/python manage.py rundemo

## Run the whole test suite on a throwaway PostgreSQL (or on $$DATABASE_URL if set), on TEST_WORKERS
## pytest-xdist workers (a file's tests stay on one worker; TEST_WORKERS=0 runs them in this process).
TEST_WORKERS ?= 3
TEST_PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile
test: $(STAMP)
	@if [ -n "$$DATABASE_URL" ]; then \
		$(TEST_PYTEST) $(PYTEST_ARGS); \
	else \
		tests/postgres.sh run $(TEST_PYTEST) $(PYTEST_ARGS); \
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

## Lint: ruff's rules and its format (check only; `make format` rewrites).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .

## Types: mypy with django-stubs (mypy.ini: strict for the pure planners, the budget plan and the claim).
types: $(STAMP)
	DEBUG=true $(BIN)/mypy

## The inner loop: lint, types, and every test that needs no browser, subprocess or sleep, on
## CHECK_WORKERS pytest-xdist workers (most of a test's time is waiting on the database and the sandboxes,
## so more workers than cores still helps), with a tenth of each property test's generated cases.
CHECK_WORKERS ?= 4
CHECK_PYTEST := env SILTA_QUICK_PROPERTIES=1 $(BIN)/pytest -q -m "not browser and not slow" -n $(CHECK_WORKERS) --dist loadfile
check: lint types
	@if [ -n "$$DATABASE_URL" ]; then \
		$(CHECK_PYTEST) $(PYTEST_ARGS); \
	else \
		tests/postgres.sh run $(CHECK_PYTEST) $(PYTEST_ARGS); \
	fi

clean:
	rm -rf $(VENV) var/* staticfiles .pytest_cache .ruff_cache  # var/.gitignore stays: var/ is tracked
