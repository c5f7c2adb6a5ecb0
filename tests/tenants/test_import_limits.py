"""Importing within limits and without asking the database per row: the row
limit stops the reading one row past it (counted in rows read, not time),
progress is reported while reading and checking, and the dry run's queries
do not grow with the rows. Speed itself is in bench/bench_archive_import.py."""

import pytest

from tenants.imports.resources import TenantResource
from tenants.imports.running import run_import
from tenants.imports.sheets import ImportFileError, read_sheet
from tenants.models import Unit
from tests.tenants.test_archive_import import TENANT_HEADERS, csv_upload, xlsx

pytestmark = pytest.mark.django_db


def _tenant_rows(n):
    return [["TA", f"TX{i:06d}", "店", "公司", "food", "1", "open", "", "", ""] for i in range(n)]


def test_the_row_limit_stops_the_reading_one_row_past_it(world, settings):
    settings.ATRIUM_IMPORT_MAX_ROWS = 3
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, _tenant_rows(3)).read(), TenantResource)
    assert len(dataset) == 3
    for upload in (xlsx(TENANT_HEADERS, _tenant_rows(4)), csv_upload(TENANT_HEADERS, _tenant_rows(4))):
        with pytest.raises(ImportFileError) as refused:
            read_sheet(upload.read(), TenantResource)
        assert refused.value.rows_read == 4


def test_a_100000_row_file_under_the_byte_limit_is_refused_after_reading_limit_plus_one_rows(world, settings):
    data = csv_upload(TENANT_HEADERS, [["TA", f"T{i}", "店", "", "food", "", "", "", "", ""] for i in range(100_000)]).read()
    assert len(data) < settings.ATRIUM_IMPORT_MAX_BYTES
    read = []
    with pytest.raises(ImportFileError) as refused:
        read_sheet(data, TenantResource, progress=read.append)
    assert refused.value.rows_read == settings.ATRIUM_IMPORT_MAX_ROWS + 1
    assert read[-1] == settings.ATRIUM_IMPORT_MAX_ROWS


def test_progress_is_reported_while_reading_and_while_checking(world):
    read, checked = [], []
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, _tenant_rows(2100)).read(), TenantResource, progress=read.append)
    outcome = run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True, progress=checked.append)
    assert outcome.ok and outcome.new == 2100
    assert read == [1000, 2000] and checked == [500, 1000, 1500, 2000]


def test_the_dry_run_asks_the_database_a_fixed_number_of_times_whatever_the_rows(world, django_assert_max_num_queries):
    Unit.objects.bulk_create(Unit(centre=world.centre_a, floor=1, number=f"Q{i:03d}", area=10) for i in range(300))
    rows = [["TA", f"TQ{i:03d}", "店", "公司", "food", "1", "open", "2026-01-01", "", f"Q{i:03d}"] for i in range(300)]
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    with django_assert_max_num_queries(10):
        assert run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True).ok
