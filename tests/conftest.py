import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import caches

from .fixtures.database import django_db_setup  # noqa: F401 - the test database, copied from a migrated template
from .fixtures.s3 import s3_bucket  # noqa: F401 - the bucket of make test-s3 (nothing otherwise)
from .fixtures.shared_world import (  # noqa: F401 - the world, built once for the tests that can share it
    _shared_world,
    _shared_world_keeper,
    close_unless_shared,
    share_world_with,
    world_for_test,
)
from .fixtures.worker import start_worker, worker  # noqa: F401 - fixtures for every test

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark tests by what they start, so that `-m` can leave them out; the
    marks must exist at collection, before any fixture runs.

    - `browser`: everything under tests/e2e/, and any test using the `browser`
      fixture (Playwright + chromium).
    - `worker`: any test using a real Celery worker process (`worker`,
      `start_worker`, tests/fixtures/worker.py).
    - `slow`: tests that seed the whole demo (`test_demo*.py`: seed_demo, run
      twice to prove it idempotent) — tens of seconds each — and the
      migration tests (`test_*_migration.py`: every migration backwards and
      forwards, over a minute).
    - `faults`: the fault suite (tests/faults/, `make test-faults`): workers
      killed mid-task. Left out of both lanes of `make test`.
    """
    for item in items:
        path = Path(str(item.path))
        names = set(getattr(item, "fixturenames", ()))
        if TESTS / "e2e" in path.parents or "browser" in names or "session_factory" in names:
            item.add_marker(pytest.mark.browser)
        if names & {"worker", "start_worker"}:
            item.add_marker(pytest.mark.worker)
        if path.name.startswith("test_demo") or path.name.endswith("_migration.py"):
            item.add_marker(pytest.mark.slow)
        if TESTS / "faults" in path.parents:
            item.add_marker(pytest.mark.faults)
    share_world_with(items, world_fixture_module=__name__)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the test's fixtures, so before its transaction opens.
    close_unless_shared(item)


def pytest_xdist_make_scheduler(config, log):
    """Under `-n`, as xdist's default ("load") hands out tests, except that the
    tests of tests/access/ are one unit, run in a row by one worker: their
    world is a package fixture built once (tests/access/conftest.py). xdist's
    own `--dist loadgroup` cannot do it here: with pytest 9 its group marks
    are silently ignored (it renames a node attribute pytest no longer reads)."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class AccessFolderTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return "tests/access/" if nodeid.startswith("tests/access/") else nodeid

    return AccessFolderTogether(config, log)


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps login rate limits in the cache; tests must not share them.
    # The public page cache too: a page cached by one test is not another's.
    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture
def world(db):
    """tests/base.py's World: a copy of the one built for the tests around
    this one, or built for it alone (tests/fixtures/shared_world.py)."""
    return world_for_test()


@pytest.fixture
def seeded_demo(db):
    """The whole demo, loaded once; call it with models to load the demo again
    and assert that it added none of them (seed_demo is idempotent)."""
    from django.core.management import call_command

    call_command("seed_demo", quiet=True)

    def seed_again_adds_nothing(*models):
        counts = [m.objects.count() for m in models]
        call_command("seed_demo", quiet=True)
        assert [m.objects.count() for m in models] == counts

    return seed_again_adds_nothing


# Last, after pytest-django has dropped the test database (a session fixture
# torn down by pytest's own sessionfinish): removing the folder first made that
# teardown fail with FileNotFoundError.
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from django.conf import settings

    # The per-run folder of portal.settings.test (database file, broker, media);
    # per process, so each xdist worker removes its own.
    if "var/test/" in str(settings.VAR_DIR):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)
