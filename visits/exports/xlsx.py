"""The dashboard as a workbook: one sheet of targets, one per breakdown, the
overdue visits. Every text cell is formula-escaped."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal.spreadsheets import escape_formula


def _sheet(wb, title: str, header: list, rows: list[list]):
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([escape_formula(v) for v in row])
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = 18
    return ws


def _rate(v):
    return "" if v is None else v


def _per_figure(data: dict, breakdown: str) -> list[list]:
    """One row per figure and group of a breakdown (centres, operators, tiers)."""
    return [[str(data["figures"][key].label), r.label, _rate(r.rate), r.met, r.total]
            for key, items in data[breakdown].items() for r in items]


def _per_group(table) -> list[list]:
    """A breakdown (staff members or months) as one row per figure and group."""
    labels = dict(table.columns)
    return [[labels[fk], label, _rate(r.rate), r.met, r.total]
            for fk, _title in table.columns
            for _key, label, cells in table.rows for cell_key, r, _link in cells if cell_key == fk and r is not None]


def dashboard_xlsx(data: dict, *, overdue) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    period = data["period"]
    head = [_("Figure"), _("Rate %"), _("Goal %"), _("Met"), _("Total")]
    _sheet(wb, _("Targets"), head,
           [[f.label, _rate(f.rate), f.goal, f.met, f.total] for f in data["figures"].values()])
    _sheet(wb, _("By centre"), [_("Figure"), _("Centre"), _("Rate %"), _("Met"), _("Total")], _per_figure(data, "by_centre"))
    _sheet(wb, _("By operator"), [_("Figure"), _("Operator"), _("Rate %"), _("Met"), _("Total")], _per_figure(data, "operators"))
    tables = {b.group: b for b in data["breakdowns"]}
    _sheet(wb, _("By staff member"), [_("Figure"), _("Staff member"), _("Rate %"), _("Met"), _("Total")],
           _per_group(tables["staff"]))
    _sheet(wb, _("By tier"), [_("Figure"), _("Tier"), _("Rate %"), _("Met"), _("Total")], _per_figure(data, "tiers"))
    _sheet(wb, _("By month"), [_("Figure"), _("Month"), _("Rate %"), _("Met"), _("Total")], _per_group(tables["month"]))
    _sheet(wb, _("Satisfaction"), [_("Dimension / floor"), _("Satisfied %"), _("Scores 4–5"), _("Scores")],
           [[r.label, _rate(r.rate), r.met, r.total] for r in data["dimensions"]]
           + [[r.label if isinstance(r.label, str) else str(r.label), _rate(r.rate), r.met, r.total] for r in data["floors"]])
    _sheet(wb, _("Overdue visits"), [_("Centre"), _("Tenant code"), _("Tenant"), _("Tier"), _("Window from"),
                                     _("Due by"), _("Assigned to")],
           [[p.centre.name, p.tenant.code, p.tenant.trading_name, p.get_tier_display(), p.window_start, p.window_end,
             str(p.assignee or "")] for p in overdue])
    wb.properties.title = f"{period.year}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
