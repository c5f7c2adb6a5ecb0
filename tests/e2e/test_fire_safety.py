"""On phones: the inspector records a failed item at a shop, the shop reports
the rectification with a photo, the inspector re-inspects and closes the case."""

import pytest

from notices.fire.models import CaseStatus, RectificationCase
from tests.base import PNG_BYTES
from tests.fire.helpers import fire_round

pytestmark = pytest.mark.browser

PHOTO = {"name": "after.png", "mimeType": "image/png", "buffer": PNG_BYTES}


def test_a_failed_inspection_reported_rectified_and_closed_on_phones(e2e_world, session_factory):
    w = e2e_world
    round_ = fire_round(w.centre_a)

    inspector = session_factory(phone=True)
    inspector.login("ops@a.test")
    inspector.goto(f"/admin/fire/rounds/{round_.pk}/")
    inspector.page.get_by_test_id(f"inspect-{w.tenant_a.code}").click()
    inspector.page.wait_for_load_state("networkidle")
    form = inspector.page.get_by_test_id("inspection-form")
    form.locator("input[type=radio][value='0']").first.check()  # the first item fails
    form.locator("input[name^=note_]").first.fill("后仓通道堆放纸箱")
    form.locator("input[name=photos]").set_input_files(files=[{**PHOTO, "name": "found.png"}])
    assert inspector.page.evaluate("document.documentElement.scrollWidth") <= 390
    inspector.page.get_by_test_id("save-form").click()
    inspector.page.wait_for_load_state("networkidle")
    case = RectificationCase.objects.get(tenant=w.tenant_a)
    assert case.status == CaseStatus.OPEN and case.letter is not None

    tenant = session_factory(phone=True)
    tenant.login("signer@a-shop.test")
    tenant.page.get_by_test_id("fire-cases").locator("a").first.click()
    tenant.page.wait_for_load_state("networkidle")
    assert "后仓通道堆放纸箱" in tenant.page.get_by_test_id("failed-items").inner_text()
    report = tenant.page.get_by_test_id("report-form")
    report.locator("textarea[name=note]").fill("纸箱已清走，通道畅通。")
    report.locator("input[name=photos]").set_input_files(files=[PHOTO])
    assert tenant.page.evaluate("document.documentElement.scrollWidth") <= 390
    tenant.page.get_by_test_id("report-submit").click()
    tenant.page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert "纸箱已清走" in tenant.page.get_by_test_id("case-events").inner_text()
    # The tenant sees its own photos, through the access-checked view.
    widths = tenant.page.get_by_test_id("fire-photo").evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(width == 1 for width in widths)

    inspector.goto(f"/admin/fire/cases/{case.pk}/")
    assert "纸箱已清走" in inspector.page.get_by_test_id("case-events").inner_text()
    section = inspector.page.get_by_test_id("reinspect")
    section.locator("input[name=rectified][value='1']").check()
    section.locator("textarea[name=note]").fill("复查合格。")
    inspector.page.get_by_test_id("reinspect-submit").click()
    inspector.page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == w.ops_a
    assert "关闭" in inspector.page.get_by_test_id("case-status").inner_text()

    tenant.goto("/my/")
    assert tenant.page.get_by_test_id("fire-cases").count() == 0
    assert not tenant.csp_violations
