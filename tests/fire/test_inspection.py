"""Inspection forms: who may record them, what they must contain, and the
rectification case and letter that failed items produce."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from notices.fire.models import CaseStatus, FirePhoto, InspectionForm, RectificationCase
from notices.fire.services.inspections import ItemAnswer, form_record
from notices.fire.services.rounds import FireError
from notices.models import LetterKind, LetterStatus, RecipientMode
from portal.models import AuditEvent
from tests.base import png_upload

from .helpers import answers, fire_round, record

pytestmark = pytest.mark.django_db


def test_a_form_with_everything_passed_opens_no_case(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    form = record(round_, w.tenant_a, w.ops_a)
    assert form.passed and form.failed_count == 0
    assert form.results.count() == 9
    assert not RectificationCase.objects.exists()
    assert AuditEvent.objects.filter(action="fire.form_recorded", object_id=str(form.pk)).exists()


def test_failed_items_open_a_case_with_a_rectification_letter_in_the_chain(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    form = record(round_, w.tenant_a, w.ops_a, fail=2, rectify_days=10)
    case = RectificationCase.objects.get(form=form)
    # No deadline until the letter reaches the shop; the days run from then.
    assert case.status == CaseStatus.OPEN and case.deadline is None and case.rectify_days == 10
    assert case.tenant == w.tenant_a
    letter = case.letter
    assert letter.kind == LetterKind.RECTIFICATION
    assert letter.status == LetterStatus.IN_APPROVAL
    assert letter.recipient_mode == RecipientMode.NAMED
    assert list(letter.recipient_tenants.all()) == [w.tenant_a]
    # Operations staff inspected; the safety department drafts the letter (4.8.3).
    assert letter.drafter == w.drafter_a
    # The letter, drafted now and sealed days later, states the period from its receipt, not a date.
    assert letter.sign_by is None
    assert "灭火器过期" in letter.body and "自收到本函之日起<b>10日内</b>" in letter.body
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日前", letter.body)
    first_failed = form.results.filter(passed=False).first().item_text
    assert first_failed in letter.body
    assert letter.addressee == w.tenant_a.legal_name
    assert AuditEvent.objects.filter(action="fire.case_opened").count() == 1
    assert AuditEvent.objects.filter(action="fire.letter_drafted").count() == 1


def test_the_safety_drafter_may_inspect_and_drafts_the_letter_themself(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    form = record(round_, w.tenant_a2, w.drafter_a, fail=1)
    assert form.case.letter.drafter == w.drafter_a


def test_a_second_form_for_the_same_tenant_and_month_is_refused(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    record(round_, w.tenant_a, w.ops_a, fail=1)
    with pytest.raises(FireError):
        record(round_, w.tenant_a, w.ops_a)
    assert InspectionForm.objects.count() == 1
    assert RectificationCase.objects.count() == 1


@pytest.mark.parametrize("who", ["ops_b", "leader_a", "seal_a", "manager", "signer_a", "editor_a"])
def test_only_inspectors_of_the_centre_record_forms(fire_world, who):
    w = fire_world
    round_ = fire_round(w.centre_a)
    with pytest.raises(PermissionDenied):
        record(round_, w.tenant_a, getattr(w, who))
    assert not InspectionForm.objects.exists()


def test_a_drafter_of_another_department_may_not_inspect(fire_world):
    from portal.models import Department, StaffMembership

    w = fire_world
    StaffMembership.objects.filter(user=w.drafter_a).update(department=Department.FINANCE)
    round_ = fire_round(w.centre_a)
    with pytest.raises(PermissionDenied):
        record(round_, w.tenant_a, w.drafter_a)


def test_a_tenant_of_another_centre_cannot_be_recorded(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    with pytest.raises(FireError):
        record(round_, w.tenant_b, w.ops_a)


def test_every_item_must_be_answered(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    partial = answers(w.centre_a)[:-1]
    with pytest.raises(FireError):
        form_record(actor=w.ops_a, round_=round_, tenant=w.tenant_a, answers=partial)
    foreign = [*partial, ItemAnswer(item_id=999999, passed=True)]
    with pytest.raises(FireError):
        form_record(actor=w.ops_a, round_=round_, tenant=w.tenant_a, answers=foreign)
    assert not InspectionForm.objects.exists()


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_period_of_no_days_or_beyond_a_quarter_is_refused(fire_world, days):
    w = fire_world
    round_ = fire_round(w.centre_a)
    with pytest.raises(FireError):
        form_record(actor=w.ops_a, round_=round_, tenant=w.tenant_a, answers=answers(w.centre_a, fail=1),
                    rectify_days=days)
    assert not InspectionForm.objects.exists()


def test_photos_are_content_checked_and_nothing_is_saved_on_a_bad_one(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        form_record(actor=w.ops_a, round_=round_, tenant=w.tenant_a, answers=answers(w.centre_a), photos=[png_upload(), fake])
    assert not InspectionForm.objects.exists() and not FirePhoto.objects.exists()
    form = record(round_, w.tenant_a, w.ops_a, photos=[png_upload("现场.png")])
    photo = form.photos.get()
    assert photo.file.name.endswith(".png") and photo.tenant == w.tenant_a


def test_without_a_safety_drafter_the_case_opens_and_says_why_no_letter(fire_world):
    from portal.models import StaffMembership

    w = fire_world
    StaffMembership.objects.filter(user=w.drafter_a).update(active=False)
    round_ = fire_round(w.centre_a)
    form = record(round_, w.tenant_a, w.ops_a, fail=1)
    case = RectificationCase.objects.get(form=form)
    assert case.letter is None and case.letter_error
    StaffMembership.objects.filter(user=w.drafter_a).update(active=True)
    from django.test import TestCase

    from notices.fire.services.rectification import case_retry_letter

    with TestCase.captureOnCommitCallbacks(execute=True):
        letter = case_retry_letter(actor=w.ops_a, case=case)
    case.refresh_from_db()
    assert case.letter == letter and case.letter_error == ""
    with pytest.raises(FireError):
        case_retry_letter(actor=w.ops_a, case=case)
