"""Staff keep a tenant's archive in the admin: file a document, ask for
confidential access that a manager grants, and import tenants from a sheet
(preview, confirm, done) — in a real browser, under the CSP."""

import io
from urllib.parse import urlparse

import pytest
from openpyxl import Workbook

from tenants.models import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    Tenant,
)
from tenants.services.archive import document_upload
from tests.base import PDF_BYTES, grant_confidential, make_staff, pdf_upload

pytestmark = pytest.mark.browser


def _sheet() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["中心代码", "租户编号", "经营名称", "法定名称", "业态", "等级", "状态", "租期开始", "租期结束", "铺位号"])
    ws.append(["TA", "TA900", "晨光书店", "杭州晨光文化有限公司", "retail", "2", "open", "2026-01-01", "2028-12-31", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_documents_confidential_access_and_an_import(e2e_world, session_factory):
    w = e2e_world
    keeper = grant_confidential(make_staff("keeper@a.test", w.centre_a, "operations"))
    document_upload(actor=keeper, tenant=w.tenant_a, kind="lease", title="租赁合同（保密）", upload=pdf_upload(),
                    confidentiality="confidential")

    staff = session_factory()
    staff.login("ops@a.test")
    staff.goto(f"/admin/archive/tenant/{w.tenant_a.pk}/documents/")
    assert "租赁合同（保密）" not in staff.page.get_by_test_id("documents").inner_text()
    staff.page.get_by_test_id("file-document").click()
    staff.page.wait_for_load_state("networkidle")
    form = staff.page.get_by_test_id("document-form")
    form.locator("select[name=kind]").select_option("fire_permit")
    form.locator("input[name=title]").fill("消防安全检查合格证")
    form.locator("input[name=expires_on]").fill("2027-06-30")
    form.locator("input[name=file]").set_input_files(
        files=[{"name": "permit.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    form.locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    assert "消防安全检查合格证" in staff.page.get_by_test_id("documents").inner_text()
    assert ArchiveDocument.objects.filter(title="消防安全检查合格证", uploaded_by=w.ops_a).exists()

    access = staff.page.get_by_test_id("access-form")
    access.locator("textarea[name=reason]").fill("核对续租条款")
    access.locator("input[name=hours]").fill("4")
    access.locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    grant = ArchiveAccessGrant.objects.get()

    manager = session_factory()
    # The world's manager has no dotted domain, which the login form refuses.
    make_staff("boss@centre-a.test", w.centre_a, "manager")
    manager.login("boss@centre-a.test")
    manager.goto("/admin/archive/access/")
    manager.page.get_by_test_id(f"grant-{grant.pk}").click()
    manager.page.wait_for_load_state("networkidle")
    grant.refresh_from_db()
    assert grant.status == AccessGrantStatus.GRANTED

    staff.page.reload()
    assert "租赁合同（保密）" in staff.page.get_by_test_id("documents").inner_text()

    staff.goto("/admin/archive/import/")
    upload = staff.page.get_by_test_id("import-form")
    upload.locator("select[name=resource]").select_option("tenants")
    upload.locator("input[name=file]").set_input_files(files=[{
        "name": "tenants.xlsx", "buffer": _sheet(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    upload.locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    # The upload leads to the import's own page; its check ran in a task
    # (eagerly here), so the page already shows the preview.
    assert "/admin/archive/import/" in staff.page.url
    job = staff.page.get_by_test_id("import-job")
    assert job.get_attribute("data-status") == "previewed"
    assert "1 行" in staff.page.get_by_test_id("preview").inner_text()
    assert not Tenant.objects.filter(code="TA900").exists()
    # The same preview left open on another device.
    other = session_factory()
    other.login("ops@a.test")
    other.goto(urlparse(staff.page.url).path)
    staff.page.get_by_test_id("confirm-form").locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    assert staff.page.get_by_test_id("import-job").get_attribute("data-status") == "imported"
    assert Tenant.objects.get(code="TA900").trading_name == "晨光书店"
    # Its confirmation comes second: told so, and nothing more is written.
    other.page.get_by_test_id("confirm-form").locator("button[type=submit]").click()
    other.page.wait_for_load_state("networkidle")
    assert "该导入已经完成" in other.page.content()
    assert other.page.get_by_test_id("import-result").is_visible()
    assert Tenant.objects.filter(code="TA900").count() == 1
    assert not other.csp_violations
    assert not staff.csp_violations and not manager.csp_violations
