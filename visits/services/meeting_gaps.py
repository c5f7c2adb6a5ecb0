"""R23 / 4.7: a tenant meeting each quarter. At the start of a quarter the
check flags every centre that held none in the quarter just ended and tells
its managers, once (portal.outbox.send_once). Safe to run any number of
times: the flag is one row per centre and quarter, the email one outbox key
per manager, centre and quarter."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import users_with_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.outbox import send_once
from tenants.models import Centre

from ..models import Meeting, MeetingGap


def previous_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3 + 1
    return (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return (timezone.make_aware(datetime.combine(start, time.min)), timezone.make_aware(datetime.combine(end, time.min)))


def _flag(centre: Centre, year: int, quarter: int) -> MeetingGap:
    with transaction.atomic():
        gap, created = MeetingGap.objects.get_or_create(centre=centre, year=year, quarter=quarter)
        if created:
            audit_record(actor=None, action="visits.meeting_gap_flagged", obj=gap, centre=centre,
                         details={"year": year, "quarter": quarter})
    return gap


def _notify(gap: MeetingGap, centre: Centre) -> int:
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/visits/dashboard/"
    sent = 0
    for manager in users_with_role(centre, Role.MANAGER).exclude(email=""):
        with translation.override(settings.LANGUAGE_CODE):  # staff emails are in Chinese
            names = {"centre": centre.name, "quarter": gap.label, "name": manager, "link": link}
            subject = _("%(centre)s held no tenant meeting in %(quarter)s") % names
            body = _("Hello %(name)s,\n\n%(centre)s held no tenant meeting in %(quarter)s. The procedure (4.7) asks "
                     "for one each quarter, or when a major event calls for it.\n\nDashboard: %(link)s\n") % names
        key = f"visits:meeting-gap:{gap.centre_id}:{gap.year}-Q{gap.quarter}:{manager.pk}"
        sent += send_once(key, emails=[EmailMessage(subject, body, None, [manager.email])])
    return sent


def meeting_gaps_check(*, today: date | None = None) -> list[MeetingGap]:
    """Flag (and notify about) each centre without a meeting last quarter."""
    year, quarter = previous_quarter(today or timezone.localdate())
    start, end = quarter_bounds(year, quarter)
    held = Meeting.objects.filter(centre=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end)
    gaps = []
    for centre in Centre.objects.exclude(Exists(held)).order_by("pk"):
        gap = _flag(centre, year, quarter)
        _notify(gap, centre)
        gaps.append(gap)
    return gaps
