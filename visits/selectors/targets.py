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
  signed receipt (notices.selectors.receipt_figures).

Every figure is broken down by centre, tier and month, and by staff member
where a person owns it:
- visit rate, face-to-face rate, visited in person: the tenant's owner for
  the year (TenantYear.owner, the assignee of its latest planned window) and
  the tier of its standing; by month, cumulatively: the figure as it stands
  at each month's end (a tenant behind on a window that ended by then, met
  or visited by then), over the year's counted tenants;
- plan attainment: the window's assignee and tier, the month its window ends;
- suggestion reply rate and request deadlines: the request's assignee, the
  tenant's tier now (a request without a tenant, a member of the public's
  board post, under its own "no tenant" tier row: it counts for its centre,
  and the tiers add up to the centre), the month the request was received;
- letters signed for: the letter's drafter, the tenant's tier now, the month
  of delivery;
- satisfaction: no staff member (a tenant's opinion of the centre is nobody's
  own work); the tier when answering, the month of the answer."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Case, Count, Q, When
from django.db.models.functions import ExtractMonth

from ..models import SATISFIED_SCORE, PlannedVisitStatus, TenantYear
from .target_base import (
    GOALS,
    LABELS,
    NO_TENANT,
    Figure,
    Period,
    add_to,
    period_for,
    rate,
)
from .target_lists import (
    counted_tenants,
    overdue_visits,
    planned,
    scores,
    suggestions,
    tenants_behind_on_visits,
    tenants_not_met,
    tenants_not_visited_in_person,
    unsatisfied_tenants,
)

__all__ = [
    "GOALS", "LABELS", "Figure", "Period", "all_figures", "attainment", "by_operator", "counted_tenants", "face_to_face",
    "overdue_visits", "period_for", "planned", "rate", "request_deadlines", "satisfaction", "scores", "sign_for",
    "suggestion_reply", "suggestions", "tenants_behind_on_visits", "tenants_not_met", "tenants_not_visited_in_person",
    "unsatisfied_tenants", "visit_rate", "visited_in_person",
]

_SKIP = object()


def _credit(fig: Figure, ok: int, total: int, *, centre, staff=_SKIP, tier=_SKIP, month=_SKIP) -> None:
    """Count one group's (ok, total) in the figure and in each breakdown it names."""
    fig.met += ok
    fig.total += total
    add_to(fig, "centre", centre, ok, total)
    for group, key in (("staff", staff), ("tier", tier), ("month", month)):
        if key is not _SKIP:
            add_to(fig, group, key, ok, total)


def _months_to_date(period: Period) -> range:
    """The months of the year that have begun by `as_of`."""
    return range(1, (period.as_of.month if period.as_of.year == period.year else 12) + 1)


# --- tenant-based figures: one row per tenant in TenantYear ----------------------------------

TENANT_COLUMNS = {"visit_rate": "ok", "face_to_face": "met", "on_site": "on_site"}


def tenant_year_rows(centre_ids, period: Period) -> list[dict]:
    """Per centre, tier and owner: tenants counted, visited as often as
    required, met at a tenant meeting, visited in person — from the tenants'
    standing for the year, one row per tenant, grouped in one query."""
    ahead = Q(first_due_end__isnull=True) | Q(first_due_end__gte=period.cutoff)
    return list(
        TenantYear.objects.filter(centre_id__in=centre_ids, year=period.year, windows__gt=0)
        .order_by().values("centre_id", "tier", "owner_id")
        .annotate(total=Count("pk"), ok=Count("pk", filter=ahead), met=Count("pk", filter=Q(first_met__lte=period.as_of)),
                  on_site=Count("pk", filter=Q(first_on_site__lte=period.as_of)))
    )


def tenant_month_rows(centre_ids, period: Period) -> list[dict]:
    """The months in which each tenant fell behind, was first met and first
    visited in person (None: not, by `as_of`), counted per combination: at
    most 13³ rows, one query, however many tenants."""
    def month_if(condition: Q, column: str):
        return Case(When(condition, then=ExtractMonth(column)), default=None)

    return list(
        TenantYear.objects.filter(centre_id__in=centre_ids, year=period.year, windows__gt=0).order_by()
        .annotate(due_m=month_if(Q(first_due_end__lt=period.cutoff), "first_due_end"),
                  met_m=month_if(Q(first_met__lte=period.as_of), "first_met"),
                  on_m=month_if(Q(first_on_site__lte=period.as_of), "first_on_site"))
        .values("due_m", "met_m", "on_m").annotate(n=Count("pk"))
    )


def _tenant_months(fig: Figure, month_rows: list[dict], period: Period) -> None:
    """Month m's figure as it stood at the end of m (cumulative)."""
    column = {"visit_rate": "due_m", "face_to_face": "met_m", "on_site": "on_m"}[fig.key]
    total = sum(r["n"] for r in month_rows)
    for m in _months_to_date(period):
        reached = sum(r["n"] for r in month_rows if r[column] is not None and r[column] <= m)
        ok = total - reached if fig.key == "visit_rate" else reached  # behind by then, or met by then
        add_to(fig, "month", m, ok, total)


def _tenant_figure(key: str, rows: list[dict], month_rows: list[dict], period: Period) -> Figure:
    fig = Figure(key)
    column = TENANT_COLUMNS[key]
    for r in rows:
        _credit(fig, int(r[column] or 0), r["total"], centre=r["centre_id"], staff=r["owner_id"], tier=r["tier"])
    _tenant_months(fig, month_rows, period)
    return fig


def _tenant_figures(centre_ids, period: Period, rows=None, month_rows=None) -> dict[str, Figure]:
    rows = rows if rows is not None else tenant_year_rows(centre_ids, period)
    month_rows = month_rows if month_rows is not None else tenant_month_rows(centre_ids, period)
    return {key: _tenant_figure(key, rows, month_rows, period) for key in TENANT_COLUMNS}


def visit_rate(centre_ids, period: Period) -> Figure:
    return _tenant_figures(centre_ids, period)["visit_rate"]


def face_to_face(centre_ids, period: Period) -> Figure:
    return _tenant_figures(centre_ids, period)["face_to_face"]


def visited_in_person(centre_ids, period: Period) -> Figure:
    return _tenant_figures(centre_ids, period)["on_site"]


# --- figures counted from their own rows ----------------------------------------------------


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
        _credit(fig, r["ok"], r["ended"], centre=r["centre_id"], staff=r["assignee_id"], tier=r["tier"], month=r["m"])
    return fig


def suggestion_reply(centre_ids, period: Period) -> Figure:
    fig = Figure("suggestion_reply")
    rows = (
        suggestions(centre_ids, period).order_by().annotate(m=ExtractMonth("created_at"))
        .values("centre_id", "assignee_id", "tenant__tier", "m")
        .annotate(total=Count("pk"), ok=Count("pk", filter=Q(responded_at__isnull=False)))
    )
    for r in rows:
        _credit(fig, r["ok"], r["total"], centre=r["centre_id"], staff=r["assignee_id"], tier=r["tenant__tier"],
                month=r["m"])
    return fig


def request_deadlines(centre_ids, period: Period) -> tuple[Figure, Figure]:
    from tenants.selectors.figures import request_figures

    response, resolution = Figure("response"), Figure("resolution")
    rows = request_figures(centres=centre_ids, start=period.start, end=period.end,
                           group_by=("centre", "assignee", "tier", "month"))
    for r in rows:
        for fig, prefix in ((response, "response"), (resolution, "resolution")):
            met, missed = r[f"{prefix}_met"], r[f"{prefix}_missed"]
            if prefix == "resolution":
                met, missed = met + r["answer_met"], missed + r["answer_missed"]
            # A public post's request (no tenant, so no tier): its own row.
            _credit(fig, met, met + missed, centre=r["centre"], staff=r["assignee"],
                    tier=r["tenant__tier"] or NO_TENANT, month=r["month"].month)
    return response, resolution


def satisfaction(centre_ids, period: Period) -> Figure:
    """By centre, dimension, tier (when answering), floor and month; no staff
    member owns a tenant's opinion of the centre."""
    fig = Figure("satisfaction")
    good = Q(score__gte=SATISFIED_SCORE)
    rows = scores(centre_ids, period).order_by().annotate(m=ExtractMonth("response__submitted_at")).values(
        "response__survey__centre_id", "dimension", "response__tier", "response__floor", "m"
    ).annotate(total=Count("pk"), ok=Count("pk", filter=good))
    for r in rows:
        _credit(fig, r["ok"], r["total"], centre=r["response__survey__centre_id"], tier=r["response__tier"], month=r["m"])
        add_to(fig, "dimension", r["dimension"], r["ok"], r["total"])
        add_to(fig, "floor", r["response__floor"], r["ok"], r["total"])
    return fig


def sign_for(centre_ids, period: Period) -> Figure:
    """Letters signed for: receipts ÷ deliveries of letters that ask for one,
    credited to the letter's drafter."""
    from notices.selectors import receipt_figures

    fig = Figure("sign_for")
    for r in receipt_figures(centres=centre_ids, start=period.start, end=period.end, by_owner=True):
        _credit(fig, r["signed"], r["delivered"], centre=r["centre"], staff=r["drafter"], tier=r["tier"], month=r["month"])
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
    tenant = _tenant_figures(centre_ids, period)
    return {
        "visit_rate": tenant["visit_rate"],
        "attainment": attainment(centre_ids, period),
        "face_to_face": tenant["face_to_face"],
        "on_site": tenant["on_site"],
        "suggestion_reply": suggestion_reply(centre_ids, period),
        "response": response,
        "resolution": resolution,
        "satisfaction": satisfaction(centre_ids, period),
        "sign_for": sign_for(centre_ids, period),
    }


def by_operator(fig: Figure, centre_operator: dict[int, int]) -> dict[int, tuple[int, int]]:
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for centre_id, (met, total) in fig.by.get("centre", {}).items():
        slot = out[centre_operator.get(centre_id)]
        slot[0] += met
        slot[1] += total
    return {k: (v[0], v[1]) for k, v in out.items()}
