"""The notice's journey (tests/e2e/journey.py), each page at 1366 and 390 px
and photographed: the web editor drafts a notice and submits it, the
centre's reviewer approves and publishes it, a tenant reads it on a phone."""

import pytest

from portal.models import NoticePage
from tests.pages.site import build_site

pytestmark = pytest.mark.browser

TITLE = "中庭扶梯维保通知"


def test_the_editor_drafts_the_reviewer_publishes_a_tenant_reads(e2e_world, journey):
    site = build_site(e2e_world)
    j = journey("notice-zh")
    editor = j.person("editor@a.test")
    editor.goto("/admin/", "editor-home")
    editor.goto(f"/admin/pages/{site.bulletin_a.pk}/", "bulletin")
    editor.goto(f"/admin/pages/add/portal/noticepage/{site.bulletin_a.pk}/", "new-notice")
    page = editor.page
    page.fill("input[name=title]", TITLE)
    page.locator(".public-DraftEditor-content").click()
    page.keyboard.type("本周三晚22:30起对中庭扶梯进行年度维保，届时请从两侧电梯通行。")
    editor.submit_for_review("notice-filled")
    notice = NoticePage.objects.get(title=TITLE)
    assert not notice.live

    reviewer = j.person("reviewer@a.test")
    reviewer.goto("/admin/", "reviewer-home")
    reviewer.goto(f"/admin/pages/{notice.pk}/edit/", "review")
    reviewer.page.locator("footer .w-dropdown__toggle").first.click()
    with reviewer.page.expect_navigation():
        reviewer.page.locator("button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])").click()
    reviewer.look("published")
    notice.refresh_from_db()
    assert notice.live

    tenant = j.person("signer@a-shop.test", acts_on="phone")
    tenant.goto("/my/", "tenant-home")
    with tenant.page.expect_navigation():
        tenant.page.get_by_test_id("tenant-notices").get_by_text(TITLE).click()
    tenant.look("notice")
    assert "两侧电梯" in tenant.page.content()
    j.finish()
