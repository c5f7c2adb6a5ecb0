"""Tenant import at scale: the preview of a tenant sheet as the admin's task
runs it (reading the XLSX a row at a time, then the dry run of every row).

Builds a throw-away database (bench/common.py: SQLite under
var/bench-archive-import, or BENCH_DATABASE_URL) with one centre and 20,000
units, then times, on the same sheets in the same run:
- the preview of 5,000 and of 20,000 rows (the documented maximum; the
  target is 30 s on the 2-core reference machine);
- the anchor: openpyxl alone reading the 20,000-row sheet in read-only mode,
  values only — the least any preview must do. The ratio against it says
  what the checks cost, whatever the load on the machine."""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import reset_database, setup

setup("archive-import")

from openpyxl import Workbook, load_workbook

from tenants.imports.resources import TenantResource
from tenants.imports.running import run_import
from tenants.imports.sheets import read_sheet
from tenants.models import Centre, Operator, Tenant, Unit

ROWS = int(os.environ.get("BENCH_ROWS", "20000"))
CATEGORIES = ["food", "fashion", "retail", "children", "lifestyle"]


def sheet(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(TenantResource.headers())
    for i in range(rows):
        ws.append(["BN", f"BN{i:05d}", f"测试店铺{i}", f"杭州测试店铺{i}有限公司", CATEGORIES[i % 5], str(1 + i % 3),
                   "open", "2026-01-01", "2029-12-31", f"U{i:05d}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def preview(data: bytes, centre, rows: int) -> float:
    done = []
    start = time.perf_counter()
    dataset, _fmt = read_sheet(data, TenantResource, progress=done.append)
    outcome = run_import(dataset, TenantResource, centres=[centre], dry_run=True, progress=done.append)
    elapsed = time.perf_counter() - start
    assert outcome.ok and outcome.new == rows, outcome.problems[:3]
    assert done, "the preview reported no progress"
    return elapsed


def bare_read(data: bytes) -> float:
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _row in book.active.iter_rows(values_only=True))
    elapsed = time.perf_counter() - start
    assert count == ROWS + 1
    return elapsed


def main():
    reset_database()
    operator = Operator.objects.create(name="基准测试商业", code="BENCH")
    centre = Centre.objects.create(operator=operator, name="基准广场", code="BN", hotline="0571-0000-0000")
    Unit.objects.bulk_create(Unit(centre=centre, floor=1 + i % 5, number=f"U{i:05d}", area=80) for i in range(ROWS))
    small, full = sheet(5000), sheet(ROWS)
    small_s = preview(small, centre, 5000)
    anchor = bare_read(full)
    full_s = preview(full, centre, ROWS)
    assert not Tenant.objects.exists()
    print(f"import_dry_run_5000_rows: {small_s:.2f} s")
    print(f"import_preview_{ROWS}_rows: {full_s:.2f} s")
    print(f"import_read_{ROWS}_rows_openpyxl_anchor: {anchor:.2f} s")
    print(f"import_preview_{ROWS}_rows_ratio: {full_s / anchor:.2f} x")


if __name__ == "__main__":
    main()
