"""The files a user downloads: the import template and the exports, with
formula escaping."""

from __future__ import annotations

import io

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

from portal.spreadsheets import escape_row
from tenants.imports.resources import ContactResource, TenantResource
from tenants.models import (
    Category,
    TenantStatus,
    Tier,
)


def template_xlsx(resource_cls) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Import")[:31]
    ws.append(resource_cls.headers())
    for cell in ws[1]:
        cell.font = Font(bold=True)
    notes = wb.create_sheet(_("Allowed values")[:31])
    notes.append([_("Column"), _("Allowed values")])
    notes.append([str(TenantResource.columns[5][1]), " / ".join(f"{v} ({label})" for v, label in Tier.choices)])
    notes.append([str(TenantResource.columns[4][1]), " / ".join(f"{v} ({label})" for v, label in Category.choices)])
    notes.append([str(TenantResource.columns[6][1]), " / ".join(f"{v} ({label})" for v, label in TenantStatus.choices)])
    notes.append([_("Dates"), "2026-01-31"])
    notes.append([_("Floor"), _("1 is the ground floor, -1 is B1")])
    notes.append([str(ContactResource.columns[6][1]), _("yes / no")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_dataset(resource_cls, queryset) -> tablib.Dataset:
    resource = resource_cls(centres=[])
    dataset = resource.export(queryset=queryset)
    escaped = tablib.Dataset(headers=resource_cls.headers())
    for row in dataset:
        # Ours, not import-export's (off in settings: it deletes a leading
        # "="); "+", "-" and "@" start formulae too.
        escaped.append(escape_row(row))
    return escaped


def export_bytes(resource_cls, queryset, fmt: str) -> bytes:
    dataset = export_dataset(resource_cls, queryset)
    if fmt == "csv":
        # With a BOM, so that Excel on Windows reads the Chinese correctly.
        return ("\ufeff" + CSV().export_data(dataset)).encode("utf-8")
    return XLSX().export_data(dataset)
