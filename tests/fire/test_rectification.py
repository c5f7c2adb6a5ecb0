"""The rectification case: the tenant reports with photos, the inspector
re-inspects and closes it or issues a new letter; overdue cases escalate."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.utils import timezone

from notices.fire.models import CaseEvent, CaseStatus, RectificationCase
from notices.fire.services.rectification import (
    case_reinspect,
    case_report,
    cases_escalate_overdue,
)
from notices.fire.services.rounds import FireError
from notices.fire.tasks import escalate_overdue_cases_task
from notices.models import Delivery, Letter, LetterKind
from portal.models import AuditEvent
from tests.base import png_upload

from .helpers import deliver_letter, fire_round, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(fire_world):
    form = record(fire_round(fire_world.centre_a), fire_world.tenant_a, fire_world.ops_a, fail=2)
    return RectificationCase.objects.get(form=form)


def report(case, user, **kwargs):
    kwargs.setdefault("note", "已更换灭火器，清理通道。")
    kwargs.setdefault("photos", [png_upload("after.png")])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return case_report(actor=user, case=case, **kwargs)


def reinspect(case, user, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return case_reinspect(actor=user, case=case, **kwargs)


def test_a_contact_of_the_tenant_reports_the_rectification_with_photos(fire_world, case):
    mail.outbox.clear()
    event = report(case, fire_world.nonsigner_a)  # any contact of the shop, not only signatories
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert event.by_tenant and event.photos.count() == 1
    assert AuditEvent.objects.filter(action="fire.case_reported", object_id=str(case.pk)).exists()
    # The inspector and the safety department hear of it.
    assert {fire_world.ops_a.email, fire_world.drafter_a.email} <= set(mail.outbox[-1].to)


@pytest.mark.parametrize("who", ["signer_a2", "signer_b", "ops_a", "drafter_a"])
def test_nobody_else_reports_for_the_tenant(fire_world, case, who):
    with pytest.raises(PermissionDenied):
        report(case, getattr(fire_world, who))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_report_needs_a_photo_and_a_note_and_comes_once(fire_world, case):
    with pytest.raises(FireError):
        report(case, fire_world.signer_a, photos=[])
    with pytest.raises(FireError):
        report(case, fire_world.signer_a, note="  ")
    report(case, fire_world.signer_a)
    with pytest.raises(FireError):
        report(case, fire_world.signer_a)  # a double click or a second phone
    assert case.events.filter(kind=CaseEvent.Kind.REPORTED).count() == 1


def test_the_inspector_closes_a_rectified_case(fire_world, case):
    report(case, fire_world.signer_a)
    reinspect(case, fire_world.ops_a, rectified=True, note="复查合格", photos=[png_upload()])
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == fire_world.ops_a and case.closed_at
    assert AuditEvent.objects.filter(action="fire.case_closed").count() == 1
    with pytest.raises(FireError):
        reinspect(case, fire_world.ops_a, rectified=True)
    with pytest.raises(FireError):
        report(case, fire_world.signer_a)


def test_not_rectified_issues_a_new_letter_with_a_new_deadline(fire_world, case):
    first_letter = case.letter
    case = deliver_letter(case)
    assert case.deadline is not None
    report(case, fire_world.signer_a)
    with pytest.raises(FireError):
        reinspect(case, fire_world.ops_a, rectified=False, note="灭火器仍过期")  # no days
    with pytest.raises(FireError):
        reinspect(case, fire_world.ops_a, rectified=False, rectify_days=3)  # no note
    reinspect(case, fire_world.ops_a, rectified=False, note="灭火器仍过期", rectify_days=3)
    case.refresh_from_db()
    # The new deadline runs from the new letter's delivery.
    assert case.status == CaseStatus.OPEN and case.deadline is None and case.rectify_days == 3
    assert "自收到本函之日起<b>3日内</b>" in case.letter.body
    case = deliver_letter(case)
    delivered = Delivery.objects.get(letter=case.letter, tenant=case.tenant).created_at
    assert case.deadline == timezone.localdate(delivered) + timedelta(days=3)
    assert case.letter != first_letter and case.letter.kind == LetterKind.RECTIFICATION
    assert "灭火器仍过期" in case.letter.body and "复查" in case.letter.title
    assert Letter.objects.filter(kind=LetterKind.RECTIFICATION).count() == 2
    # The tenant may report again.
    report(case, fire_world.signer_a)


@pytest.mark.parametrize("who", ["ops_b", "leader_a", "manager", "signer_a"])
def test_only_inspectors_of_the_centre_reinspect(fire_world, case, who):
    with pytest.raises(PermissionDenied):
        reinspect(case, getattr(fire_world, who), rectified=True)


def test_overdue_cases_escalate_once_to_leaders_and_managers(fire_world, case):
    case = deliver_letter(case)
    later = case.deadline + timedelta(days=1)
    assert cases_escalate_overdue(today=case.deadline) == []  # due today is not overdue
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert cases_escalate_overdue(today=later) == [case.pk]
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert cases_escalate_overdue(today=later + timedelta(days=1)) == []
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert set(mail.outbox[0].to) == {fire_world.leader_a.email, fire_world.manager.email}
    assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1
    assert AuditEvent.objects.filter(action="fire.case_escalated").count() == 1


def test_a_reported_or_closed_case_does_not_escalate(fire_world, case):
    case = deliver_letter(case)
    report(case, fire_world.signer_a)
    assert cases_escalate_overdue(today=case.deadline + timedelta(days=5)) == []


def test_a_new_deadline_can_escalate_again(fire_world, case):
    case = deliver_letter(case)
    assert cases_escalate_overdue(today=case.deadline + timedelta(days=1)) == [case.pk]
    reinspect(case, fire_world.ops_a, rectified=False, note="仍未整改", rectify_days=2)
    case.refresh_from_db()
    assert case.escalated_at is None
    case = deliver_letter(case)
    assert cases_escalate_overdue(today=case.deadline + timedelta(days=1)) == [case.pk]


def test_the_escalation_task_runs_through_celery(fire_world, case):
    deliver_letter(case)
    RectificationCase.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert escalate_overdue_cases_task.delay().get() == [case.pk]
    assert escalate_overdue_cases_task.delay().get() == []


def test_the_rectification_letter_is_approved_and_sealed_like_any_letter(fire_world, case, tmp_path):
    import subprocess

    from notices.models import LetterStatus
    from tests.notices.letters import decide

    w = fire_world
    letter = decide(case.letter, w.leader_a)
    letter = decide(letter, w.seal_a)
    assert letter.status == LetterStatus.STAMPED and letter.doc_number
    path = tmp_path / "letter.pdf"
    with letter.pdf.open("rb") as fh:
        path.write_bytes(fh.read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert w.tenant_a.legal_name in text and "整改" in text and "灭火器过期" in text
