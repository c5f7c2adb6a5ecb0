"""Figures for the managers' audit: deadline rates, repeat complaints, satisfaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import ServiceRequest
from tenants.selectors.directory import centres_visible_to
from tenants.selectors.figures import request_figures
from tenants.services.request_status import request_close, request_rate, request_reopen
from tenants.services.requests import request_reply
from tests.base import make_request

pytestmark = pytest.mark.django_db


def _late(sr, **fields):
    ServiceRequest.objects.filter(pk=sr.pk).update(**fields)


def test_rates_per_centre_category_and_month(world):
    on_time = make_request(world, category="complaint")
    request_reply(actor=world.ops_a, service_request=on_time, body="收到")
    request_close(actor=world.ops_a, service_request=on_time, resolution="已处理")
    request_rate(actor=world.signer_a, service_request=on_time, rating=5)

    late = make_request(world, category="complaint")
    request_close(actor=world.ops_a, service_request=late, resolution="已处理")
    _late(late, responded_at=late.response_due + timedelta(hours=1), closed_at=late.resolution_due + timedelta(hours=1))
    request_rate(actor=world.signer_a, service_request=late, rating=2)

    repeat = make_request(world, category="complaint")
    request_close(actor=world.ops_a, service_request=repeat, resolution="已处理")
    request_reopen(actor=world.signer_a, service_request=repeat, reason="又坏了")

    pending = make_request(world, category="complaint")  # deadlines ahead: counts in neither
    make_request(world, tenant=world.tenant_b)  # another centre

    rows = request_figures(centres=centres_visible_to(world.ops_a))
    assert len(rows) == 1
    row = rows[0]
    assert (row["centre"], row["category"], row["total"]) == (world.centre_a.pk, "complaint", 4)
    assert row["month"] == timezone.localdate().replace(day=1)
    assert (row["response_met"], row["response_missed"], row["response_rate"]) == (2, 1, 66.7)
    assert (row["resolution_met"], row["resolution_missed"], row["resolution_rate"]) == (1, 1, 50.0)
    assert (row["repeat_complaints"], row["repeat_complaint_rate"]) == (1, 25.0)
    assert (row["rated"], row["satisfaction_rate"], row["rating_avg"]) == (2, 50.0, 3.5)
    assert pending.pk


def test_an_unanswered_request_past_its_deadline_counts_as_missed(world):
    make_request(world)
    now = timezone.now() + timedelta(days=2)
    row = request_figures(centres=centres_visible_to(world.ops_a), group_by=("centre",), now=now)[0]
    assert (row["response_met"], row["response_missed"], row["response_rate"]) == (0, 1, 0.0)


def test_figures_are_scoped_to_the_centres_given(world):
    make_request(world, tenant=world.tenant_b)
    assert request_figures(centres=centres_visible_to(world.ops_a)) == []
    assert len(request_figures(centres=centres_visible_to(world.manager), group_by=("centre",))) == 1
