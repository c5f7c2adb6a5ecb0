"""A request's timeline and a rectification case's history share one shape
(portal.models.base.TimelineEvent): their columns were renamed, not remade.
An existing database keeps every entry's author, text and time across the
upgrade, and the way back works too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notices.fire.models import RectificationCase
from tests.base import make_request
from tests.fire.helpers import fire_round, record
from tests.migrating import latest, migrate_to
from tests.notices.letters import make_template

BEFORE = [("tenants", "0006_import_job_progress"), ("fire", "0002_organisation_moved_to_portal")]


@pytest.mark.django_db(transaction=True)
def test_timeline_entries_and_case_events_keep_their_author_text_and_time(world):
    make_template(world.centre_a)
    request = make_request(world, description="空调不制冷")
    case = RectificationCase.objects.get(form=record(fire_round(world.centre_a), world.tenant_a, world.ops_a, fail=1))
    received = request.entries.get().at

    old = migrate_to(BEFORE)
    OldEntry, OldEvent = old.get_model("tenants", "RequestEntry"), old.get_model("fire", "CaseEvent")
    entry = OldEntry.objects.get(request_id=request.pk)
    assert (entry.author_id, entry.body, entry.created_at) == (world.ops_a.pk, "空调不制冷", received)
    written = timezone.now() - timedelta(days=3)
    OldEntry.objects.create(request_id=request.pk, kind="note", author_id=world.ops_b.pk, body="旧备注",
                            public=False, created_at=written)
    OldEvent.objects.create(case_id=case.pk, kind="reported", actor_id=world.signer_a.pk, by_tenant=True,
                            note="已整改", at=written)

    new = migrate_to(latest())
    entries = new.get_model("tenants", "RequestEntry").objects.filter(request_id=request.pk).order_by("at")
    assert [(e.actor_id, e.body, e.at) for e in entries] == [
        (world.ops_b.pk, "旧备注", written), (world.ops_a.pk, "空调不制冷", received)]
    reported = new.get_model("fire", "CaseEvent").objects.get(case_id=case.pk, kind="reported")
    assert (reported.actor_id, reported.by_tenant, reported.body, reported.at) == (
        world.signer_a.pk, True, "已整改", written)

    back = migrate_to(BEFORE)
    assert back.get_model("fire", "CaseEvent").objects.get(case_id=case.pk, kind="reported").note == "已整改"
    migrate_to(latest())
