"""Each centre's deadline table is set by its manager in the admin."""

import pytest
from django.urls import reverse

from tenants.models import DeadlinePolicy
from tests.base import ANONYMOUS, assert_access

pytestmark = pytest.mark.django_db


def _url(view, *args):
    return reverse(f"wagtailsnippets_tenants_deadlinepolicy:{view}", args=args)


def test_the_manager_sets_a_centres_deadlines(client, world):
    client.force_login(world.manager)
    response = client.post(_url("add"), {"centre": world.centre_a.pk, "response_hours": 12,
                                         "complaint_resolution_hours": 48, "major_answer_hours": 24, "warn_before_hours": 2,
                                         "recording_retention_days": 30})
    assert response.status_code == 302
    assert DeadlinePolicy.for_centre(world.centre_a).response.total_seconds() == 12 * 3600


def test_zero_hours_are_refused(client, world):
    client.force_login(world.manager)
    response = client.post(_url("add"), {"centre": world.centre_a.pk, "response_hours": 0,
                                         "complaint_resolution_hours": 48, "major_answer_hours": 24, "warn_before_hours": 2,
                                         "recording_retention_days": 30})
    assert response.status_code == 200 and not DeadlinePolicy.objects.exists()


def test_only_managers_reach_the_deadline_table(world):
    policy = DeadlinePolicy.objects.create(centre=world.centre_a)
    assert_access(_url("edit", policy.pk), allowed=[world.manager],
                  refused=[world.ops_a, world.ops_b, world.signer_a, ANONYMOUS])
    assert_access(_url("list"), allowed=[world.manager], refused=[world.ops_a, world.signer_a, ANONYMOUS])
