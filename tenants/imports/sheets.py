"""Reading an uploaded file (xlsx or csv) into a dataset whose headers are the
resource's attribute names, or a clear ImportFileError."""

from __future__ import annotations

import io
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX

from tenants.imports.cells import cell_text
from tenants.imports.resources import ScopedResource


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


def read_sheet(data: bytes, resource_cls: type[ScopedResource]) -> tuple[tablib.Dataset, str]:
    """The sheet as a dataset with attribute-named headers, or ImportFileError."""
    if len(data) > settings.ATRIUM_IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is too large: at most %(mb)s MB.") % {
            "mb": round(settings.ATRIUM_IMPORT_MAX_BYTES / 1024 / 1024, 1)})
    if data.startswith(b"PK\x03\x04"):
        fmt = "xlsx"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                unpacked = sum(i.file_size for i in zf.infolist())
        except zipfile.BadZipFile as exc:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file.")) from exc
        if not any(n.startswith("xl/") for n in names):
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        # A small zip can unpack to gigabytes; refuse before openpyxl tries.
        if unpacked > 20 * settings.ATRIUM_IMPORT_MAX_BYTES:
            raise ImportFileError(_("The spreadsheet is too large once unpacked."))
        try:
            dataset = XLSX().create_dataset(data)
        except Exception as exc:  # openpyxl raises many kinds on broken files
            raise ImportFileError(_("The spreadsheet could not be read: is it damaged?")) from exc
    else:
        fmt = "csv"
        if b"\x00" in data[:4096]:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        text = None
        # Excel on Chinese Windows saves CSV in GB18030, elsewhere UTF-8.
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))
        try:
            dataset = CSV().create_dataset(text)
        except Exception as exc:
            raise ImportFileError(_("The CSV file could not be read.")) from exc
    aliases = resource_cls.header_aliases()
    headers = [aliases.get(cell_text(h).lower()) for h in (dataset.headers or [])]
    missing = [str(label) for attr, label, _zh in resource_cls.columns if attr not in headers and attr != "units"]
    if missing:
        raise ImportFileError(_("These columns are missing: %(columns)s. Start from the template.") % {
            "columns": "、".join(missing)})
    # Columns the resource does not know are dropped; blank lines are skipped.
    keep = [i for i, h in enumerate(headers) if h]
    rows = [[row[i] for i in keep] for row in dataset if any(cell_text(v) for v in row)]
    if not rows:
        raise ImportFileError(_("The sheet has no rows to import."))
    if len(rows) > settings.ATRIUM_IMPORT_MAX_ROWS:
        raise ImportFileError(_("The sheet has %(n)s rows: at most %(max)s at a time.") % {
            "n": len(rows), "max": settings.ATRIUM_IMPORT_MAX_ROWS})
    clean = tablib.Dataset(*rows, headers=[headers[i] for i in keep])
    return clean, fmt
