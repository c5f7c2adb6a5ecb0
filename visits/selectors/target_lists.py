"""The querysets behind the targets (R26): what the figures count, and the
drill-down lists of who is behind. See visits.selectors.targets."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q

from tenants.models import ServiceRequest, Tenant
from tenants.models.service_desk import Channel, RequestCategory

from ..models import (
    IN_PERSON_MODES,
    SATISFIED_SCORE,
    MeetingAttendance,
    MeetingSuggestion,
    PlannedVisit,
    PlannedVisitStatus,
    SurveyScore,
    VisitRecord,
)
from .target_base import Period


def _in_year(period: Period) -> dict:
    # Windows never cross a year, so the window's start names the plan's year
    # without a join to the plan table.
    return {"window_start__gte": date(period.year, 1, 1), "window_start__lte": date(period.year, 12, 31)}


def planned(centre_ids, period: Period):
    return PlannedVisit.objects.live().filter(centre_id__in=centre_ids, **_in_year(period))


def counted_tenants(centre_ids, period: Period):
    return Tenant.objects.filter(centre_id__in=centre_ids).filter(
        Exists(planned(centre_ids, period).filter(tenant=OuterRef("pk")))
    )


def _missed_window(period: Period):
    return PlannedVisit.objects.filter(
        tenant=OuterRef("pk"), status=PlannedVisitStatus.DUE, window_end__lt=period.cutoff, **_in_year(period)
    )


def tenants_behind_on_visits(centre_ids, period: Period):
    return counted_tenants(centre_ids, period).filter(Exists(_missed_window(period)))


def tenants_not_met(centre_ids, period: Period):
    """Tenants who attended no tenant meeting: an anti-join, which the
    database runs as a hash join however many tenants there are."""
    meetings = MeetingAttendance.objects.filter(tenant=OuterRef("pk"), at__gte=period.start, at__lt=period.end)
    return counted_tenants(centre_ids, period).exclude(Exists(meetings))


def tenants_not_visited_in_person(centre_ids, period: Period):
    visits = VisitRecord.objects.filter(
        tenant=OuterRef("pk"), mode__in=IN_PERSON_MODES, visited_at__gte=period.start, visited_at__lt=period.end
    )
    return counted_tenants(centre_ids, period).exclude(Exists(visits))


def overdue_visits(centre_ids, period: Period):
    return planned(centre_ids, period).overdue(period.cutoff)


def suggestions(centre_ids, period: Period):
    # A suggestion raised at a meeting still awaits its reply when staff
    # corrected its category (request_reclassify: it was really a
    # complaint): the meeting's suggestion, not the label, keeps it counted.
    raised = MeetingSuggestion.objects.filter(request=OuterRef("pk"))
    return ServiceRequest.objects.filter(
        Q(category=RequestCategory.SUGGESTION) | Exists(raised),
        centre_id__in=centre_ids, channel=Channel.MEETING, created_at__gte=period.start, created_at__lt=period.end,
    )


def scores(centre_ids, period: Period):
    return SurveyScore.objects.filter(
        response__survey__centre_id__in=centre_ids,
        response__submitted_at__gte=period.start, response__submitted_at__lt=period.end,
    )


def unsatisfied_tenants(centre_ids, period: Period):
    low = scores(centre_ids, period).filter(score__lt=SATISFIED_SCORE, response__tenant=OuterRef("pk"))
    return Tenant.objects.filter(centre_id__in=centre_ids).filter(Exists(low))


def narrowed(kind: str, rows, period: Period, *, staff: int | None = None, tier: str | None = None):
    """A drill-down list narrowed to one staff member's or one tier's share,
    with the owner its figure credits (see visits.selectors.targets)."""
    from ..models import TenantYear

    if staff is None and tier is None:
        return rows
    if kind == "overdue":
        owner, tier_field = "assignee_id", "tier"
    elif kind in ("behind", "not_met", "not_on_site"):
        standing = TenantYear.objects.filter(tenant=OuterRef("pk"), year=period.year)
        if staff is not None:
            standing = standing.filter(owner_id=staff)
        if tier is not None:
            standing = standing.filter(tier=tier)
        return rows.filter(Exists(standing))
    elif kind == "unanswered":
        owner, tier_field = "assignee_id", "tenant__tier"
    elif kind == "unsigned":
        owner, tier_field = "letter__drafter_id", "tenant__tier"
    else:  # satisfaction has no owner
        owner, tier_field = None, "tier"
    if staff is not None:
        rows = rows.filter(**{owner: staff}) if owner else rows.none()
    if tier is not None:
        rows = rows.filter(**{tier_field: tier})
    return rows
