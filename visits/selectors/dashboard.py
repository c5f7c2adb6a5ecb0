"""What the managers' dashboard, its exports and the monthly email show:
the figures with names put on their groups. A fixed number of queries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from portal.models.accounts import User
from tenants.models import Centre, Tier

from ..charts import bars, trend
from ..models import Dimension, MeetingGap
from .target_base import NO_TENANT, NO_TENANT_LABEL
from .targets import Figure, Period, all_figures, by_operator, rate


@dataclass
class Row:
    key: object
    label: str
    met: int
    total: int

    @property
    def rate(self):
        return rate(self.met, self.total)


# Chart and table labels of the months, in the reader's language ("3月" in
# Chinese — Django's own abbreviation there is "三月" — "Mar" in English).
MONTH_LABELS = [
    pgettext_lazy("month label", "Jan"), pgettext_lazy("month label", "Feb"), pgettext_lazy("month label", "Mar"),
    pgettext_lazy("month label", "Apr"), pgettext_lazy("month label", "May"), pgettext_lazy("month label", "Jun"),
    pgettext_lazy("month label", "Jul"), pgettext_lazy("month label", "Aug"), pgettext_lazy("month label", "Sep"),
    pgettext_lazy("month label", "Oct"), pgettext_lazy("month label", "Nov"), pgettext_lazy("month label", "Dec"),
]


def month_label(month: int) -> str:
    return str(MONTH_LABELS[month - 1])


def floor_label(floor) -> str:
    if floor is None:
        return "—"
    return f"B{-floor}" if floor < 0 else f"{floor}F"


def _rows(fig: Figure, group: str, labels: dict, *, order: list | None = None) -> list[Row]:
    """The figure's rows for ``group``, by label, or in ``order`` (its keys)
    when the labels do not sort as people read them (一级, 二级, 三级, 特殊)."""
    items = fig.by.get(group, {})
    rows = [Row(k, labels.get(k, str(k) if k is not None else _("Unassigned")), m, t) for k, (m, t) in items.items()]
    if order is not None:
        rank = {key: i for i, key in enumerate(order)}
        return sorted(rows, key=lambda r: (rank.get(r.key, len(rank)), r.label))
    return sorted(rows, key=lambda r: r.label)


# Satisfaction is the centre's, not a person's: it has no staff breakdown.
STAFF_FIGURES = ("visit_rate", "attainment", "face_to_face", "on_site", "suggestion_reply", "response", "resolution",
                 "sign_for")


@dataclass
class Breakdown:
    """One breakdown as a table: a row per group (staff member, tier, month),
    a cell per figure (None where the figure has nothing in that group)."""

    group: str
    title: str
    columns: list[tuple[str, str]]  # (figure key, label)
    rows: list[tuple[object, str, list]]  # (group key, label, [[figure key, Row | None, drill link]])


def breakdown(figures: dict[str, Figure], group: str, title: str, keys: list, labels: dict,
              columns: tuple | None = None) -> Breakdown:
    cols = [k for k in (columns or figures.keys()) if k in figures]
    rows = []
    for key in keys:
        cells = []
        for fk in cols:
            met_total = figures[fk].by.get(group, {}).get(key)
            cells.append([fk, Row(key, "", *met_total) if met_total else None, None])
        rows.append((key, labels.get(key, str(key) if key is not None else _("Unassigned")), cells))
    return Breakdown(group, title, [(k, str(figures[k].label)) for k in cols], rows)


def _breakdowns(figures: dict[str, Figure], staff_names: dict, tier_names: dict) -> list[Breakdown]:
    staff_keys = {k for fk in STAFF_FIGURES for k in figures[fk].by.get("staff", {}) if fk in figures}
    staff_order = sorted(staff_keys, key=lambda k: (k is None, staff_names.get(k, "")))
    tier_keys = [k for k in tier_names if any(k in f.by.get("tier", {}) for f in figures.values())]
    return [
        breakdown(figures, "staff", _("By staff member"), staff_order, staff_names, STAFF_FIGURES),
        breakdown(figures, "tier", _("By tier"), tier_keys, tier_names),
        breakdown(figures, "month", _("By month"), list(range(1, 13)), {m: month_label(m) for m in range(1, 13)}),
    ]


def cached_figures(centre_ids: list[int], period: Period, *, seconds: int) -> tuple[dict, datetime]:
    """The figures, computed at most once per `seconds` for the same centres
    and day: managers reload the dashboard and drill in and out; the numbers
    move with visits, not with clicks. Exports always compute afresh."""
    digest = hashlib.sha256(",".join(map(str, sorted(centre_ids))).encode()).hexdigest()[:24]
    key = f"visits:figures:{digest}:{period.year}:{period.as_of}:{period.cutoff}"
    hit = cache.get(key) if seconds > 0 else None
    if hit is not None:
        return hit
    value = (all_figures(centre_ids, period), timezone.now())
    if seconds > 0:
        cache.set(key, value, seconds)
    return value


def meeting_gaps(centres: list[Centre], period: Period) -> list[MeetingGap]:
    """Quarters of the year without a tenant meeting, and last year's fourth
    quarter, which is only found in January."""
    from django.db.models import Q

    return list(MeetingGap.objects.filter(centre__in=centres).filter(
        Q(year=period.year) | Q(year=period.year - 1, quarter=4)).select_related("centre"))


def dashboard_data(*, centres: list[Centre], period: Period, cache_seconds: int = 0) -> dict:
    centre_ids = [c.pk for c in centres]
    figures, computed_at = cached_figures(centre_ids, period, seconds=cache_seconds)
    centre_names = {c.pk: c.name for c in centres}
    operator_names = {c.operator_id: c.operator.name for c in centres}
    centre_operator = {c.pk: c.operator_id for c in centres}
    staff_ids = [k for f in figures.values() for k in f.by.get("staff", {}) if k is not None]
    staff_names = {u.pk: str(u) for u in User.objects.filter(pk__in=staff_ids).only("pk", "email", "full_name")}
    tier_names = dict(Tier.choices)
    tier_names[NO_TENANT] = NO_TENANT_LABEL  # last: public posts' requests (see target_base)
    tier_names = {k: str(v) for k, v in tier_names.items()}
    dims = {k: str(v) for k, v in Dimension.choices}

    by_centre = {key: _rows(fig, "centre", centre_names) for key, fig in figures.items()}
    operators = {
        key: sorted((Row(k, operator_names.get(k, "—"), m, t) for k, (m, t) in by_operator(fig, centre_operator).items()),
                    key=lambda r: r.label)
        for key, fig in figures.items()
    }
    staff = _rows(figures["attainment"], "staff", staff_names)
    tier_order = [*Tier.values, NO_TENANT]  # 1, 2, 3, special: the order the choices declare; then no tenant
    tiers = {key: _rows(figures[key], "tier", tier_names, order=tier_order) for key in figures}
    months = figures["attainment"].by.get("month", {})
    month_rows = [Row(m, month_label(m), *months.get(m, (0, 0))) for m in range(1, 13)]
    satisfaction = figures["satisfaction"]
    charts = {
        "targets": bars([(f.label, f.rate) for f in figures.values()], goal=90, title=_("Targets this year")),
        "visit_rate_by_centre": bars([(r.label, r.rate) for r in by_centre["visit_rate"]], goal=100,
                                     title=_("Annual visit rate by centre")),
        "attainment_by_staff": bars([(r.label, r.rate) for r in staff], goal=100, title=_("Plan attainment by staff member")),
        "trend": trend([(r.label, r.rate if r.total else None) for r in month_rows], goal=100,
                       title=_("Planned visits done, by month of the window")),
        "satisfaction_by_dimension": bars([(r.label, r.rate) for r in _rows(satisfaction, "dimension", dims)], goal=85,
                                          title=_("Satisfaction by dimension")),
    }
    return {
        "figures": figures,
        "by_centre": by_centre,
        "operators": operators,
        "staff": staff,
        "tiers": tiers,
        "months": month_rows,
        "dimensions": _rows(satisfaction, "dimension", dims),
        "floors": sorted(_rows(satisfaction, "floor", {k: floor_label(k) for k in satisfaction.by.get("floor", {})}),
                         key=lambda r: (r.key is None, r.key if r.key is not None else 0)),
        "charts": charts,
        "breakdowns": _breakdowns(figures, staff_names, tier_names),
        "centres": centres,
        "period": period,
        "computed_at": computed_at,
    }
