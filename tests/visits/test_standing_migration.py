"""Upgrading an existing database: the standing's `first_met` used to count
in-person visits; after the migration it counts tenant meetings only
(clause 4.10) and the visits move to `first_on_site`."""

from datetime import date

import pytest

from tests.migrating import latest, migrate_to
from tests.visits.helpers import at, past_visit
from visits.models import Meeting, MeetingAttendance

BEFORE = [("visits", "0004_notification_refusals")]


@pytest.mark.django_db(transaction=True)
def test_first_met_is_recomputed_from_meetings_and_visits_get_their_own_column(world):
    past_visit(world.tenant_a, world.ops_a, date(2025, 3, 4), mode="on_site")
    meeting = Meeting.objects.create(centre=world.centre_a, title="租户大会", starts_at=at(date(2025, 5, 6), 14),
                                     ends_at=at(date(2025, 5, 6), 16), location="会议室", agenda="议程")
    MeetingAttendance.objects.create(meeting=meeting, tenant=world.tenant_a2, attendee_name="张", method="staff",
                                     at=at(date(2025, 5, 6), 14))

    old = migrate_to(BEFORE)
    OldYear = old.get_model("visits", "TenantYear")
    for tenant, first in ((world.tenant_a, date(2025, 3, 4)), (world.tenant_a2, date(2025, 5, 6))):
        OldYear.objects.create(tenant_id=tenant.pk, centre_id=world.centre_a.pk, year=2025, tier=tenant.tier,
                               windows=4, first_met=first)  # the old meaning: visit or meeting

    new = migrate_to(latest())
    rows = {r.tenant_id: (r.first_met, r.first_on_site, r.windows)
            for r in new.get_model("visits", "TenantYear").objects.all()}
    assert rows == {world.tenant_a.pk: (None, date(2025, 3, 4), 4), world.tenant_a2.pk: (date(2025, 5, 6), None, 4)}
