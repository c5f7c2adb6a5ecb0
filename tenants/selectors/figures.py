"""Deadline, repeat-complaint and satisfaction figures of the service desk,
for the managers' audit (R6, R26)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tenants.models import ServiceRequest

# "assignee" is who owns the request's deadlines; "tier" the tenant's tier now.
FIGURE_GROUPS = {"centre": ("centre", "centre__name"), "category": ("category",), "month": ("month",),
                 "assignee": ("assignee",), "tier": ("tenant__tier",)}


def _rate(met: int, missed: int) -> float | None:
    decided = met + missed
    return round(100.0 * met / decided, 1) if decided else None


def request_figures(*, centres, start=None, end=None, group_by=("centre", "category", "month"), now=None) -> list[dict]:
    """Deadline, repeat-complaint and satisfaction figures per group.

    A deadline counts once it is decided: met (done in time), or missed (done
    late, or still not done after the deadline). Requests whose deadline is
    still ahead count in neither, so a busy morning does not look like a
    failure. Months are Shanghai months, not UTC ones."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.filter(centre__in=centres)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lt=end)
    fields = [f for g in group_by for f in FIGURE_GROUPS[g]]
    rows = (
        qs.annotate(month=TruncMonth("created_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values(*fields)
        .annotate(**_figure_counts(now))
        .order_by(*fields)
    )
    return [_with_rates(row) for row in rows]


def _figure_counts(now) -> dict:
    """The counts behind the figures, as aggregates for one group."""
    return {
        "total": Count("id"),
        "response_met": Count("id", filter=Q(responded_at__lte=F("response_due"))),
        "response_missed": Count(
            "id", filter=Q(responded_at__gt=F("response_due")) | Q(responded_at__isnull=True, response_due__lt=now)
        ),
        "answer_met": Count("id", filter=Q(answer_due__isnull=False, answered_at__lte=F("answer_due"))),
        "answer_missed": Count(
            "id",
            filter=Q(answer_due__isnull=False)
            & (Q(answered_at__gt=F("answer_due")) | Q(answered_at__isnull=True, answer_due__lt=now)),
        ),
        "resolution_met": Count("id", filter=Q(resolution_due__isnull=False, closed_at__lte=F("resolution_due"))),
        "resolution_missed": Count(
            "id",
            filter=Q(resolution_due__isnull=False)
            & (Q(closed_at__gt=F("resolution_due")) | Q(closed_at__isnull=True, resolution_due__lt=now)),
        ),
        "complaints": Count("id", filter=Q(category="complaint")),
        "repeat_complaints": Count("id", filter=Q(is_repeat_complaint=True)),
        "rated": Count("rating"),
        "satisfied": Count("id", filter=Q(rating__gte=4)),
        "rating_avg": Avg("rating"),
    }


def _with_rates(row: dict) -> dict:
    """One group's counts with its rates (percent, or None when nothing was decided)."""
    row["response_rate"] = _rate(row["response_met"], row["response_missed"])
    row["answer_rate"] = _rate(row["answer_met"], row["answer_missed"])
    row["resolution_rate"] = _rate(row["resolution_met"], row["resolution_missed"])
    row["repeat_complaint_rate"] = (
        round(100.0 * row["repeat_complaints"] / row["complaints"], 1) if row["complaints"] else None
    )
    row["satisfaction_rate"] = round(100.0 * row["satisfied"] / row["rated"], 1) if row["rated"] else None
    row["rating_avg"] = round(row["rating_avg"], 2) if row["rating_avg"] is not None else None
    if "month" in row and hasattr(row["month"], "date"):
        row["month"] = row["month"].date() if callable(row["month"].date) else row["month"]
    return row
