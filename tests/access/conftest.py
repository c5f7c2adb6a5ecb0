import pytest
from django.db import transaction

from .world import build_access_world


@pytest.fixture(scope="module")
def access_world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction that is
    rolled back at the end: each test still runs in its own savepoint (the
    `db` fixture), so what one role's requests change never reaches the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_access_world()
        transaction.set_rollback(True)
