"""The pieces every target shares (R26): the goals, a figure as counts per
group, and the period a figure is judged over. The definitions are in
visits.selectors.targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

# The tier breakdown's row for requests without a tenant (a member of the
# public's board post, about the centre). They count for their centre, and a
# manager auditing the deadline targets expects the tiers to add up to the
# centre's figure: so they get their own row rather than being left out (or
# filed under no row at all). Not a Tier value, so no drill-down narrows to it.
NO_TENANT = "no-tenant"
NO_TENANT_LABEL = _("No tenant (public posts)")


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


def add_to(fig: Figure, group: str, key, met: int, total: int) -> None:
    slot = fig.by.setdefault(group, {})
    m, t = slot.get(key, (0, 0))
    slot[key] = (m + met, t + total)
