"""Staff record an on-site visit on a phone after scanning the shop's code;
the manager opens the dashboard, drills into overdue visits and downloads
the XLSX and the audit report PDF."""

from pathlib import Path

import pytest
from django.utils import timezone

from portal.models import Role
from tenants.models import Channel
from tests.base import make_staff
from visits.models import AuditExport, PlannedVisitStatus, VisitRecord
from visits.services.plans import plan_sync
from visits.services.records import unit_code_for, unit_token

pytestmark = pytest.mark.browser


def test_a_visit_on_a_phone_then_the_managers_dashboard(e2e_world, session_factory):
    w = e2e_world
    plan_sync(centre=w.centre_a, year=timezone.localdate().year)
    token = unit_token(unit_code_for(w.tenant_a.units.first()))

    staff = session_factory(phone=True)
    staff.login("ops@a.test")
    staff.goto(f"/visits/scan/{token}/")  # what the phone's camera opens
    staff.page.wait_for_load_state("networkidle")
    assert staff.page.get_by_test_id("checked-in").is_visible()
    assert staff.page.locator("input[name=mode][value=on_site]").is_checked()
    staff.page.fill("input[name=people_met]", "李店长")
    staff.page.fill("textarea[name=topics]", "圣诞档期促销与客流情况")
    staff.page.select_option("select[name=req1_category]", "repair")
    staff.page.fill("input[name=req1_subject]", "门口地砖松动")
    assert staff.fits_phone()
    staff.submit("visit-form")
    record = VisitRecord.objects.get()
    assert staff.page.url.endswith(f"/visits/records/{record.pk}/")
    assert record.mode == "on_site" and record.checkin is not None
    assert [sr.channel for sr in record.requests.all()] == [Channel.VISIT]
    assert record.planned_visit.status == PlannedVisitStatus.DONE
    assert "门口地砖松动" in staff.page.get_by_test_id("visit-record").inner_text()
    assert staff.fits_phone()

    manager = session_factory()
    # The world's manager has a host-only address the login form refuses.
    make_staff("auditor@atrium.test", None, Role.MANAGER, operator=w.operator)
    manager.login("auditor@atrium.test")
    manager.goto("/admin/visits/dashboard/")
    assert manager.page.get_by_test_id("figure-visit_rate").is_visible()
    manager.page.get_by_test_id("drill-overdue").click()
    manager.page.wait_for_load_state("networkidle")
    rows = manager.page.get_by_test_id("drill-rows").inner_text()
    assert "蜀香火锅" in rows  # tier 1: last month's window was missed
    manager.page.go_back()
    with manager.page.expect_download() as xlsx:
        manager.page.get_by_test_id("export-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
    manager.page.get_by_test_id("export-pdf").click()
    manager.page.wait_for_load_state("networkidle")
    job = AuditExport.objects.get()
    assert job.status == "ready", (job.status, job.error, manager.page.url)
    with manager.page.expect_download() as pdf:
        manager.page.get_by_test_id("export-download").click()
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    assert not staff.csp_violations and not manager.csp_violations
