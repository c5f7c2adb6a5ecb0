"""A shop's time to rectify runs from when its rectification letter reaches
it: before that the case has no deadline, is never overdue or escalated, and
both sides see it waiting for the letter; on delivery the deadline is the
delivery day plus the case's days, and past it the case escalates once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from notices.fire.models import CaseEvent, RectificationCase
from notices.fire.selectors import monthly_status
from notices.fire.services.rectification import cases_escalate_overdue
from notices.models import Delivery, LetterStatus
from portal.models import AuditEvent
from tests.base import make_staff

from .helpers import deliver_letter, fire_round, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(fire_world):
    form = record(fire_round(fire_world.centre_a), fire_world.tenant_a, fire_world.ops_a, fail=1, rectify_days=7)
    return RectificationCase.objects.get(form=form)


def page(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def sweep(today):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return cases_escalate_overdue(today=today)


def test_a_case_whose_letter_is_in_approval_is_never_overdue_nor_escalated(fire_world, case):
    w = fire_world
    assert case.letter.status == LetterStatus.IN_APPROVAL and case.deadline is None
    mail.outbox.clear()
    # Long after the days would have run out had they counted from the inspection.
    far = timezone.localdate() + timedelta(days=60)
    assert sweep(far) == []
    assert not RectificationCase.objects.overdue(far).exists()
    case.refresh_from_db()
    assert case.escalated_at is None and not case.is_overdue_on(far)
    assert not case.events.filter(kind=CaseEvent.Kind.ESCALATED).exists()
    assert mail.outbox == []
    assert monthly_status(w.centre_a, timezone.localdate(), today=far).overdue == 0

    # Staff read "awaiting the rectification letter", with the days and no date or overdue mark.
    overview = page(w.leader_a, reverse("fire_admin:overview"))
    stage = overview.split(f'data-testid="case-stage-{case.pk}">')[1].split("</td>")[0]
    assert "待发整改函" in stage and "逾期" not in stage
    assert "自送达起7天" in overview
    staff_case = page(w.ops_a, reverse("fire_admin:case", args=[case.pk]))
    assert "待发整改函" in staff_case.split('data-testid="case-status">')[1].split("</td>")[0]
    round_page = page(w.ops_a, reverse("fire_admin:round", args=[case.form.round_id]))
    assert "待发整改函" in round_page.split(f'data-testid="row-{w.tenant_a.code}"')[1].split("</tr>")[0]
    # The shop sees its failed items and the period, not a date that would move.
    detail = page(w.signer_a, reverse("fire:my_case", args=[case.pk]))
    deadline = detail.split('data-testid="deadline">')[1].split("</dd>")[0]
    assert "收到整改函之日起7天内" in deadline and not any(ch.isdigit() and ch != "7" for ch in deadline)
    assert "灭火器过期" in detail
    listing = page(w.signer_a, reverse("fire:my_cases"))
    assert "收到整改函之日起7天内" in listing and "逾期" not in listing.split('data-testid="fire-case-list"')[1]


def test_the_deadline_is_set_when_the_sealed_letter_is_delivered(fire_world, case):
    from tests.notices.letters import decide

    w = fire_world
    letter = decide(decide(case.letter, w.leader_a), w.seal_a)  # sealed: its delivery starts
    assert letter.status == LetterStatus.STAMPED
    delivery = Delivery.objects.get(letter=letter, tenant=w.tenant_a)
    case.refresh_from_db()
    assert case.deadline == timezone.localdate(delivery.created_at) + timedelta(days=7)
    letter.refresh_from_db()
    assert letter.sign_by == case.deadline  # signed for by the same day
    assert case.events.filter(kind=CaseEvent.Kind.LETTER_DELIVERED, deadline=case.deadline).count() == 1
    assert AuditEvent.objects.filter(action="fire.case_deadline_set", object_id=str(case.pk)).count() == 1
    # The shop now reads the date.
    detail = page(w.signer_a, reverse("fire:my_case", args=[case.pk]))
    assert f"{case.deadline:%Y-%m-%d}" in detail.split('data-testid="deadline">')[1].split("</dd>")[0]
    # The sweep finds nothing more to start.
    sweep(timezone.localdate())
    assert case.events.filter(kind=CaseEvent.Kind.LETTER_DELIVERED).count() == 1


def test_after_delivery_the_case_escalates_once_past_its_deadline(fire_world, case):
    w = fire_world
    case = deliver_letter(case)
    delivered = Delivery.objects.get(letter=case.letter, tenant=w.tenant_a).created_at
    assert case.deadline == timezone.localdate(delivered) + timedelta(days=7)
    mail.outbox.clear()
    assert sweep(case.deadline) == []  # due today is not overdue
    later = case.deadline + timedelta(days=1)
    assert sweep(later) == [case.pk]
    assert sweep(later) == []                       # the same day's run again
    assert sweep(later + timedelta(days=1)) == []   # the next day's
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {w.leader_a.email, w.manager.email}
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1


def test_the_sweep_starts_a_deadline_the_delivery_hook_missed(fire_world, case):
    """A lost signal (a worker killed after the deliveries committed): the
    daily sweep starts the clock from the delivery itself, and a letter
    delivered long ago escalates at once."""
    from notices.services.delivery import deliveries_made

    w = fire_world
    deliveries_made.disconnect(dispatch_uid="fire_start_rectification_clocks")
    try:
        case = deliver_letter(case)
    finally:
        from notices.fire.signals import connect_delivery_signal

        connect_delivery_signal()
    assert case.deadline is None
    ten_days_ago = timezone.now() - timedelta(days=10)
    Delivery.objects.filter(letter=case.letter, tenant=w.tenant_a).update(created_at=ten_days_ago)
    mail.outbox.clear()
    assert sweep(timezone.localdate()) == [case.pk]
    case.refresh_from_db()
    assert case.deadline == timezone.localdate(ten_days_ago) + timedelta(days=7)
    assert len(mail.outbox) == 1
    assert sweep(timezone.localdate()) == [] and len(mail.outbox) == 1


def test_a_case_whose_letter_could_not_be_drafted_is_never_escalated(fire_world):
    w = fire_world
    centre_b_ops = make_staff("ops2@b.test", w.centre_b, "operations")
    form = record(fire_round(w.centre_b), w.tenant_b, centre_b_ops, fail=1)  # centre B has no safety drafter
    assert form.case.letter is None and form.case.deadline is None
    assert sweep(timezone.localdate() + timedelta(days=60)) == []
