"""Import and export of tenants, units and contacts (R4): upload, a dry run
listing every row's error in Chinese, checked by a task with its progress
shown; confirm, once; all or nothing; scoped to the user's centres; limits
enforced while reading; templates; formula-escaped exports; malformed files."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.models import AuditEvent
from tenants.imports.resources import TenantResource
from tenants.imports.running import run_import
from tenants.imports.sheets import read_sheet
from tenants.models import Contact, ImportJob, Tenant, Unit
from tests.base import ANONYMOUS, assert_access, logged_in

pytestmark = pytest.mark.django_db

TENANT_HEADERS = ["中心代码", "租户编号", "经营名称", "法定名称", "业态", "等级", "状态", "租期开始", "租期结束", "铺位号"]


def xlsx(headers, rows, name="tenants.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_upload(headers, rows, name="tenants.csv", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding))


def _damaged_xlsx() -> bytes:
    """A zip that says it holds a workbook, with a worksheet that is not XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "not xml at all <")
    return out.getvalue()


def _client(user):
    return logged_in(user, HTTP_ACCEPT_LANGUAGE="zh-hans")


def _good_rows():
    return [
        ["TA", "TA101", "茶语时光", "杭州茶语餐饮有限公司", "food", "1", "open", "2026-01-01", "2028-12-31", ""],
        ["TA", "TA102", "童趣乐园", "杭州童趣教育有限公司", "children", "特殊", "", "", "", ""],
    ]


def _upload(user, resource, upload, capture):
    """Upload as a person would; the check runs in its task (eager in tests)
    once the request commits. Returns the upload's response and the job page."""
    client = _client(user)
    with capture(execute=True):
        response = client.post(reverse("tenants_archive:import"), {"resource": resource, "file": upload})
    if response.status_code != 302:
        return response, None
    return response, client.get(response["Location"])


def _confirm(user, job, capture):
    client = _client(user)
    with capture(execute=True):
        response = client.post(reverse("tenants_archive:import_confirm", args=[job.token]))
    return response, client.get(response["Location"]).content.decode() if response.status_code == 302 else ""


def test_upload_shows_a_preview_and_writes_nothing_until_confirmed(world, django_capture_on_commit_callbacks):
    Unit.objects.create(centre=world.centre_a, floor=3, number="3F-01", area=120)
    rows = _good_rows()
    rows[0][-1] = "3F-01"
    response, page = _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, rows), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(user=world.ops_a)
    assert response["Location"] == reverse("tenants_archive:import_job", args=[job.token])
    page = page.content.decode()
    assert 'data-status="previewed"' in page and 'data-testid="confirm-form"' in page
    assert not Tenant.objects.filter(code__in=["TA101", "TA102"]).exists()
    assert job.valid and job.totals["new"] == 2 and job.file.name and job.rows_done == 2
    # Another user cannot confirm it, even knowing the token.
    assert _client(world.ops_b).post(reverse("tenants_archive:import_confirm", args=[job.token])).status_code in (302, 404)
    assert not Tenant.objects.filter(code="TA101").exists()
    response, page = _confirm(world.ops_a, job, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("tenants_archive:import_job", args=[job.token])
    assert 'data-status="imported"' in page
    assert_access(response["Location"], refused=[world.ops_b, world.signer_a, ANONYMOUS])
    t = Tenant.objects.get(code="TA101")
    assert t.tier == "1" and t.lease_end.isoformat() == "2028-12-31" and t.units.get().number == "3F-01"
    assert Tenant.objects.get(code="TA102").tier == "special"
    job.refresh_from_db()
    assert job.status == "imported" and not job.file
    assert AuditEvent.objects.filter(action="archive.imported", actor=world.ops_a).exists()


def test_the_upload_request_only_stores_the_file_and_the_page_shows_the_check_under_way(
        world, django_capture_on_commit_callbacks):
    client = _client(world.ops_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("tenants_archive:import"),
                               {"resource": "tenants", "file": xlsx(TENANT_HEADERS, _good_rows())})
    job = ImportJob.objects.get()
    # Nothing was read in the request: the check waits for its task.
    assert response.status_code == 302 and len(queued) == 1
    assert job.status == "previewing" and job.totals == {} and job.rows_total is None
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-progress"' in page and 'http-equiv="refresh"' in page and "正在读取" in page
    ImportJob.objects.filter(pk=job.pk).update(rows_done=1, rows_total=2)
    page = client.get(response["Location"]).content.decode()
    assert 'data-done="1" data-total="2"' in page and "2 行中已检查 1 行" in page
    ImportJob.objects.filter(pk=job.pk).update(rows_done=0, rows_total=None)
    queued[0]()
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="previewed"' in page and 'http-equiv="refresh"' not in page
    # A confirmation while the check is still under way is told to wait.
    ImportJob.objects.filter(pk=job.pk).update(status="previewing")
    client.post(reverse("tenants_archive:import_confirm", args=[job.token]))
    assert "仍在检查" in client.get(response["Location"]).content.decode()


def test_confirming_twice_writes_once_and_says_the_import_is_running_or_done(world, django_capture_on_commit_callbacks):
    _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, _good_rows()), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    client, other_device = _client(world.ops_a), _client(world.ops_a)
    url = reverse("tenants_archive:import_confirm", args=[job.token])
    # A double click: the second arrives before the import has run.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = client.post(url)
        second = client.post(url)
    assert first.status_code == second.status_code == 302 and len(queued) == 1
    assert "已在进行" in client.get(second["Location"]).content.decode()
    queued[0]()
    # A third, from another device, once it is done.
    with django_capture_on_commit_callbacks(execute=True) as later:
        third = other_device.post(url)
    assert third.status_code == 302 and not later
    assert "已经完成" in other_device.get(third["Location"]).content.decode()
    assert Tenant.objects.filter(code__in=["TA101", "TA102"]).count() == 2
    assert AuditEvent.objects.filter(action="archive.imported").count() == 1
    assert AuditEvent.objects.filter(action="archive.import_confirmed").count() == 1


def test_every_broken_row_is_listed_in_chinese_and_nothing_can_be_confirmed(world, django_capture_on_commit_callbacks):
    rows = [
        ["TA", "TA201", "好店", "好店公司", "food", "9", "open", "", "", ""],          # unknown tier
        ["TA", "TA201", "重复", "重复公司", "food", "1", "open", "", "", ""],          # duplicate code
        ["TA", "TA202", "坏铺位", "坏铺位公司", "food", "1", "open", "", "", "9F-99"],  # bad unit
        ["TB", "TB201", "别的中心", "别的中心公司", "food", "1", "open", "", "", ""],  # not this user's centre
        ["TA", "TA203", "日期", "日期公司", "food", "1", "open", "2026-13-45", "", ""],
    ]
    _response, page = _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, rows), django_capture_on_commit_callbacks)
    page = page.content.decode()
    assert 'data-testid="row-errors"' in page and 'data-testid="confirm-form"' not in page
    assert "未知的等级" in page and "9F-99" in page and "TB" in page
    # Numbered as the sheet is: the first TA201 is on row 2, under the header.
    assert "重复的租户编号“TA201”：已在第 2 行出现" in page
    assert "不是日期" in page
    assert not Tenant.objects.filter(code__startswith="TA2").exists()
    job = ImportJob.objects.get()
    assert not job.valid and job.totals["invalid"] == 5
    _response, page = _confirm(world.ops_a, job, django_capture_on_commit_callbacks)
    assert "请更正" in page
    assert not Tenant.objects.filter(code__startswith="TA2").exists()


def test_an_import_that_no_longer_fits_at_confirmation_writes_nothing_and_says_why(world, django_capture_on_commit_callbacks):
    Unit.objects.create(centre=world.centre_a, floor=3, number="3F-02", area=50)
    rows = _good_rows()
    rows[1][-1] = "3F-02"
    _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, rows), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.valid
    Unit.objects.filter(number="3F-02").update(tenant=world.tenant_a2)
    _response, page = _confirm(world.ops_a, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and job.problems
    # The first row was fine, and is not written either: all or nothing.
    assert not Tenant.objects.filter(code__in=["TA101", "TA102"]).exists()
    assert "3F-02" in page and 'data-status="failed"' in page


def test_a_confirmed_import_is_all_or_nothing(world):
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, _good_rows()).read(), TenantResource)
    assert run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True).ok
    # Between the preview and the confirmation a unit the sheet names is let elsewhere.
    rows = _good_rows()
    unit = Unit.objects.create(centre=world.centre_a, floor=3, number="3F-02", area=50)
    rows[1][-1] = "3F-02"
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    unit.tenant = world.tenant_a2
    unit.save()
    outcome = run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=False)
    assert not outcome.ok
    assert not Tenant.objects.filter(code__in=["TA101", "TA102"]).exists()


def test_existing_tenants_are_updated_not_duplicated(world):
    rows = [["TA", world.tenant_a.code, "蜀香火锅（新）", world.tenant_a.legal_name, "food", "2", "open", "", "", ""]]
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    outcome = run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=False)
    assert outcome.ok and outcome.updated == 1 and outcome.new == 0
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.trading_name == "蜀香火锅（新）" and world.tenant_a.tier == "2"


def test_contacts_with_a_bad_email_or_unknown_tenant_are_refused(world, django_capture_on_commit_callbacks):
    headers = ["中心代码", "租户编号", "姓名", "职务", "电话", "邮箱", "可签收"]
    rows = [
        ["TA", world.tenant_a.code, "王店长", "店长", "13800001111", "not-an-email", "是"],
        ["TA", "NOPE", "李四", "", "", "li@example.com", "否"],
        ["TA", world.tenant_a.code, "赵六", "", "", "", "是"],
    ]
    _response, page = _upload(world.ops_a, "contacts", csv_upload(headers, rows, encoding="gb18030"),
                              django_capture_on_commit_callbacks)
    page = page.content.decode()
    assert "邮箱地址" in page and "NOPE" in page and 'data-testid="confirm-form"' not in page
    assert not Contact.objects.filter(name__in=["王店长", "李四", "赵六"]).exists()


def test_units_import_from_csv_with_english_headers(world, django_capture_on_commit_callbacks):
    headers = ["Centre code", "Unit number", "Floor", "Area (m²)", "Tenant code"]
    rows = [["TA", "B1-08", "-1", "45.5", world.tenant_a.code], ["TA", "2F-30", "0", "-3", ""]]
    _response, page = _upload(world.ops_a, "units", csv_upload(headers, rows), django_capture_on_commit_callbacks)
    page = page.content.decode()
    assert "楼层" in page and "面积" in page
    rows.pop()
    _upload(world.ops_a, "units", csv_upload(headers, rows), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    _confirm(world.ops_a, job, django_capture_on_commit_callbacks)
    unit = Unit.objects.get(number="B1-08")
    assert unit.floor == -1 and unit.tenant == world.tenant_a


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("t.xlsx", b"MZ\x90\x00\x03 an executable"), "不是电子表格"),
    (SimpleUploadedFile("t.xlsx", b"PK\x03\x04 broken zip"), "不是电子表格"),
])
def test_files_that_are_plainly_not_sheets_are_refused_at_once(world, upload, message):
    response = _client(world.ops_a).post(reverse("tenants_archive:import"), {"resource": "tenants", "file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("upload", "message"), [
    (xlsx(["名字", "电话"], [["a", "b"]]), "缺少"),
    (xlsx(TENANT_HEADERS, []), "没有"),
    (SimpleUploadedFile("t.xlsx", _damaged_xlsx()), "损坏"),
    (SimpleUploadedFile("t.csv", "中心代码,租户编号\n\"TA,TA1\n".encode()), "缺少"),
])
def test_malformed_files_get_a_clear_message_on_the_import_page(world, upload, message, django_capture_on_commit_callbacks):
    response, page = _upload(world.ops_a, "tenants", upload, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and page.status_code == 200
    page = page.content.decode()
    assert 'data-status="rejected"' in page and message in page and 'data-testid="confirm-form"' not in page


def test_a_huge_file_is_refused(world, settings):
    settings.ATRIUM_IMPORT_MAX_BYTES = 100
    response = _client(world.ops_a).post(reverse("tenants_archive:import"),
                                         {"resource": "tenants", "file": xlsx(TENANT_HEADERS, _good_rows())})
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_too_many_rows_are_refused_with_a_message(world, settings, django_capture_on_commit_callbacks):
    settings.ATRIUM_IMPORT_MAX_ROWS = 1
    _response, page = _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, _good_rows()), django_capture_on_commit_callbacks)
    page = page.content.decode()
    assert 'data-status="rejected"' in page and "超过 1 行" in page


def test_import_pages_refuse_those_who_do_not_keep_the_archive(world):
    for url in (reverse("tenants_archive:import"), reverse("tenants_archive:import_template", args=["tenants"])):
        assert_access(url, allowed=[world.ops_a],
                      refused=[world.leader_a, world.manager, world.signer_a, world.editor_a, ANONYMOUS])


def test_the_template_has_the_columns_in_the_users_language(world):
    response = _client(world.ops_a).get(reverse("tenants_archive:import_template", args=["tenants"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == TENANT_HEADERS


def test_exports_are_scoped_and_escape_formulae(world):
    world.tenant_a.trading_name = "=HYPERLINK(\"http://evil\")"
    world.tenant_a.save()
    response = _client(world.ops_a).get(reverse("tenants_archive:export", args=["tenants", "xlsx"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in values)
    # Marked as text, not altered: the name reads as the tenant typed it.
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert world.tenant_b.code not in values and world.tenant_a2.code in values
    csv_text = _client(world.ops_a).get(reverse("tenants_archive:export", args=["contacts", "csv"])).content.decode("utf-8-sig")
    assert "signer@b-shop.test" not in csv_text and "signer@a-shop.test" in csv_text
    assert_access(reverse("tenants_archive:export", args=["units", "csv"]), allowed=[world.ops_a, world.leader_a],
                  refused=[world.signer_a, world.editor_a, ANONYMOUS])
    assert AuditEvent.objects.filter(action="archive.exported").count() >= 2


def test_an_exported_sheet_imports_back_unchanged(world):
    response = _client(world.ops_a).get(reverse("tenants_archive:export", args=["tenants", "xlsx"]))
    dataset, _fmt = read_sheet(response.content, TenantResource)
    outcome = run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True)
    assert outcome.ok, outcome.problems
    assert outcome.updated == 2 and outcome.new == 0


def test_imported_tenants_are_searchable_and_the_preview_indexes_nothing(world, django_capture_on_commit_callbacks):
    from wagtail.search.backends import get_search_backend

    from portal.search import segment_query

    def found(text):
        return list(get_search_backend().search(segment_query(text), Tenant.objects.all()))

    rows = [["TA", "TA301", "翡翠茶餐厅", "杭州翡翠餐饮有限公司", "food", "2", "open", "", "", ""]]
    dataset, _fmt = read_sheet(xlsx(TENANT_HEADERS, rows).read(), TenantResource)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=True)
    assert not found("翡翠")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run_import(dataset, TenantResource, centres=[world.centre_a], dry_run=False).ok
    assert len(callbacks) == 1
    assert [t.code for t in found("翡翠")] == ["TA301"]
    # An ordinary save still updates the index at once.
    tenant = Tenant.objects.get(code="TA301")
    tenant.trading_name = "琥珀茶餐厅"
    tenant.save()
    assert [t.code for t in found("琥珀")] == ["TA301"]


def test_previews_nobody_confirmed_are_dropped_by_the_nightly_run(world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.core.files.storage import default_storage
    from django.utils import timezone

    from tenants.tasks import purge_call_recordings

    _upload(world.ops_a, "tenants", xlsx(TENANT_HEADERS, _good_rows()), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    name = job.file.name
    purge_call_recordings.apply()
    assert ImportJob.objects.filter(pk=job.pk).exists()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    purge_call_recordings.apply()
    assert not ImportJob.objects.filter(pk=job.pk).exists() and not default_storage.exists(name)
