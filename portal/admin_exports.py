"""The admin listings' downloads ("下载 CSV / XLSX"), written as the screen reads.

Wagtail's `SpreadsheetExportMixin` writes what the model holds: choice codes
("enquiry", "in_progress"), `True`/`False`, moments in UTC with their
microseconds, a CSV that Excel on a Chinese Windows opens as mojibake (no
byte-order mark), and a CSV whose headings are translated after the view has
returned, when Wagtail's override of the reader's language is over. The
listing of every scoped viewset (ReadableIndexView, which
ReadableListingMixin gives portal.admin_scoping.ScopedSnippetViewSet) writes
instead, in the reader's language (the admin's active language: the user's
preference, else the session's):

- a choice by its label, a boolean as 是/否 (Yes/No), a related record by its
  name, nothing for nothing;
- a moment in the reader's local time (the admin's active time zone:
  settings.TIME_ZONE unless the user chose another) to the minute, as
  portal.spreadsheets.when prints it: text in the CSV, a real date and time
  in the XLSX (openpyxl cannot hold an aware one); a date likewise;
- numbers as numbers in the XLSX;
- the CSV in UTF-8 with a byte-order mark, the XLSX with a bold, frozen
  heading row and columns wide enough for their dates.

Cells still pass through Wagtail's `preprocess_field_value`, which
portal.spreadsheets wraps with the formula escaping: a subject a tenant typed
as "=HYPERLINK(…)" stays text. Only Wagtail's hooks are overridden
(`get_preprocess_function`, `stream_csv`, `write_csv_response`, `write_xlsx`,
`generate_xlsx_row`); a viewset's own `custom_field_preprocess` and
`export_headings` still come first.

The listing itself shows a yes/no field as 是/否 too (YesNoColumn), where
Wagtail's plain column prints "True"/"False"."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Hashable
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.functional import Promise, cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.snippets.views.snippets import IndexView

from .admin_columns import YesNoColumn
from .spreadsheets import MINUTE, local_minute

CSV_BOM = "\ufeff"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
NUMBERS = (int, float, Decimal)


def model_field(model, path: str):
    """The model field that a `list_export` entry ("status", "tenant.status")
    ends on, or None for a property or method."""
    field = None
    for part in path.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ReadableExportMixin:
    """Mixed into an index view (before Wagtail's IndexView): see the module."""

    @cached_property
    def _export_fields(self) -> dict:
        return {name: model_field(self.model, name) for name in self.list_export}

    @cached_property
    def _export_choices(self) -> dict:
        """The labels (lazy: read in the reader's language) of each exported
        field with choices, read once, not once a row."""
        return {name: dict(field.flatchoices) for name, field in self._export_fields.items()
                if field is not None and field.choices}

    def readable_value(self, field: str, value):
        """What the listing would show for `value` of `field`, as a value a
        spreadsheet holds: text, a number, a naive local date or time, or None."""
        if value is None:
            return None
        choices = self._export_choices.get(field)
        if choices is not None and isinstance(value, Hashable) and value in choices:
            return force_str(choices[value])
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime.datetime):
            return local_minute(value)
        if isinstance(value, (datetime.date, datetime.time, *NUMBERS)):
            return value
        if isinstance(value, list | tuple | set | frozenset):
            return ", ".join(force_str(self.readable_value(field, v) or "") for v in value)
        if isinstance(value, models.Manager):  # a many-to-many (prefetch it in the viewset's scope)
            return ", ".join(str(v) for v in value.all())
        if isinstance(value, Promise | models.Model):
            return str(value)
        text = force_str(value)
        return text or None

    def get_preprocess_function(self, field, value, export_format):
        if export_format in self.custom_field_preprocess.get(field, {}):
            return super().get_preprocess_function(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return lambda v: self.csv_text(self.readable_value(field, v))
        return lambda v: self.readable_value(field, v)

    @staticmethod
    def csv_text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime.datetime):
            return value.strftime(MINUTE)
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return force_str(value)

    # --- CSV ---------------------------------------------------------------------------

    def stream_csv(self, queryset):
        """Wagtail's rows, after a byte-order mark, each written in the
        language and time zone of the request: the response is streamed after
        the view has returned, when Wagtail's override of both is over."""
        language, zone = translation.get_language(), timezone.get_current_timezone()
        rows = super().stream_csv(queryset)

        def readable_rows():
            yield CSV_BOM
            while True:
                with translation.override(language), timezone.override(zone):
                    row = next(rows, None)
                if row is None:
                    return
                yield row

        return readable_rows()

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

    # --- XLSX --------------------------------------------------------------------------

    def export_sheet_title(self) -> str:
        title = force_str(capfirst(self.model._meta.verbose_name_plural))
        return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet1"

    def export_column_width(self, field: str, heading: str) -> int:
        model_field_ = self._export_fields.get(field)
        if isinstance(model_field_, models.DateTimeField):
            wanted = len("2026-12-02 18:46") + 2
        elif isinstance(model_field_, models.DateField):
            wanted = len("2026-12-02") + 2
        elif isinstance(model_field_, models.TextField):
            wanted = 40
        elif isinstance(model_field_, models.CharField) and not model_field_.choices:
            wanted = min(max(model_field_.max_length or 0, 10), 30)
        else:
            wanted = 10
        return max(wanted, display_width(heading) + 2)

    def write_xlsx(self, queryset, output):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=self.export_sheet_title())
        headings = [self.get_heading(queryset, field) for field in self.list_export]
        for index, (field, heading) in enumerate(zip(self.list_export, headings, strict=True), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = self.export_column_width(field, heading)
        sheet.freeze_panes = "A2"
        header = []
        for heading in headings:
            cell = WriteOnlyCell(sheet, heading)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for item in queryset:
            sheet.append(self.generate_xlsx_row(sheet, self.to_row_dict(item)))
        workbook.save(output)

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in super().generate_xlsx_row(worksheet, row_dict):
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = XLSX_DATETIME
            elif isinstance(cell.value, datetime.date):
                cell.number_format = XLSX_DATE
            yield cell


class ReadableIndexView(ReadableExportMixin, IndexView):
    """The listing of every scoped viewset (portal.admin_scoping): its "下载
    CSV / XLSX" read as the screen does, and a yes/no field named in
    `list_display` shown as a tick or a cross read out as 是/否 (Wagtail's
    plain column prints "True"/"False"). A viewset's own index view derives
    from it."""

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        # Wagtail's one place that makes a column of a name in list_display.
        field = model_field(self.model, field_name.replace("__", "."))
        if column_class is Column and isinstance(field, models.BooleanField):
            column_class = YesNoColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)


class ReadableListingMixin:
    """For a viewset (before SnippetViewSet): its listing is a
    ReadableIndexView, and a subclass naming an index view that exports
    through Wagtail's mixin alone is refused when it is defined."""

    index_view_class = ReadableIndexView

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        view = cls.index_view_class
        if issubclass(view, SpreadsheetExportMixin) and not issubclass(view, ReadableExportMixin):
            raise ImproperlyConfigured(
                f"{cls.__module__}.{cls.__qualname__}.index_view_class writes raw codes and UTC times in its "
                "downloads: derive it from portal.admin_exports.ReadableIndexView"
            )
