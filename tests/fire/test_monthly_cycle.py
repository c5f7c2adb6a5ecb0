"""The monthly beat task: one round and one inspection notice per centre per month."""

from datetime import date

import pytest
from django.test import TestCase
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notices.fire.models import ChecklistItem, InspectionRound
from notices.fire.services.rounds import DEFAULT_CHECKLIST, fire_monthly_cycle
from notices.fire.tasks import fire_monthly_cycle_task
from notices.models import Letter, LetterKind, LetterStatus, RecipientMode
from portal.models import AuditEvent
from tests.base import make_staff

pytestmark = pytest.mark.django_db


def run(today=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fire_monthly_cycle(today=today)


def test_it_drafts_each_centres_notice_into_the_chain_as_the_safety_drafter(fire_world):
    w = fire_world
    run(date(2026, 11, 3))
    round_ = InspectionRound.objects.get(centre=w.centre_a)
    assert round_.month == date(2026, 11, 1)
    letter = round_.notice_letter
    assert letter.kind == LetterKind.FIRE_INSPECTION
    assert letter.recipient_mode == RecipientMode.ALL
    assert letter.drafter == w.drafter_a and letter.department == "safety"
    assert letter.status == LetterStatus.IN_APPROVAL
    assert "2026年11月" in letter.title
    # The notice lists the centre's own checklist.
    assert DEFAULT_CHECKLIST[0] in letter.body
    assert ChecklistItem.objects.filter(centre=w.centre_a).count() == len(DEFAULT_CHECKLIST)
    assert AuditEvent.objects.filter(action="fire.notice_drafted").count() == 1


def test_running_it_again_the_same_month_drafts_nothing_more(fire_world):
    today = timezone.localdate()
    run(today.replace(day=1))
    run(today)
    with TestCase.captureOnCommitCallbacks(execute=True):
        fire_monthly_cycle_task.delay()  # through Celery (eager in tests), as beat runs it
    assert InspectionRound.objects.filter(centre=fire_world.centre_a).count() == 1
    assert Letter.objects.filter(kind=LetterKind.FIRE_INSPECTION, centre=fire_world.centre_a).count() == 1


def test_the_next_month_gets_its_own_round_and_notice(fire_world):
    run(date(2026, 11, 1))
    run(date(2026, 12, 1))
    assert InspectionRound.objects.filter(centre=fire_world.centre_a).count() == 2
    assert Letter.objects.filter(kind=LetterKind.FIRE_INSPECTION, centre=fire_world.centre_a).count() == 2


def test_a_centre_without_a_safety_drafter_gets_its_notice_once_it_has_one(fire_world):
    w = fire_world
    run(date(2026, 11, 1))
    round_b = InspectionRound.objects.get(centre=w.centre_b)
    assert round_b.notice_letter is None  # centre B has no drafter
    make_staff("safety@b.test", w.centre_b, "drafter")
    run(date(2026, 11, 2))
    round_b.refresh_from_db()
    assert round_b.notice_letter.drafter.email == "safety@b.test"


def test_the_beat_schedule_is_registered_on_migrate():
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert "notices.fire.tasks.fire_monthly_cycle_task" in names
    assert "notices.fire.tasks.escalate_overdue_cases_task" in names
