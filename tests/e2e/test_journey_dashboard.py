"""The manager's journey (tests/e2e/journey.py), each page at 1366 and 390 px
and photographed: the visit dashboard, a drill-down, the XLSX export and the
audit pack built in a task and downloaded."""

from pathlib import Path

import pytest
from django.utils import timezone

from portal.models import Role
from tests.base import make_staff
from visits.models import AuditExport
from visits.services.plans import plan_sync

pytestmark = pytest.mark.browser


def test_the_manager_reads_drills_into_and_exports_the_dashboard(e2e_world, journey):
    w = e2e_world
    plan_sync(centre=w.centre_a, year=timezone.localdate().year)
    # The world's manager has a host-only address the login form refuses.
    make_staff("auditor@atrium.test", None, Role.MANAGER, operator=w.operator)
    j = journey("dashboard-zh")
    manager = j.person("auditor@atrium.test")
    manager.goto("/admin/", "home")
    manager.goto("/admin/visits/dashboard/", "dashboard")
    with manager.page.expect_navigation():
        manager.page.get_by_test_id("drill-overdue").click()
    manager.look("overdue")
    manager.page.go_back()
    with manager.page.expect_download() as xlsx:
        manager.page.get_by_test_id("export-xlsx").click()
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
    with manager.page.expect_navigation():
        manager.page.get_by_test_id("export-pdf").click()
    manager.look("audit-pack")
    assert AuditExport.objects.get().status == "ready"
    with manager.page.expect_download() as pdf:
        manager.page.get_by_test_id("export-download").click()
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    j.finish()
