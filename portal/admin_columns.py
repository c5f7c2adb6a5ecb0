"""Listing columns for the lists a desk keeps open all day (the request log,
the storage log), so that every column fits a 1366 px office screen in
Chinese, the last one (处理人, 领取人) included, with one line a row.

A desk clerk scans these lists for a number, a shop and a state, and opens
the record for the rest. A row wrapped over three lines (a long subject, a
date split from its time, a request number broken at its hyphen) shows a
third as many rows, and the assignee ended flush at the screen's edge. So
(portal/static/portal/admin.css, from 50em up; a phone's rows wrap as ever):

- codes, states and times never wrap (DeskListTable);
- long free text (a subject, a shop's name, what was left) takes its share
  of the row (ClippedColumn's `width`) and yields first when the screen is
  narrower: one line cut with an ellipsis, whole on hover (the cell's title)
  and on the record's page;
- times are short: this year's "12-03 07:39" (what a desk deals with), an
  older one "2025-11-30" (the record has the minute)."""

from __future__ import annotations

from django.utils.text import capfirst
from wagtail.admin.ui.tables import BooleanColumn, Column, Table


class DeskListTable(Table):
    """A listing whose rows stay on one line (portal/static/portal/admin.css)."""

    classname = "listing atrium-desk-list"


class ClippedColumn(Column):
    """Free text cut with an ellipsis at the column's width: a share of the
    table (`width`, "20%"), what the columns that do not wrap leave over."""

    cell_template_name = "portal/admin/cells/clipped.html"

    def __init__(self, *args, width: str, **kwargs):
        super().__init__(*args, width=width, classname="atrium-clip-cell", **kwargs)


class ShortDateTimeColumn(Column):
    """A time as a desk reads it: month, day and minute this year, the date before."""

    cell_template_name = "portal/admin/cells/short_datetime.html"


class YesNoColumn(BooleanColumn):
    """A yes/no field as Wagtail's tick or cross, read out (and on hover) as
    是/否 in the reader's language rather than Wagtail's "True"/"False"."""

    cell_template_name = "portal/admin/cells/yes_no.html"


def field_column(model, name: str, column_class=Column, **kwargs) -> Column:
    """The column Wagtail makes of a field named in list_display (its label,
    sorting by it, a choice shown by its label), in another class."""
    field = model._meta.get_field(name)
    accessor = f"get_{name}_display" if field.choices else name
    return column_class(accessor, label=capfirst(field.verbose_name), sort_key=name, **kwargs)
