"""Two beat runs, two inspectors' phones, two tenant taps at the same moment:
exactly one round, one notice, one form, one report (PostgreSQL in CI;
SQLite serialises writers and must give the same answer)."""

import pytest
from django.core.exceptions import PermissionDenied

from notices.fire.models import (
    CaseEvent,
    InspectionForm,
    InspectionRound,
    RectificationCase,
)
from notices.fire.services.inspections import form_record
from notices.fire.services.rectification import case_report
from notices.fire.services.rounds import FireError, fire_monthly_cycle
from notices.models import Letter, LetterKind
from tests.base import png_upload
from tests.notices.test_numbering_concurrency import _in_threads

from .helpers import answers, fire_round

pytestmark = pytest.mark.django_db(transaction=True)


def _outcome(fn):
    try:
        fn()
    except (FireError, PermissionDenied) as exc:
        return type(exc).__name__
    return "ok"


def test_two_monthly_runs_at_once_draft_one_notice(fire_world):
    _in_threads(3, lambda i: fire_monthly_cycle())
    assert InspectionRound.objects.filter(centre=fire_world.centre_a).count() == 1
    assert Letter.objects.filter(centre=fire_world.centre_a, kind=LetterKind.FIRE_INSPECTION).count() == 1


def test_two_phones_recording_the_same_shop_keep_one_form_and_one_letter(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    inspectors = [w.ops_a, w.drafter_a]
    outcomes = _in_threads(2, lambda i: _outcome(lambda: form_record(
        actor=inspectors[i], round_=round_, tenant=w.tenant_a, answers=answers(w.centre_a, fail=1),
    )))
    assert sorted(outcomes) == ["FireError", "ok"]
    assert InspectionForm.objects.count() == 1 and RectificationCase.objects.count() == 1
    assert Letter.objects.filter(kind=LetterKind.RECTIFICATION).count() == 1


def test_two_taps_on_report_record_one_report(fire_world):
    w = fire_world
    round_ = fire_round(w.centre_a)
    form = form_record(actor=w.ops_a, round_=round_, tenant=w.tenant_a, answers=answers(w.centre_a, fail=1))
    case = form.case
    users = [w.signer_a, w.nonsigner_a]
    outcomes = _in_threads(2, lambda i: _outcome(lambda: case_report(
        actor=users[i], case=case, note="已整改", photos=[png_upload()],
    )))
    assert sorted(outcomes) == ["FireError", "ok"]
    assert case.events.filter(kind=CaseEvent.Kind.REPORTED).count() == 1
