"""The world built once for the tests that use it (tests/fixtures/shared_world.py)
looks to each of them as a world built for it alone did."""

import datetime as dt
from dataclasses import fields

import pytest
from django.utils import timezone

from portal.models import User
from tenants.models import Operator

from .fixtures import shared_world

pytestmark = pytest.mark.django_db


def _row(obj) -> dict:
    return {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields}


def test_a_test_gets_its_own_copy_of_the_world_the_database_holds(world):
    assert shared_world._shared.is_open()  # this test shares it
    other = shared_world.world_for_test()
    for field in fields(world):
        mine, theirs = getattr(world, field.name), getattr(other, field.name)
        assert mine is not theirs
        assert _row(mine) == _row(theirs) == _row(type(mine).objects.get(pk=mine.pk)), field.name
    # Related objects are shared within one copy, as a fresh build shares them.
    assert world.tenant_a.centre is world.centre_a and world.centre_a.operator is world.operator
    world.tenant_a.trading_name = "改名"
    assert other.tenant_a.trading_name == "蜀香火锅"


def test_a_test_without_the_world_sees_none_of_it():
    assert shared_world._shared is None or not shared_world._shared.is_open()
    assert not Operator.objects.filter(code="TEST").exists()
    assert not User.objects.filter(email="ops@a.test").exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_a_world_of_its_own(world):
    assert not shared_world._shared.is_open()
    assert Operator.objects.filter(code="TEST").count() == 1


@pytest.mark.time_machine(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_test_that_travels_in_time_gets_a_world_built_at_that_time(world):
    assert not shared_world._shared.is_open()
    assert world.ops_a.date_joined == timezone.now() == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
