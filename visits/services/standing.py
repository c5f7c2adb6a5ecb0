"""Keeps `TenantYear` in step with the plan, the visits and the meetings.

One function, called by every service that changes a tenant's standing and
by the nightly plan sync; it recomputes from the base tables with grouped
queries (a handful per call, whatever the number of tenants) and upserts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.models import Tenant

from ..models import (
    IN_PERSON_MODES,
    MeetingAttendance,
    PlannedVisit,
    PlannedVisitStatus,
    TenantYear,
    VisitRecord,
)


def _bounds(year: int) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(date(year, 1, 1), time.min)),
            timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min)))


def standing_refresh(*, year: int, tenant_ids: Iterable[int] | None = None, centre_ids: Iterable[int] | None = None) -> int:
    """Recompute the standing of the given tenants (or of all the tenants of
    the given centres) for `year`."""
    tenants = Tenant.objects.all()
    if tenant_ids is not None:
        tenants = tenants.filter(pk__in=list(tenant_ids))
    if centre_ids is not None:
        tenants = tenants.filter(centre_id__in=list(centre_ids))
    rows = {t["pk"]: t for t in tenants.values("pk", "centre_id", "tier")}
    if not rows:
        return 0
    ids = list(rows)
    start, end = _bounds(year)
    plan = {
        r["tenant_id"]: r
        for r in PlannedVisit.objects.live().filter(
            tenant_id__in=ids, window_start__gte=date(year, 1, 1), window_start__lte=date(year, 12, 31)
        ).order_by().values("tenant_id").annotate(
            n=Count("pk"), first_due=Min("window_end", filter=Q(status=PlannedVisitStatus.DUE))
        )
    }
    owner = _owners(ids, year)
    tz = timezone.get_current_timezone()
    # Clause 4.10 counts tenants talked to at a tenant meeting; in-person
    # visits are a separate figure and never make up for a missed meeting.
    on_site = {
        r["tenant_id"]: r["first"]
        for r in VisitRecord.objects.filter(tenant_id__in=ids, mode__in=IN_PERSON_MODES, visited_at__gte=start,
                                            visited_at__lt=end)
        .order_by().values("tenant_id").annotate(first=Min(TruncDate("visited_at", tzinfo=tz)))
    }
    met = {
        r["tenant_id"]: r["first"]
        for r in MeetingAttendance.objects.filter(tenant_id__in=ids, at__gte=start, at__lt=end)
        .order_by().values("tenant_id").annotate(first=Min(TruncDate("at", tzinfo=tz)))
    }
    objs = [
        TenantYear(tenant_id=pk, year=year, centre_id=t["centre_id"], tier=t["tier"],
                   windows=plan.get(pk, {}).get("n", 0), first_due_end=plan.get(pk, {}).get("first_due"),
                   first_met=met.get(pk), first_on_site=on_site.get(pk), owner_id=owner.get(pk))
        for pk, t in rows.items()
    ]
    TenantYear.objects.bulk_create(
        objs, batch_size=2000, update_conflicts=True, unique_fields=["tenant", "year"],
        update_fields=["centre", "tier", "windows", "first_due_end", "first_met", "first_on_site", "owner"],
    )
    return len(objs)


def _owners(tenant_ids: list[int], year: int) -> dict[int, int | None]:
    """Each tenant's owner for the year: the assignee of its latest live
    window (a hand-on moves the tenant with it). One query, read in window
    order so that the last row of a tenant wins."""
    rows = (PlannedVisit.objects.live()
            .filter(tenant_id__in=tenant_ids, window_start__gte=date(year, 1, 1), window_start__lte=date(year, 12, 31))
            .order_by("tenant_id", "window_start", "pk").values_list("tenant_id", "assignee_id"))
    return dict(rows.iterator(chunk_size=5000))


def standing_touch(*, tenant_id: int, when: datetime | date) -> None:
    day = when if isinstance(when, date) and not isinstance(when, datetime) else timezone.localtime(when).date()
    standing_refresh(year=day.year, tenant_ids=[tenant_id])

