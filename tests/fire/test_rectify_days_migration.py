"""A case's deadline now runs from its letter's delivery (fire 0005): an
existing database keeps each case's period; a case whose letter has not
reached the shop loses its date (and any escalation) until it does, a closed
one keeps its date; and the way back gives every case a date again."""

from datetime import timedelta

import pytest

from notices.fire.models import CaseStatus, RectificationCase
from tests.migrating import latest, migrate_to
from tests.notices.letters import make_template

from .helpers import deliver_letter, fire_round, record

BEFORE = [("fire", "0004_verbose_names")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cases_in_flight_keep_their_period_and_wait_for_their_letter(world):
    make_template(world.centre_a)
    round_ = fire_round(world.centre_a)
    waiting = RectificationCase.objects.get(form=record(round_, world.tenant_a, world.ops_a, fail=1, rectify_days=5))
    delivered = deliver_letter(RectificationCase.objects.get(
        form=record(round_, world.tenant_a2, world.ops_a, fail=1, rectify_days=9)))
    RectificationCase.objects.filter(pk=delivered.pk).update(status=CaseStatus.CLOSED, closed_at=delivered.opened_at)

    old = migrate_to(BEFORE)
    OldCase = old.get_model("fire", "RectificationCase")
    # As the old code left them: a date counted from the inspection, one escalated.
    drafted = OldCase.objects.get(pk=waiting.pk).opened_at.date()
    OldCase.objects.filter(pk=waiting.pk).update(deadline=drafted + timedelta(days=5), escalated_at=waiting.opened_at)
    closed_by = drafted + timedelta(days=9)
    OldCase.objects.filter(pk=delivered.pk).update(deadline=closed_by)

    new = migrate_to(latest())
    Case = new.get_model("fire", "RectificationCase")
    now_waiting, now_closed = Case.objects.get(pk=waiting.pk), Case.objects.get(pk=delivered.pk)
    assert (now_waiting.deadline, now_waiting.escalated_at, now_waiting.rectify_days) == (None, None, 5)
    assert (now_closed.deadline, now_closed.rectify_days) == (closed_by, 9)

    back = migrate_to(BEFORE)
    assert back.get_model("fire", "RectificationCase").objects.get(pk=waiting.pk).deadline == drafted + timedelta(days=5)
    migrate_to(latest())
