"""What every Django benchmark shares: a throw-away installation under
var/bench/<name> and a way to time a page.

Call `setup(name)` before importing any model. By default the benchmark
runs on the embedded default (a fresh SQLite file, no broker); with
BENCH_DATABASE_URL (and BENCH_BROKER_URL) set it runs against that
PostgreSQL database and broker instead — a database the benchmark may
empty and fill, never a production one."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup(name: str, **env: str) -> Path:
    sys.path.insert(0, str(ROOT))
    var = ROOT / "var" / f"bench-{name}"
    shutil.rmtree(var, ignore_errors=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "ATRIUM_VAR_DIR": str(var),
            "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{var / 'bench.sqlite3'}",
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
            "EMAIL_BACKEND": "file",
            # Texts are kept in memory, not printed: the output is the figures.
            "ATRIUM_SMS_BACKEND": "locmem",
            **env,
        }
    )
    if os.environ.get("BENCH_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = os.environ["BENCH_BROKER_URL"]
    else:
        os.environ.pop("CELERY_BROKER_URL", None)

    import django

    django.setup()
    return var


def on_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def full() -> bool:
    """`make bench-full` (BENCH_FULL=1) runs the large sizes; `make bench`
    a quick set that stays under ten minutes on a 2-core machine."""
    return os.environ.get("BENCH_FULL") == "1"


def median_ms(fn, runs: int = 7, clock=time.perf_counter) -> float:
    """Median milliseconds of `fn()` by `clock` after one warm-up."""
    fn()
    samples = []
    for _ in range(runs):
        start = clock()
        fn()
        samples.append(clock() - start)
    return statistics.median(samples) * 1000


def cpu_ms(fn, runs: int = 7) -> float:
    """Median process CPU milliseconds of `fn()` after one warm-up: CPU time,
    not wall time, so that another process on a shared machine weighs less on
    a ratio measured in the same run."""
    return median_ms(fn, runs, clock=time.process_time)


def report(name: str, value: float, unit: str = "") -> None:
    """One `name: value unit` line, the format every benchmark prints."""
    print(f"{name}: {value:.3g} {unit}".rstrip(), flush=True)


def reset_database() -> None:
    """Migrate a fresh database; on PostgreSQL empty it first."""
    from django.core.management import call_command

    if on_postgresql():
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)


def measure(client, url: str, params=None, runs: int = 7) -> tuple[float, int]:
    """Median milliseconds of `runs` GETs after a warm-up, and the query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params)
    return statistics.median(times) * 1000, len(ctx.captured_queries)


def approve_and_stamp(letter, people) -> None:
    """Through the real chain in this process: the drafter starts the
    workflow, the leader and the seal keeper approve, the letter is stamped.
    Whether its tasks run here (eager) is the caller's choice."""
    from notices.services.letters import letter_stamp
    from portal.models.accounts import Role

    letter.get_workflow().start(letter, people[Role.DRAFTER])
    for role in (Role.LEADER, Role.SEAL_KEEPER):
        letter.refresh_from_db()
        state = letter.current_workflow_state.current_task_state
        state.task.specific.on_action(state, people[role], "approve")
    letter_stamp(letter_id=letter.pk)
