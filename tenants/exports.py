"""The request record form (《诉求(需求)记录表》) for a period, as XLSX and PDF.

Both are built from the same rows, so the spreadsheet and the printed form
never disagree."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.pdf.render import html_to_pdf
from portal.spreadsheets import escape_formula, when
from tenants.models import ServiceRequest


def record_columns() -> list[str]:
    return [
        _("No."), pgettext("reference number", "Number"), pgettext("time", "Received"), _("Tenant"), _("Contact"), _("Phone"), _("Channel"), _("Category"),
        _("Severity"), _("Request"), _("Department"), _("Handled by"), _("First response"), _("Outcome"),
        pgettext("time", "Closed"), _("Rating"), _("Repeat complaint"),
    ]


def record_rows(queryset) -> list[list]:
    rows = []
    qs = queryset.select_related("tenant", "assignee").prefetch_related("entries").order_by("created_at", "id")
    for i, sr in enumerate(qs, start=1):
        outcome = next(
            (e.body for e in reversed(list(sr.entries.all())) if e.kind == "status" and e.to_status == "closed"), ""
        )
        rows.append([
            i, sr.number, when(sr.created_at), sr.tenant_name, sr.contact_name, sr.contact_phone,
            sr.get_channel_display(), sr.get_category_display(), sr.get_severity_display(),
            f"{sr.subject}：{sr.description}", sr.get_department_display() if sr.department else "",
            str(sr.assignee or ""), when(sr.responded_at), outcome, when(sr.closed_at),
            sr.rating or "", _("yes") if sr.is_repeat_complaint else "",
        ])
    return rows


def record_xlsx(queryset, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Request record")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(record_columns())
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in record_rows(queryset):
        ws.append([escape_formula(v) for v in row])
    for col, width in zip("ABCDEFGHIJKLMNOPQ", [5, 18, 17, 16, 10, 14, 10, 8, 8, 40, 10, 10, 17, 30, 17, 6, 8], strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def record_pdf(queryset, *, title: str, centre, start: date, end: date) -> bytes:
    html = render_to_string(
        "tenants/admin/request_record_pdf.html",
        {"title": title, "columns": record_columns(), "rows": record_rows(queryset), "centre": centre,
         "start": start, "end": end, "printed": timezone.localtime()},
    )
    # No assets folder: the safe fetcher refuses every file and address, so
    # text in a request cannot make the renderer read files or reach the network.
    return html_to_pdf(html)


def record_queryset(*, centre, start: date, end: date):
    return ServiceRequest.objects.filter(centre=centre, created_at__date__gte=start, created_at__date__lte=end)


def simple_xlsx(*, title: str, columns: list[str], rows: Iterable[list]) -> bytes:
    """A one-sheet register (title row, header row, data) with every text
    cell escaped against formula injection. Written row by row (openpyxl's
    write-only mode): `rows` may be a generator over a whole year, and the
    sheet is not held as cell objects in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("".join(c for c in title if c not in "[]:*?/\\")[:31])

    def styled(value, font):
        cell = WriteOnlyCell(ws, value=escape_formula(value))
        cell.font = font
        return cell

    ws.append([styled(title, Font(bold=True, size=14))])
    ws.append([styled(c, Font(bold=True)) for c in columns])
    for row in rows:
        ws.append([escape_formula(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
