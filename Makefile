# Atrium — the commands. `make run` and `make test` work on a fresh Debian
# machine from a clean clone; they install what they need first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/atrium
REDIS_BROKER ?= redis://127.0.0.1:6379/15

.PHONY: run test test-fast test-pg test-faults bench bench-full bench-pg lint system venv messages clean

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

# Tests run in two lanes. The parallel lane is everything that starts neither a
# browser nor a worker process, spread over $(XDIST) processes by pytest-xdist
# (each with its own test database and var/test/<pid> folder). Then browser and
# worker tests run one at a time: they share one chromium, one broker and the
# machine's two cores with the server or worker they start. The fault suite
# (marker faults) is in neither lane: it has a target of its own, below.
PYTEST := $(VENV)/bin/pytest
XDIST ?= auto
PARALLEL_LANE := not browser and not worker and not faults
SERIAL_LANE := (browser or worker) and not faults
# Both lanes with the environment $(1); non-zero if either fails, after both ran.
suite = $(1) $(PYTEST) -m "$(PARALLEL_LANE)" -n $(XDIST); parallel=$$?; \
	$(1) $(PYTEST) -m "$(SERIAL_LANE)"; serial=$$?; \
	[ $$parallel -eq 0 ] && [ $$serial -eq 0 ]

# Everything (the CI's command).
test: system venv messages
	$(call suite,)

# While working: the parallel lane without the tests that seed the whole demo or
# run every migration (marker slow). The test database is migrated once into a
# template and copied for each process (tests/fixtures/database.py), so only
# the first run after a migration changes pays the minute of CPU that every
# xdist worker used to pay. Measured alone on a 2-core machine, template
# included: 4.5 minutes wall, 470 s of CPU (1,030 tests; it was 10 minutes and
# 970 s), before tests/access/ ran on one worker with its world built once
# (not measured again since). Issue 12 wants it under 3; the URL x role walk
# is its largest part.
test-fast: system venv messages
	$(PYTEST) -m "$(PARALLEL_LANE) and not slow" -n $(XDIST)

# The same suite on the production stack: PostgreSQL and a Redis broker.
test-pg: system venv messages
	$(call suite,DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_BROKER))

# The fault suite (tests/faults/): real workers killed with SIGKILL in the middle
# of stamping, a fan-out, certificate sealing and the deadline sweep, replaced,
# and the work checked done exactly once; it prints its recovery figures. On the
# production stack, as CI runs it (a few minutes); `$(PYTEST) -m faults` runs it
# on the embedded default.
test-faults: system venv messages
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_BROKER) $(PYTEST) -m faults

bench: system venv messages
	$(PY) bench/run.py

# The large sizes (100,000 deliveries, 50,000 letters, 10,000 recipients): long.
bench-full: system venv messages
	BENCH_FULL=1 $(PY) bench/run.py

# The same benchmarks on the production stack, in a database they may empty
# (atrium_bench, created if missing): the dashboard's 200 centres × 1,000
# tenants, delivery through Redis.
BENCH_PG_DB ?= atrium_bench
bench-pg: system venv messages
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_PG_DB)'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(BENCH_PG_DB)"
	BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_PG_DB) BENCH_BROKER_URL=redis://127.0.0.1:6379/14 $(PY) bench/run.py

# ruff, and the layer contract in pyproject.toml (site → domain → foundation).
lint: venv
	$(VENV)/bin/ruff check .
	PYTHONPATH=. $(VENV)/bin/lint-imports

clean:
	rm -rf var/test var/celery
