"""Reading an uploaded file (xlsx or csv) into a dataset whose headers are the
resource's attribute names, or a clear ImportFileError.

The file is read a row at a time (openpyxl's read-only mode, the csv
module's reader) and refused as soon as it passes the row limit, so that a
100,000-row file costs 20,001 rows of reading, not a parse of the whole."""

from __future__ import annotations

import csv
import io
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _

from tenants.imports.cells import cell_text
from tenants.imports.resources import ScopedResource


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why. `rows_read`
    is how far the reading got."""

    def __init__(self, message, rows_read: int = 0):
        super().__init__(message)
        self.rows_read = rows_read


def _not_a_sheet() -> ImportFileError:
    return ImportFileError(_("This file is not a spreadsheet. Upload an XLSX or CSV file."))


def sniff_format(data: bytes) -> str:
    """"xlsx" or "csv" from the bytes, or ImportFileError; cheap enough for
    the request that uploads the file (nothing is parsed but the zip index)."""
    if len(data) > settings.ATRIUM_IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is too large: at most %(mb)s MB.") % {
            "mb": round(settings.ATRIUM_IMPORT_MAX_BYTES / 1024 / 1024, 1)})
    if not data.startswith(b"PK\x03\x04"):
        if b"\x00" in data[:4096]:
            raise _not_a_sheet()
        return "csv"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            unpacked = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise _not_a_sheet() from exc
    if not any(n.startswith("xl/") for n in names):
        raise _not_a_sheet()
    # A small zip can unpack to gigabytes; refuse before openpyxl tries.
    if unpacked > 20 * settings.ATRIUM_IMPORT_MAX_BYTES:
        raise ImportFileError(_("The spreadsheet is too large once unpacked."))
    return "xlsx"


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        yield from book.active.iter_rows(values_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise ImportFileError(_("The spreadsheet could not be read: is it damaged?")) from exc


def _csv_rows(data: bytes):
    # Excel on Chinese Windows saves CSV in GB18030, elsewhere UTF-8. Decoding
    # 5 MB is quick; it is the parsing that is read a row at a time.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _not_a_sheet()
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read.")) from exc


def read_sheet(data: bytes, resource_cls: type[ScopedResource], *, progress=None) -> tuple[tablib.Dataset, str]:
    """The sheet as a dataset with attribute-named headers, or ImportFileError.
    `progress(rows_read)` is called every 1,000 rows."""
    fmt = sniff_format(data)
    rows = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    aliases = resource_cls.header_aliases()
    headers = [aliases.get(cell_text(h).lower()) for h in next(rows, None) or ()]
    missing = [str(label) for attr, label, _zh in resource_cls.columns if attr not in headers and attr != "units"]
    if missing:
        raise ImportFileError(_("These columns are missing: %(columns)s. Start from the template.") % {
            "columns": "、".join(missing)})
    # Columns the resource does not know are dropped; blank lines are skipped.
    keep = [i for i, h in enumerate(headers) if h]
    limit, kept, read = settings.ATRIUM_IMPORT_MAX_ROWS, [], 0
    for read, row in enumerate(rows, 1):
        if progress and read % 1000 == 0:
            progress(read)
        if not any(cell_text(v) for v in row):
            continue
        if len(kept) == limit:
            raise ImportFileError(_("The sheet has more than %(max)s rows: at most %(max)s at a time.") % {
                "max": limit}, rows_read=read)
        kept.append([row[i] if i < len(row) else None for i in keep])
    if not kept:
        raise ImportFileError(_("The sheet has no rows to import."), rows_read=read)
    return tablib.Dataset(*kept, headers=[headers[i] for i in keep]), fmt
