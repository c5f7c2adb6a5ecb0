"""The world built once for the tests that use it (tests/fixtures/shared_world.py)
looks to each of them as a world built for it alone did."""

import datetime as dt
from dataclasses import fields

import pytest
from django.utils import timezone

from portal.models import User
from tenants.models import Operator

from .fixtures import shared_world
from .fixtures.shared_world import on_world

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


def _second_operator(world):
    world.second = Operator.objects.create(code="ONWORLD", name="第二运营商")
    return world.second


second_operator = on_world("second_operator", _second_operator)


def test_a_fixture_built_on_the_world_is_in_the_tests_copy_of_it(world, second_operator):
    assert shared_world._shared.is_open() and len(shared_world._shared.layers) == 1
    assert world.second is second_operator  # one copy, as when the test built it from its world
    assert _row(second_operator) == _row(Operator.objects.get(code="ONWORLD"))
    second_operator.name = "改名"
    second_operator.save()


def test_a_test_sharing_the_world_without_that_fixture_sees_none_of_it(world):
    assert shared_world._shared.is_open() and shared_world._shared.layers == []
    assert not Operator.objects.filter(code="ONWORLD").exists()
    assert not hasattr(world, "second")


def test_what_a_test_did_to_a_fixture_built_on_the_world_is_gone_for_the_next(world, second_operator):
    assert Operator.objects.get(code="ONWORLD").name == second_operator.name == "第二运营商"


def test_a_test_without_the_world_sees_none_of_it():
    assert shared_world._shared is None or not shared_world._shared.is_open()
    assert not Operator.objects.filter(code="TEST").exists()
    assert not User.objects.filter(email="ops@a.test").exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_a_world_of_its_own(world):
    # No shared world at all when this process ran no test sharing one.
    assert shared_world._shared is None or not shared_world._shared.is_open()
    assert Operator.objects.filter(code="TEST").count() == 1


@pytest.mark.time_machine(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_test_that_travels_in_time_gets_a_world_built_at_that_time(world):
    assert not shared_world._shared.is_open()
    assert world.ops_a.date_joined == timezone.now() == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
