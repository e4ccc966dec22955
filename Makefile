# bench: the two commands a newcomer needs are `make run` and `make test`.
# Each does its own set-up: virtual environment, Python and front-end packages, assets,
# migrations (and, for the tests, Chromium and LibreOffice Calc, which tests drive).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
export FLASK_APP := wsgi.py

.PHONY: run test serve audit bench load assets install migration clean browser libreoffice test-tools wrk

## make run: migrate, seed the demo network (first run only) and serve on 127.0.0.1:5000
run: install assets
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make test: lint, architecture contracts, security audit, migrations check, the whole suite
test: install assets test-tools
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory audit
	$(BIN)/pytest $(PYTEST_ARGS)

## make audit: bandit (fails on high-severity findings in bench's code) and pip-audit (fails
## on any known vulnerability in the pinned packages; see README, "Security checks")
audit: install
	$(BIN)/bandit -q -c pyproject.toml -r bench seed config.py wsgi.py gunicorn.conf.py \
	  --severity-level high --confidence-level medium
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python .ci/audit_packages.py

## make serve: gunicorn with the production configuration on PostgreSQL and Redis, over
## plain HTTP on http://127.0.0.1:8000 (BENCH_PLAIN_HTTP=1: cookies not Secure, no HSTS).
## Makes the database if missing and migrates it first; SECRET_KEY, if not set, is made
## once into instance/secret_key. Any setting can be given: make serve BENCH_WORKERS=3
serve: install assets
	mkdir -p instance
	@test -s instance/secret_key || (umask 077 && $(BIN)/python -c \
	  "import secrets; print(secrets.token_urlsafe(48))" > instance/secret_key)
	export BENCH_CONFIG=production BENCH_PLAIN_HTTP=1 BENCH_PROXY_HOPS=$${BENCH_PROXY_HOPS:-0} \
	  SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}" \
	  DATABASE_URL="$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/bench}" \
	  REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" && \
	$(BIN)/flask database create && $(BIN)/flask db upgrade && \
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

install: $(STAMPS)/python $(STAMPS)/node

$(STAMPS)/python: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	mkdir -p $(STAMPS) && touch $@

$(STAMPS)/node: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(STAMPS) && touch $@

assets: bench/static/dist/bench.css

bench/static/dist/bench.css: $(STAMPS)/node assets/bench.scss assets/build.mjs
	npm run --silent build

## The programs tests drive: Chromium (browser tests) and LibreOffice (CSV round trips).
test-tools: browser libreoffice

## Debian's wrk, which drives make load's staff pages; installed when missing and we are
## root (without it, make load drives them with Python's threads).
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "Could not install wrk; make load drives the pages with Python's threads"; \
	  else echo "wrk is missing: make load drives the pages with Python's threads"; fi; \
	fi

## Debian's Chromium for the browser tests; installed when missing and we are root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium; browser tests will fail in CI"; \
	  else echo "chromium is missing (/usr/bin/chromium): browser tests need it"; fi; \
	fi

## Debian's LibreOffice Calc, without a GUI, for the tests that open exported CSV files in a
## spreadsheet; installed when missing and we are root.
libreoffice:
	@if [ ! -x /usr/bin/soffice ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-calc-nogui >/dev/null) \
	      || echo "Could not install libreoffice-calc-nogui; LibreOffice tests will fail in CI"; \
	  else echo "LibreOffice is missing (/usr/bin/soffice): LibreOffice tests need it"; fi; \
	fi

## make bench: performance benchmarks on SQLite and PostgreSQL (medians, with baselines)
bench: install assets
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	  $(BIN)/python -m benchmarks $(BENCH_ARGS)

## make load: gunicorn (production configuration) on PostgreSQL and Redis, at national
## scale, driven by 10, 50 and 100 signed-in users on loopback; LOAD_ARGS="--think 5"
load: install assets wrk
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	  $(BIN)/python -m benchmarks.load $(LOAD_ARGS)

## make migration message="...": autogenerate a migration to read, number and pin
migration: install
	$(BIN)/flask db revision --autogenerate -m "$(message)"

clean:
	rm -rf $(VENV) node_modules $(STAMPS) bench/static/dist
