import pytest
from django.db import transaction

from .world import build_access_world


@pytest.fixture(scope="package")
def access_world(django_db_setup, django_db_blocker):
    """The world, built once for all the tests of this folder inside a
    transaction that is rolled back after the last of them: each test still
    runs in its own savepoint (the `db` fixture), so what one role's requests
    change never reaches the next.

    Building it takes some 8 s of CPU; it used to be built once per module.
    Under xdist, every test of this folder goes to one worker, in a row
    (`AccessFolderTogether`, tests/conftest.py), which builds it once —
    spread over both workers between other tests, each worker would leave the
    package and build it again.

    Every test of this folder that touches the database therefore runs inside
    that transaction once the world exists: it uses `access_world` (its people
    and records) rather than building a world of its own (`world` would clash
    with it on unique names)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_access_world()
        transaction.set_rollback(True)
