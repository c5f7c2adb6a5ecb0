"""The feedback board end to end (4.16): a tenant posts from a phone; the
centre's web follow-up officer drafts a reply in the admin and submits it;
the department responsible approves it from "awaiting your review"; the
tenant sees it published under the post, and on the tenant home."""

import pytest

from portal.models import Department
from tenants.feedback.models import FeedbackPost, FeedbackReply
from tests.feedback.helpers import officer_for

pytestmark = pytest.mark.browser


def test_a_post_from_a_phone_to_a_published_reply(e2e_world, session_factory):
    officer_for(e2e_world.centre_a)
    e2e_world.ops_a.memberships.update(department=Department.OPERATIONS)

    tenant = session_factory(phone=True)
    tenant.login("signer@a-shop.test")
    tenant.page.get_by_test_id("feedback-board").click()
    tenant.page.get_by_test_id("board-new").click()
    tenant.page.locator("input[name=kind][value=complaint]").check()
    tenant.page.fill("input[name=subject]", "扶梯停运")
    tenant.page.fill("textarea[name=body]", "二楼东侧扶梯已停运两天，顾客上下不便。")
    assert tenant.fits_phone() and tenant.small_tap_targets() == []
    tenant.submit("post-form")
    post = FeedbackPost.objects.get()
    assert tenant.page.url.endswith(f"/feedback/{e2e_world.centre_a.code}/{post.pk}/")
    assert post.service_request.channel == "web" and post.service_request.assignee.email == "web@a.test"
    assert tenant.fits_phone()

    officer = session_factory()
    officer.login("web@a.test")
    officer.goto(f"/admin/snippets/tenants/feedbackpost/inspect/{post.pk}/")
    officer.page.get_by_test_id("draft-reply").click()
    officer.page.wait_for_load_state("networkidle")
    officer.page.select_option("select[name=department]", "operations")
    officer.page.fill("textarea[name=body]", "工程部已联系维保单位，今晚完成检修。")
    # "Submit for review" sits in the editor's action menu.
    with officer.page.expect_navigation():
        officer.page.evaluate("document.querySelector('button[name=action-submit]').click()")
    officer.page.wait_for_load_state("networkidle")
    reply = FeedbackReply.objects.get()
    assert reply.workflow_in_progress and not reply.live

    approver = session_factory()
    approver.login("ops@a.test")
    approver.goto("/admin/")
    # Wagtail's "awaiting your review" panel: the approve button of the
    # reply's row (it sits in the row's actions menu).
    button = (f"#awaiting-review-section button[data-workflow-action-url*="
              f"'/feedbackreply/workflow/action/{reply.pk}/approve/']:not([data-launch-modal])")
    approver.page.wait_for_selector(button, state="attached")
    with approver.page.expect_navigation():
        approver.page.evaluate(f"document.querySelector(\"{button}\").click()")
    approver.page.wait_for_load_state("networkidle")
    reply.refresh_from_db()
    assert reply.live

    # The tenant home says there is an answer; it opens the post.
    tenant.goto("/my/")
    answers = tenant.page.get_by_test_id("board-answers")
    assert "扶梯停运" in answers.inner_text()
    answers.get_by_role("link").first.click()
    tenant.page.wait_for_load_state("networkidle")
    assert "今晚完成检修" in tenant.page.get_by_test_id("post-replies").inner_text()
    assert tenant.fits_phone()
    assert not tenant.csp_violations and not officer.csp_violations and not approver.csp_violations


def test_a_public_post_shown_joins_the_log_and_the_officer_names_its_shop(e2e_world, session_factory):
    """A member of the public's post: shown by the officer, it is a request
    about the centre (公众留言); the officer then names the shop it concerns."""
    from tenants.feedback.models import BoardSettings
    from tenants.feedback.services import board_public_post

    officer_for(e2e_world.centre_a)
    BoardSettings.objects.create(centre=e2e_world.centre_a, public_may_post=True)
    post = board_public_post(centre=e2e_world.centre_a, kind="complaint", subject="店员态度差",
                             body="一楼火锅店门口排队时店员态度很差。", name="王女士")
    officer = session_factory()
    officer.login("web@a.test")
    officer.goto(f"/admin/snippets/tenants/feedbackpost/inspect/{post.pk}/")
    officer.page.get_by_test_id("show-post").click()
    officer.page.wait_for_load_state("networkidle")
    post.refresh_from_db()
    sr = post.service_request
    assert sr.tenant is None and sr.channel == "web"
    assert "公众留言" in officer.page.get_by_test_id("post-request").inner_text()
    officer.page.get_by_test_id("link-form").locator("select[name=tenant]").select_option(str(e2e_world.tenant_a.pk))
    officer.submit("link-form")
    sr.refresh_from_db()
    assert sr.tenant == e2e_world.tenant_a
    assert e2e_world.tenant_a.trading_name in officer.page.get_by_test_id("post-request").inner_text()
    assert officer.page.get_by_test_id("link-form").count() == 0
    officer.page.get_by_test_id("post-request").get_by_role("link").click()
    officer.page.wait_for_load_state("networkidle")
    assert e2e_world.tenant_a.trading_name in officer.page.get_by_test_id("request-tenant").inner_text()
    assert not officer.csp_violations
