import os
import shutil

import pytest
from django.core.cache import cache

from .base import build_world

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps login rate limits in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return build_world()


def pytest_sessionfinish(session, exitstatus):
    from django.conf import settings

    # The per-run folder of portal.settings.test (database file, broker, media).
    if "var/test/" in str(settings.VAR_DIR):
        shutil.rmtree(settings.VAR_DIR, ignore_errors=True)
