"""Helpers for the fire-safety tests: a round in centre A and recorded forms."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import TestCase
from django.utils import timezone

from notices.fire.models import ChecklistItem, InspectionRound
from notices.fire.services.inspections import ItemAnswer, form_record
from notices.fire.services.rounds import checklist_ensure_defaults, round_ensure


def fire_round(centre, month: date | None = None) -> InspectionRound:
    checklist_ensure_defaults(centre=centre)
    return round_ensure(centre=centre, month=month or timezone.localdate())


def answers(centre, *, fail: int = 0, note: str = "灭火器过期") -> list[ItemAnswer]:
    """Every active item answered; the first `fail` items failed."""
    items = list(ChecklistItem.objects.filter(centre=centre, active=True).order_by("sort_order", "pk"))
    return [ItemAnswer(item_id=i.pk, passed=n >= fail, note=note if n < fail else "") for n, i in enumerate(items)]


def record(round_, tenant, inspector, *, fail: int = 0, deadline: date | None = None, photos=()):
    # The letter's workflow start queues mails on commit; run them as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return form_record(
            actor=inspector, round_=round_, tenant=tenant, answers=answers(round_.centre, fail=fail),
            deadline=deadline or (timezone.localdate() + timedelta(days=7)) if fail else None, photos=photos,
        )
