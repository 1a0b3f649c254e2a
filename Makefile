# kepu — the two commands are `make run` and `make test`; everything else is a building block.
SHELL := /bin/bash
PY_BOOT := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/kepu
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); each gets its own test database with the demo city loaded.
TEST_WORKERS ?= 2

.PHONY: run test setup venv assets fonts browser db demo worker lint typecheck test-sqlite test-postgres \
        bench bench-literacy bench-orders bench-pages bench-plans r-survey clean

## make run: set up, migrate SQLite, load the demo city, start the web server and the task worker
run: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	@$(PY) manage.py demo_logins --host $(HOST) --port $(PORT)
	@# Debug pages off (KEPU_DEBUG=1 turns them on): visitors of the demo see kepu's Chinese 404/403 pages.
	@trap 'kill 0' EXIT; export KEPU_DEBUG=$${KEPU_DEBUG:-0}; \
	  $(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & \
	  $(PY) manage.py kepu_scheduler >var/scheduler.log 2>&1 & \
	  $(PY) manage.py runserver $(HOST):$(PORT) --skip-checks

## make test: set up, then the whole suite on SQLite and on PostgreSQL, then lint
test: setup browser
	scripts/wait-for-postgres
	scripts/wait-for-redis
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	KEPU_TEST_DB=sqlite $(PY) -m pytest -q -n $(TEST_WORKERS) -m "not postgres_only" $(PYTEST_ARGS)

test-postgres:
	KEPU_TEST_DB=postgres DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -n $(TEST_WORKERS) -m "not e2e" $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

setup: venv assets fonts
	@mkdir -p var
	@$(PY) manage.py collectstatic --no-input -v 0

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

assets: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Chinese fonts for the charts inside Word reports
fonts:
	@scripts/ensure-debian-packages fonts-noto-cjk

## Debian's Chromium and CJK fonts for the browser journeys (installed once, needs root or sudo)
browser:
	@scripts/ensure-debian-packages chromium fonts-noto-cjk

## R and its survey package, the reference tool for the literacy estimates
r-survey:
	@scripts/ensure-debian-packages r-base-core r-cran-survey

bench-literacy: setup r-survey
	$(PY) -m bench.literacy_vs_r

bench-orders: setup
	scripts/wait-for-postgres
	DATABASE_URL=$(PG_URL) $(PY) -m bench.orders

## make bench-pages: every page of the authorisation tables at demo and at city volume (throwaway PostgreSQL
## database named by KEPU_BENCH_DB, or derived from the user and this checkout)
bench-pages: setup
	scripts/wait-for-postgres
	DATABASE_URL=$(PG_URL) $(PY) -m bench.pages $(BENCH_ARGS)

bench-plans: setup
	$(PY) -m bench.plans

clean:
	rm -rf $(VENV) node_modules staticfiles var
