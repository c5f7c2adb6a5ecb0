"""What the tenant home shows of the published site."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.models.broadcasts import GreetingStatus, HolidayGreeting
from portal.models.pages import CentreHomePage, FeeScheduleIndexPage, HandbookPage
from tenants.selectors.contacts import tenant_contacts_of

from .handbook import handbook_state_for
from .privacy import latest_notices_for, pages_visible_to


def tenant_content_for(user) -> dict:
    centre_ids = {c.tenant.centre_id for c in tenant_contacts_of(user)}
    homes = list(CentreHomePage.objects.live().filter(centre_id__in=centre_ids).select_related("centre"))
    handbooks, fees = [], []
    for home in homes:
        handbook = pages_visible_to(user, HandbookPage.objects.live().child_of(home)).first()
        if handbook:
            handbooks.append((handbook, handbook_state_for(handbook, user)))
        fee_index = pages_visible_to(user, FeeScheduleIndexPage.objects.live().child_of(home)).first()
        if fee_index:
            fees.append(fee_index)
    greetings = HolidayGreeting.objects.filter(
        centre_id__in=centre_ids, status=GreetingStatus.SENT, send_on__gte=timezone.localdate() - timedelta(days=2)
    ) if centre_ids else []
    return {
        "homes": homes,
        "notices": latest_notices_for(user, homes, limit=5),
        "handbooks": handbooks,
        "fees": fees,
        "greetings": list(greetings),
    }
