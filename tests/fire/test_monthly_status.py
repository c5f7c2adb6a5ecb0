"""The monthly fire-safety status per centre: inspected, passed, failed,
rectified, awaiting, overdue — and how they add up."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from notices.fire.models import CaseStatus, RectificationCase
from notices.fire.selectors import monthly_status, monthly_statuses_for
from notices.fire.services.rectification import case_reinspect
from tests.base import make_tenant

from .helpers import deliver_letter, fire_round, record

pytestmark = pytest.mark.django_db


def test_the_figures_of_a_month(fire_world):
    w = fire_world
    today = timezone.localdate()
    extra = [make_tenant(w.centre_a, f"TA1{n:02d}", f"商户{n}") for n in range(5)]  # 7 tenants in all
    round_ = fire_round(w.centre_a)
    record(round_, w.tenant_a, w.ops_a)                         # passed
    record(round_, w.tenant_a2, w.ops_a)                        # passed
    rectified = record(round_, extra[0], w.ops_a, fail=1)       # failed, then rectified
    record(round_, extra[1], w.ops_a, fail=2)                   # failed, awaiting
    overdue = record(round_, extra[2], w.ops_a, fail=1)         # failed, overdue
    reported = record(round_, extra[3], w.ops_a, fail=1)        # failed, reported past its deadline: not overdue
    case_reinspect(actor=w.ops_a, case=rectified.case, rectified=True)
    # Their letters reached the shops long enough ago for the deadlines to pass.
    deliver_letter(overdue.case)
    deliver_letter(reported.case)
    RectificationCase.objects.filter(form=overdue).update(deadline=today - timedelta(days=2))
    RectificationCase.objects.filter(form=reported).update(deadline=today - timedelta(days=2), status=CaseStatus.REPORTED)

    s = monthly_status(w.centre_a, today)
    assert (s.tenants, s.inspected, s.passed, s.failed) == (7, 6, 2, 4)
    assert (s.rectified, s.awaiting, s.overdue) == (1, 3, 1)
    assert s.not_inspected == 1
    assert s.passed + s.failed == s.inspected
    assert s.rectified + s.awaiting == s.failed
    # Another centre's month is its own.
    b = monthly_status(w.centre_b, today)
    assert (b.inspected, b.failed, b.round) == (0, 0, None)
    assert b.tenants == 1


def test_a_case_is_counted_in_the_month_it_was_found(fire_world):
    w = fire_world
    last = fire_round(w.centre_a, date(2026, 10, 1))
    record(last, w.tenant_a, w.ops_a, fail=1)
    now = fire_round(w.centre_a, date(2026, 11, 1))
    record(now, w.tenant_a, w.ops_a)
    october = monthly_status(w.centre_a, date(2026, 10, 15))
    november = monthly_status(w.centre_a, date(2026, 11, 15))
    assert (october.failed, october.awaiting, november.failed, november.passed) == (1, 1, 0, 1)


def test_each_user_sees_the_status_of_their_centres_only(fire_world):
    w = fire_world
    fire_round(w.centre_a)
    fire_round(w.centre_b)
    assert {s.centre for s in monthly_statuses_for(w.ops_a)} == {w.centre_a}
    assert {s.centre for s in monthly_statuses_for(w.leader_a)} == {w.centre_a}
    assert {s.centre for s in monthly_statuses_for(w.manager)} == {w.centre_a, w.centre_b}
    assert monthly_statuses_for(w.signer_a) == []
    assert monthly_statuses_for(w.editor_a) == []
