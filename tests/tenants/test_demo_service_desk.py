"""The demo data shows the service desk in every state, and loading it twice adds nothing."""

import pytest
from django.core.management import call_command

from tenants.models import DeadlinePolicy, RequestStatus, ServiceRequest

pytestmark = pytest.mark.django_db


def test_the_demo_has_requests_in_every_state_and_is_idempotent():
    call_command("seed_demo", quiet=True)
    count = ServiceRequest.objects.count()
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    assert ServiceRequest.objects.filter(is_repeat_complaint=True).exists()
    assert ServiceRequest.objects.exclude(rating=None).exists()
    assert ServiceRequest.objects.filter(answered_at__isnull=False, answer_due__isnull=False).exists()
    assert DeadlinePolicy.objects.filter(centre__code="CB", response_hours=12).exists()
    call_command("seed_demo", quiet=True)
    assert ServiceRequest.objects.count() == count
