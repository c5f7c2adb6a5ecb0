"""Which days are public holidays, and what Atrium does when it cannot know.

The dates come from chinese-calendar, which carries each year's official
arrangement: the State Council publishes it around November–December and the
package follows weeks later. Until then the package refuses every day of the
new year (NotImplementedError), so the greetings of that year would silently
never be prepared. Instead:

- the holidays whose first day never moves (元旦 1 January, 劳动节 1 May,
  国庆节 1 October) are still found on that date: only the days off around
  them change from year to year;
- the lunar ones (春节, 端午节, 中秋节) and 清明节 (a solar term, 4 or 5 April)
  are not guessed: a wrong date would greet every tenant on the wrong day;
- staff who prepare greetings are told (the greetings screen, "Waiting for
  you") and so is monitoring (`atrium_holiday_calendar_unknown_years`, and a
  warning in the log of the daily task), some weeks ahead.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import chinese_calendar
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

# chinese-calendar's names of the holidays that start on the same date every year.
FIXED_DATE_HOLIDAYS = {(1, 1): "New Year's Day", (5, 1): "Labour Day", (10, 1): "National Day"}
# How far ahead staff are warned of a year the calendar does not know: from
# early November for the next year, when the arrangement is being published.
CALENDAR_WARN_DAYS = 60


@functools.cache
def holiday_year_known(year: int) -> bool:
    """Whether the installed chinese-calendar carries the official holidays of
    `year` (known per process: the package changes only with a deploy)."""
    try:
        chinese_calendar.get_holiday_detail(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def unknown_holiday_years(*, today: date | None = None, days: int = CALENDAR_WARN_DAYS) -> list[int]:
    """The years from today to `days` ahead whose holidays are not known."""
    today = today or timezone.localdate()
    return [year for year in range(today.year, (today + timedelta(days=days)).year + 1) if not holiday_year_known(year)]


def _starts_here(day: date) -> str | None:
    """The holiday whose first day is `day`, by the official calendar."""
    is_holiday, name = chinese_calendar.get_holiday_detail(day)
    if not (is_holiday and name):
        return None
    before = day - timedelta(days=1)
    return name if not holiday_year_known(before.year) or chinese_calendar.get_holiday_detail(before)[1] != name else None


def holiday_starts(start: date, end: date) -> list[tuple[date, str]]:
    """First day of each public holiday between start and end (inclusive);
    in a year the calendar does not know, only the fixed-date ones."""
    found = []
    day = start
    while day <= end:
        name = _starts_here(day) if holiday_year_known(day.year) else FIXED_DATE_HOLIDAYS.get((day.month, day.day))
        if name:
            found.append((day, name))
        day += timedelta(days=1)
    return found


class HolidayCalendarFigures:
    """A prometheus_client collector: no query, the installed package only."""

    def collect(self):
        yield GaugeMetricFamily(
            "atrium_holiday_calendar_unknown_years",
            f"Years within {CALENDAR_WARN_DAYS} days whose official public holidays chinese-calendar does not know "
            "(greetings of moving holidays are not prepared: update the package or add them by hand).",
            value=len(unknown_holiday_years()),
        )
