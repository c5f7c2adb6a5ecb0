"""A worker killed in the middle of the request-deadline sweep (held while it
mails the managers about one request): the next sweep escalates the rest, and
every overdue request is escalated exactly once — one alert, one log entry,
one audit event, at most one email (the one being sent at the kill is lost,
never repeated)."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent
from tenants.models import DeadlineAlert, RequestEntry, ServiceRequest
from tenants.tasks import sweep_request_deadlines
from tests.base import make_request
from tests.faults.conftest import beat
from tests.fixtures.worker import tasks_to_the_broker

N_REQUESTS = 20
SWEEP_EVERY = 2.0  # seconds between sweeps (ATRIUM_DEADLINE_SWEEP_MINUTES, scaled down)


def _number(subject: str) -> str:
    """The request's number: the subject is "[prefix]Deadline passed: <number>"."""
    return subject.rsplit(": ", 1)[-1]


def _escalations():
    return DeadlineAlert.objects.filter(kind=DeadlineAlert.Kind.ESCALATION)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_sweep_leaves_each_overdue_request_escalated_exactly_once(
        world, start_worker, smtp_server, figures):
    requests = [make_request(world, subject=f"空调不制冷 {i}") for i in range(N_REQUESTS)]
    # Only the first response is overdue: one escalation per request.
    ServiceRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        response_due=timezone.now() - timedelta(hours=1), answer_due=None, resolution_due=None)
    number_of = {r.pk: r.number for r in requests}

    worker = start_worker(**smtp_server.worker_env())
    with tasks_to_the_broker():
        sweep_request_deadlines.delay()  # as beat queues it
    worker.wait_for(lambda: len(smtp_server.accepted) >= 3, timeout=120, what="the first escalation emails")
    smtp_server.gate.close()
    worker.wait_for(lambda: smtp_server.gate.held, timeout=60, what="the worker to send an email")
    killed_at = worker.kill()
    alerted_at_kill = set(_escalations().values_list("request_id", flat=True))
    mailed_at_kill = {_number(subject) for _to, subject in smtp_server.accepted}
    assert len(alerted_at_kill) < N_REQUESTS, "the sweep finished before the kill"
    in_flight = {pk for pk in alerted_at_kill if number_of[pk] not in mailed_at_kill}
    assert len(in_flight) == 1  # written, its email held at the mail server when the worker died
    smtp_server.gate.open()

    worker = start_worker(**smtp_server.worker_env())
    worker.wait_ready()
    beat(worker, sweep_request_deadlines, every=SWEEP_EVERY,
         until=lambda: _escalations().count() == N_REQUESTS, what="every request escalated")
    recovery = time.monotonic() - killed_at
    worker.wait_for(lambda: len(smtp_server.accepted) == N_REQUESTS - 1, timeout=60, what="the last escalation email")
    worker.stop()

    for sr in requests:
        assert _escalations().filter(request=sr).count() == 1
        assert RequestEntry.objects.filter(request=sr, kind=RequestEntry.Kind.ESCALATED).count() == 1
        assert AuditEvent.objects.for_object(sr).filter(action="request.deadline_escalation").count() == 1
        assert ServiceRequest.objects.get(pk=sr.pk).escalated_at is not None
    mailed = Counter(_number(subject) for _to, subject in smtp_server.accepted)
    assert set(mailed.values()) == {1}, mailed  # nobody told twice
    assert set(mailed) == {number_of[pk] for pk in number_of.keys() - in_flight}
    assert all(to == ["manager@test"] for to, _s in smtp_server.accepted)
    bound = SWEEP_EVERY + settings.CELERY_TASK_TIME_LIMIT
    figures(f"{N_REQUESTS} overdue requests, {len(alerted_at_kill)} escalated before the kill; all escalated "
            f"{recovery:.1f} s after it, 1 email lost in flight, 0 twice; bound {bound:.0f} s = sweep every "
            f"{SWEEP_EVERY:.0f} s + time limit {settings.CELERY_TASK_TIME_LIMIT} s")
    assert recovery < bound
