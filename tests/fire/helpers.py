"""Helpers for the fire-safety tests: a round in centre A and recorded forms."""

from __future__ import annotations

from datetime import date

from django.test import TestCase
from django.utils import timezone

from notices.fire.models import ChecklistItem, InspectionRound, RectificationCase
from notices.fire.services.inspections import ItemAnswer, form_record
from notices.fire.services.rounds import checklist_ensure_defaults, round_ensure
from notices.models import LetterStatus


def fire_round(centre, month: date | None = None) -> InspectionRound:
    checklist_ensure_defaults(centre=centre)
    return round_ensure(centre=centre, month=month or timezone.localdate())


def answers(centre, *, fail: int = 0, note: str = "灭火器过期") -> list[ItemAnswer]:
    """Every active item answered; the first `fail` items failed."""
    items = list(ChecklistItem.objects.filter(centre=centre, active=True).order_by("sort_order", "pk"))
    return [ItemAnswer(item_id=i.pk, passed=n >= fail, note=note if n < fail else "") for n, i in enumerate(items)]


def record(round_, tenant, inspector, *, fail: int = 0, rectify_days: int | None = None, photos=()):
    # The letter's workflow start queues mails on commit; run them as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return form_record(
            actor=inspector, round_=round_, tenant=tenant, answers=answers(round_.centre, fail=fail),
            rectify_days=rectify_days, photos=photos,
        )


def deliver_letter(case) -> RectificationCase:
    """The case's letter goes through the chain: the centre's leader approves,
    the seal keeper seals, and its delivery starts, as in production. Returns
    the case as it is then."""
    from portal.access import users_with_role
    from portal.models.accounts import Role
    from tests.notices.letters import decide

    case.refresh_from_db()
    letter = decide(case.letter, users_with_role(case.centre, Role.LEADER).order_by("pk").first())
    letter = decide(letter, users_with_role(case.centre, Role.SEAL_KEEPER).order_by("pk").first())
    assert letter.status == LetterStatus.STAMPED
    case.refresh_from_db()
    return case
