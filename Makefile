# Atrium — the commands. `make run` and `make test` work on a fresh Debian
# machine from a clean clone; they install what they need first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/atrium
REDIS_BROKER ?= redis://127.0.0.1:6379/15

.PHONY: run test test-pg test-all bench bench-pg lint system venv messages clean

system:
	@bash scripts/system-deps.sh

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: Atrium needs Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q --require-hashes --no-deps -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

# The project catalogue (locale/) and each app's own (<app>/locale/); a few
# seconds, so always rebuilt rather than tracked file by file.
messages: system venv
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var -v0

run: system venv messages
	@bash scripts/run.sh

test: system venv messages
	$(VENV)/bin/pytest

# The same suite on the production stack: PostgreSQL and a Redis broker.
test-pg: system venv messages
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_BROKER) $(VENV)/bin/pytest

bench: system venv messages
	$(PY) bench/run.py

# The same benchmarks on the production stack, in a database they may empty
# (atrium_bench, created if missing): the dashboard's 200 centres × 1,000
# tenants, delivery through Redis.
BENCH_PG_DB ?= atrium_bench
bench-pg: system venv messages
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_PG_DB)'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(BENCH_PG_DB)"
	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_PG_DB) BENCH_BROKER_URL=redis://127.0.0.1:6379/14 $(PY) bench/run.py

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf var/test var/celery
