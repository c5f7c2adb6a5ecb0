"""Tenant import at scale: the dry run of a 5,000-row tenant sheet (reading
the XLSX included), as staff would run it from the admin.

Builds a throw-away database (bench/common.py: SQLite under
var/bench-archive-import, or BENCH_DATABASE_URL) with one centre and 5,000
units, then times the dry run of a sheet that names them."""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import reset_database, setup

setup("archive-import")

from openpyxl import Workbook

from tenants.imports.resources import TenantResource
from tenants.imports.running import run_import
from tenants.imports.sheets import read_sheet
from tenants.models import Centre, Operator, Tenant, Unit

ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
CATEGORIES = ["food", "fashion", "retail", "children", "lifestyle"]


def sheet() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(TenantResource.headers())
    for i in range(ROWS):
        ws.append(["BN", f"BN{i:05d}", f"测试店铺{i}", f"杭州测试店铺{i}有限公司", CATEGORIES[i % 5], str(1 + i % 3),
                   "open", "2026-01-01", "2029-12-31", f"U{i:05d}"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main():
    reset_database()
    operator = Operator.objects.create(name="基准测试商业", code="BENCH")
    centre = Centre.objects.create(operator=operator, name="基准广场", code="BN", hotline="0571-0000-0000")
    Unit.objects.bulk_create(Unit(centre=centre, floor=1 + i % 5, number=f"U{i:05d}", area=80) for i in range(ROWS))
    data = sheet()
    start = time.perf_counter()
    dataset, _fmt = read_sheet(data, TenantResource)
    outcome = run_import(dataset, TenantResource, centres=[centre], dry_run=True)
    elapsed = time.perf_counter() - start
    assert outcome.ok and outcome.new == ROWS, outcome.problems[:3]
    assert not Tenant.objects.exists()
    print(f"import_dry_run_{ROWS}_rows: {elapsed:.2f} s")


if __name__ == "__main__":
    main()
