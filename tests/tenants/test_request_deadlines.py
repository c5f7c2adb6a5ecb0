"""The scheduled sweep warns before a deadline and escalates after it, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.models import AuditEvent
from portal.scheduling import DEADLINE_SWEEP_NAME
from tenants.models import DeadlineAlert, RequestEntry
from tenants.services.deadlines import request_deadlines_sweep
from tenants.services.requests import request_reply
from tenants.tasks import SWEEP_TASK_NAME, sweep_request_deadlines
from tests.base import make_request

pytestmark = pytest.mark.django_db


def test_the_sweep_is_scheduled_by_migrate(db):
    task = PeriodicTask.objects.get(name=DEADLINE_SWEEP_NAME)
    assert task.task == SWEEP_TASK_NAME and task.enabled and task.interval is not None


def test_the_assignee_is_warned_before_the_deadline(world, django_capture_on_commit_callbacks):
    sr = make_request(world, assignee=world.drafter_a)
    now = sr.response_due - timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_deadlines_sweep(now=now) == {"warnings": 1, "escalations": 0}
    alert = DeadlineAlert.objects.get()
    assert alert.kind == "warning" and alert.recipients == ["drafter@a.test"]
    assert mail.outbox[-1].to == ["drafter@a.test"] and sr.number in mail.outbox[-1].subject


def test_nothing_happens_long_before_a_deadline(world):
    make_request(world)
    assert request_deadlines_sweep(now=timezone.now()) == {"warnings": 0, "escalations": 0}
    assert not mail.outbox


def test_after_the_deadline_the_centres_manager_is_told_once(world, django_capture_on_commit_callbacks):
    sr = make_request(world)
    later = sr.response_due + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_deadlines_sweep(now=later)["escalations"] == 1
    assert request_deadlines_sweep(now=later + timedelta(hours=1))["escalations"] == 0
    sweep_request_deadlines.delay()  # the task, as beat runs it: nothing new either
    sr.refresh_from_db()
    assert sr.escalated_at is not None
    assert mail.outbox[-1].to == ["manager@test"]
    assert sr.entries.filter(kind=RequestEntry.Kind.ESCALATED, public=False).count() == 1
    assert AuditEvent.objects.for_object(sr).filter(action="request.deadline_escalation").count() == 1


def test_a_met_deadline_is_not_escalated(world):
    sr = make_request(world)
    request_reply(actor=world.ops_a, service_request=sr, body="收到")
    assert request_deadlines_sweep(now=sr.response_due + timedelta(hours=1)) == {"warnings": 0, "escalations": 0}


def test_an_open_complaint_is_escalated_for_its_resolution(world):
    sr = make_request(world, category="complaint")
    request_reply(actor=world.ops_a, service_request=sr, body="收到")
    request_deadlines_sweep(now=sr.resolution_due + timedelta(minutes=5))
    assert DeadlineAlert.objects.filter(request=sr, milestone="resolution", kind="escalation").exists()
