"""A notice as people click it: the web editor drafts and submits it, the
centre's reviewer approves it, a tenant signatory sees it on the tenant home
(on a phone); an anonymous visitor is sent to sign in instead of reading it."""

import pytest

from portal.models import NoticePage
from tests.pages.site import build_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "中庭扶梯维保通知"


def test_editor_drafts_reviewer_approves_tenant_reads(e2e_world, session_factory):
    site = build_site(e2e_world)

    editor = session_factory()
    editor.login("editor@a.test")
    editor.goto(f"/admin/pages/add/portal/noticepage/{site.bulletin_a.pk}/")
    editor.page.fill("input[name=title]", TITLE)
    editor.page.locator(".public-DraftEditor-content").click()
    editor.page.keyboard.type("本周三晚22:30起对中庭扶梯进行年度维保，届时请从两侧电梯通行。")
    editor.page.wait_for_timeout(300)  # Draftail writes its hidden input on the next tick
    editor.page.locator("footer .w-dropdown__toggle").first.click()
    editor.page.locator("button[name=action-submit]").click()
    editor.page.wait_for_load_state("networkidle")
    notice = NoticePage.objects.get(title=TITLE)
    assert not notice.live
    assert notice.audience == "tenants"

    reviewer = session_factory()
    reviewer.login("reviewer@a.test")
    reviewer.goto(f"/admin/pages/{notice.pk}/edit/")
    reviewer.page.locator("footer .w-dropdown__toggle").first.click()
    with reviewer.page.expect_navigation():
        reviewer.page.locator("button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])").click()
    notice.refresh_from_db()
    assert notice.live

    tenant = session_factory(phone=True)
    tenant.login("signer@a-shop.test")
    tenant.goto("/my/")
    block = tenant.page.get_by_test_id("tenant-notices")
    assert TITLE in block.inner_text()
    with tenant.page.expect_navigation():
        block.get_by_text(TITLE).click()
    assert tenant.page.get_by_test_id("notice-title").inner_text() == TITLE
    assert "两侧电梯" in tenant.page.content()

    visitor = session_factory(phone=True)
    visitor.goto(notice.url)
    assert visitor.page.url.split("?")[0].endswith("/accounts/login/")
    assert TITLE not in visitor.page.content()
    visitor.goto(site.bulletin_a.url)
    assert TITLE not in visitor.page.content()
    assert not tenant.csp_violations and not visitor.csp_violations
