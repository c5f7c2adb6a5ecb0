"""The target figures managers audit (R26), computed in the database.

Every figure is a handful of grouped queries whose number does not depend on
how many tenants, visits or answers there are. A figure is a pair of counts
(met, total) per group; rates are computed from the counts, so the operator
row is the sum of its centres and never an average of percentages.

Definitions (year Y, judged as of day D, D ≤ 31 Dec Y):
- tenants counted: those with at least one planned window in Y (the plan
  already applies tier, move-in, departure and tier changes pro rata);
- annual visit rate: tenants none of whose windows that ended before D is
  still due ÷ tenants counted (target 100%);
- plan attainment (per staff member, tier, month): windows done ÷ windows
  ended or done, by the windows' assignee;
- face-to-face rate: tenants who attended a tenant meeting in Y up to D ÷
  tenants counted (target 90%) — clause 4.10 says "在租户大会上当面沟通", so
  visits do not count;
- visited in person: tenants visited in person (on site, or a meeting with
  the tenant on a visit) in Y up to D ÷ tenants counted, its own figure,
  without a goal of its own (the annual visit rate is the visits' target);
- suggestion reply rate: meeting suggestions in Y with a staff reply ÷ all
  meeting suggestions in Y (target 100%);
- request deadlines: from the service desk's figures (tenants.selectors.figures);
- satisfaction: scores of 4 or 5 ÷ all scores of the survey answers in Y
  (target 85%), overall and by dimension, tier and floor;
- letters signed for: receipts ÷ deliveries in Y of letters that ask for a
  signed receipt (notices.selectors.receipt_figures)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import ServiceRequest, Tenant
from tenants.models.service_desk import Channel, RequestCategory

from ..models import (
    IN_PERSON_MODES,
    SATISFIED_SCORE,
    MeetingAttendance,
    PlannedVisit,
    PlannedVisitStatus,
    SurveyScore,
    TenantYear,
    VisitRecord,
)

GOALS = {
    "visit_rate": 100.0,
    "attainment": 100.0,
    "face_to_face": 90.0,
    "suggestion_reply": 100.0,
    "response": 100.0,
    "resolution": 100.0,
    "satisfaction": 85.0,
    "sign_for": 100.0,
}
LABELS = {
    "visit_rate": _("Annual visit rate"),
    "attainment": _("Plan attainment"),
    "face_to_face": _("Face-to-face rate"),
    "on_site": _("In-person visit rate"),
    "suggestion_reply": _("Suggestion reply rate"),
    "response": _("Requests answered within deadline"),
    "resolution": _("Complaints resolved within deadline"),
    "satisfaction": _("Satisfaction"),
    "sign_for": _("Letters signed for"),
}


def rate(met: int, total: int) -> float | None:
    return round(100.0 * met / total, 1) if total else None


@dataclass
class Figure:
    key: str
    met: int = 0
    total: int = 0
    by: dict = field(default_factory=dict)  # group name -> {group key: (met, total)}

    @property
    def rate(self) -> float | None:
        return rate(self.met, self.total)

    @property
    def goal(self) -> float | None:
        return GOALS.get(self.key)  # None: a figure reported without a target

    @property
    def label(self):
        return LABELS[self.key]

    @property
    def ok(self) -> bool | None:
        return None if self.rate is None or self.goal is None else self.rate >= self.goal


@dataclass(frozen=True)
class Period:
    """Year `year` up to and including `as_of`. A window counts as missed when
    it ended before `cutoff`: today's window is still open, but once a day is
    over (a past year, a report to a past date) its windows are judged."""

    year: int
    as_of: date
    today: date | None = None

    @property
    def cutoff(self) -> date:
        today = self.today or timezone.localdate()
        return self.as_of if self.as_of >= today else self.as_of + timedelta(days=1)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(date(self.year, 1, 1), time.min))

    @property
    def end(self) -> datetime:
        """Exclusive end: the day after `as_of`, or the end of the year."""
        last = min(self.as_of, date(self.year, 12, 31))
        return timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def period_for(year: int, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(year=year, as_of=min(today, date(year, 12, 31)), today=today)


def _add(fig: Figure, group: str, key, met: int, total: int) -> None:
    slot = fig.by.setdefault(group, {})
    m, t = slot.get(key, (0, 0))
    slot[key] = (m + met, t + total)


# --- querysets behind the figures (also used by the drill-down lists) --------------------


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
    return ServiceRequest.objects.filter(
        centre_id__in=centre_ids, channel=Channel.MEETING, category=RequestCategory.SUGGESTION,
        created_at__gte=period.start, created_at__lt=period.end,
    )


def scores(centre_ids, period: Period):
    return SurveyScore.objects.filter(
        response__survey__centre_id__in=centre_ids,
        response__submitted_at__gte=period.start, response__submitted_at__lt=period.end,
    )


def unsatisfied_tenants(centre_ids, period: Period):
    low = scores(centre_ids, period).filter(score__lt=SATISFIED_SCORE, response__tenant=OuterRef("pk"))
    return Tenant.objects.filter(centre_id__in=centre_ids).filter(Exists(low))


# --- the figures -------------------------------------------------------------------------


def tenant_year_rows(centre_ids, period: Period) -> list[tuple]:
    """(centre, tier, tenants counted, visited as often as required, met at
    a tenant meeting, visited in person) from the tenants' standing for the
    year: one row per tenant, grouped in one query."""
    ahead = Q(first_due_end__isnull=True) | Q(first_due_end__gte=period.cutoff)
    rows = (
        TenantYear.objects.filter(centre_id__in=centre_ids, year=period.year, windows__gt=0)
        .order_by().values("centre_id", "tier")
        .annotate(total=Count("pk"), ok=Count("pk", filter=ahead), met=Count("pk", filter=Q(first_met__lte=period.as_of)),
                  on_site=Count("pk", filter=Q(first_on_site__lte=period.as_of)))
    )
    return [(r["centre_id"], r["tier"], r["total"], r["ok"], r["met"], r["on_site"]) for r in rows]


def _tenant_figure(key: str, rows: list[tuple], column: int) -> Figure:
    fig = Figure(key)
    for row in rows:
        centre_id, tier, total, ok = row[0], row[1], row[2], int(row[column] or 0)
        fig.met += ok
        fig.total += total
        _add(fig, "centre", centre_id, ok, total)
        _add(fig, "tier", tier, ok, total)
    return fig


def visit_rate(centre_ids, period: Period, *, rows: list[tuple] | None = None) -> Figure:
    return _tenant_figure("visit_rate", rows if rows is not None else tenant_year_rows(centre_ids, period), 3)


def face_to_face(centre_ids, period: Period, *, rows: list[tuple] | None = None) -> Figure:
    return _tenant_figure("face_to_face", rows if rows is not None else tenant_year_rows(centre_ids, period), 4)


def visited_in_person(centre_ids, period: Period, *, rows: list[tuple] | None = None) -> Figure:
    return _tenant_figure("on_site", rows if rows is not None else tenant_year_rows(centre_ids, period), 5)


def attainment(centre_ids, period: Period) -> Figure:
    """Windows done ÷ windows ended or done, by centre, staff member, tier
    and month of the window's end; one grouped query, summed here."""
    fig = Figure("attainment")
    done = Q(status=PlannedVisitStatus.DONE)
    ended = Q(window_end__lt=period.cutoff) | done
    rows = (
        planned(centre_ids, period).order_by().annotate(m=ExtractMonth("window_end"))
        .values("centre_id", "assignee_id", "tier", "m")
        .annotate(ok=Count("pk", filter=done), ended=Count("pk", filter=ended))
    )
    for r in rows:
        ok, total = r["ok"], r["ended"]
        fig.met += ok
        fig.total += total
        _add(fig, "centre", r["centre_id"], ok, total)
        _add(fig, "staff", r["assignee_id"], ok, total)
        _add(fig, "tier", r["tier"], ok, total)
        _add(fig, "month", r["m"], ok, total)
    return fig


def suggestion_reply(centre_ids, period: Period) -> Figure:
    fig = Figure("suggestion_reply")
    rows = suggestions(centre_ids, period).values("centre_id").annotate(
        total=Count("pk"), ok=Count("pk", filter=Q(responded_at__isnull=False))
    )
    for r in rows:
        fig.met += r["ok"]
        fig.total += r["total"]
        _add(fig, "centre", r["centre_id"], r["ok"], r["total"])
    return fig


def request_deadlines(centre_ids, period: Period) -> tuple[Figure, Figure]:
    from tenants.selectors.figures import request_figures

    response, resolution = Figure("response"), Figure("resolution")
    rows = request_figures(centres=centre_ids, start=period.start, end=period.end, group_by=("centre",))
    for r in rows:
        for fig, prefix in ((response, "response"), (resolution, "resolution")):
            met, missed = r[f"{prefix}_met"], r[f"{prefix}_missed"]
            if prefix == "resolution":
                met, missed = met + r["answer_met"], missed + r["answer_missed"]
            fig.met += met
            fig.total += met + missed
            _add(fig, "centre", r["centre"], met, met + missed)
    return response, resolution


def satisfaction(centre_ids, period: Period) -> Figure:
    fig = Figure("satisfaction")
    good = Q(score__gte=SATISFIED_SCORE)
    rows = scores(centre_ids, period).values(
        "response__survey__centre_id", "dimension", "response__tier", "response__floor"
    ).annotate(total=Count("pk"), ok=Count("pk", filter=good))
    for r in rows:
        fig.met += r["ok"]
        fig.total += r["total"]
        _add(fig, "centre", r["response__survey__centre_id"], r["ok"], r["total"])
        _add(fig, "dimension", r["dimension"], r["ok"], r["total"])
        _add(fig, "tier", r["response__tier"], r["ok"], r["total"])
        _add(fig, "floor", r["response__floor"], r["ok"], r["total"])
    return fig


def sign_for(centre_ids, period: Period) -> Figure:
    """Letters signed for: receipts ÷ deliveries of letters that ask for one."""
    from notices.selectors import receipt_figures

    fig = Figure("sign_for")
    for r in receipt_figures(centres=centre_ids, start=period.start, end=period.end):
        fig.met += r["signed"]
        fig.total += r["delivered"]
        _add(fig, "centre", r["centre"], r["signed"], r["delivered"])
    return fig


def all_figures(centre_ids, period: Period) -> dict[str, Figure]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A handful of big aggregates: PostgreSQL's JIT would spend longer
            # compiling them (~0.7 s) than it saves, and the default work_mem
            # sends their sorts and hashes to disk. For this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        return _all_figures(centre_ids, period)


def _all_figures(centre_ids, period: Period) -> dict[str, Figure]:
    response, resolution = request_deadlines(centre_ids, period)
    rows = tenant_year_rows(centre_ids, period)
    figures = {
        "visit_rate": visit_rate(centre_ids, period, rows=rows),
        "attainment": attainment(centre_ids, period),
        "face_to_face": face_to_face(centre_ids, period, rows=rows),
        "on_site": visited_in_person(centre_ids, period, rows=rows),
        "suggestion_reply": suggestion_reply(centre_ids, period),
        "response": response,
        "resolution": resolution,
        "satisfaction": satisfaction(centre_ids, period),
    }
    figures["sign_for"] = sign_for(centre_ids, period)
    return figures


def by_operator(fig: Figure, centre_operator: dict[int, int]) -> dict[int, tuple[int, int]]:
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for centre_id, (met, total) in fig.by.get("centre", {}).items():
        slot = out[centre_operator.get(centre_id)]
        slot[0] += met
        slot[1] += total
    return {k: (v[0], v[1]) for k, v in out.items()}
