"""Formula-safe spreadsheets: the one escaping function every CSV and XLSX
export of the project uses, and the same escaping for Wagtail's own exports.

A cell a tenant typed (a shop name, a request subject, a contact's position)
that starts with "=", "+", "-" or "@" is run as a formula by Excel, WPS and
LibreOffice when the file is opened (CSV injection: `=HYPERLINK(...)`,
`=cmd|'/c calc'!A1`). A leading tab or carriage return is stripped by some
of them and the rest is then read as a formula. Such a cell is written with a
leading apostrophe, which the spreadsheet shows as text (OWASP's advice).
Plain numbers ("-1" for the first basement floor) are left as they are: they
cannot run anything, and an apostrophe would turn them into text.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def escape_formula(value):
    """The value, with a leading apostrophe if a spreadsheet would read it
    as a formula. Non-text values (numbers, dates, None) pass unchanged."""
    if isinstance(value, Promise):  # a lazy translation is text too
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def escape_row(values) -> list:
    return [escape_formula(v) for v in values]


# Times. A moment as every export and printed form of the project shows it: the
# reader's local time (the admin's active time zone, settings.TIME_ZONE
# unless the user chose another) to the minute, as on the screen.
MINUTE = "%Y-%m-%d %H:%M"


def local_minute(value: datetime, tz=None) -> datetime:
    """An aware moment as a naive local time to the minute: what an XLSX
    cell can hold (openpyxl refuses aware datetimes) and the screen shows."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, tz)
    return value.replace(tzinfo=None, second=0, microsecond=0)


def when(value, tz=None) -> str:
    """A moment as the forms and the CSV downloads print it: local time to
    the minute, blank for none. A long export passes the zone (`tz`) it
    looked up once."""
    return local_minute(value, tz).strftime(MINUTE) if value else ""


def install_wagtail_export_escaping() -> None:
    """Make every Wagtail export formula-safe, in both formats, ours and
    Wagtail's own (its site-history and page reports name objects by title).
    Wagtail marks an XLSX cell that openpyxl takes for a formula as text,
    but it turns into a live formula as soon as someone edits the cell, and
    its CSV has no escaping at all.

    All of them inherit `SpreadsheetExportMixin` and Wagtail has no setting
    or hook for this, so the one method that turns a field into a cell is
    wrapped once at start-up: a viewset added tomorrow is safe without
    anyone remembering a mixin. Idempotent."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from .patching import wrap_once

    def wrap(original):
        def preprocess_field_value(self, field, value, export_format):
            return escape_formula(original(self, field, value, export_format))
        return preprocess_field_value

    wrap_once(SpreadsheetExportMixin, "preprocess_field_value", wrap)
