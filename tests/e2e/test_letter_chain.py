"""The letter chain as people click it: the drafter drafts a letter to tier-1
tenants and submits it, the leader approves, the seal keeper approves the
seal use, and the stamped PDF appears with its number."""

import pytest

from notices.models import Letter, LetterStatus
from tests.notices.letters import make_template

pytestmark = pytest.mark.browser

TITLE = "关于一级商户消防演练的通知"


def _approve(s, letter_pk):
    s.goto(f"/admin/letters/{letter_pk}/")
    assert "消防演练" in s.page.get_by_test_id("letter-body").inner_text()
    s.page.fill("textarea[name=comment]", "同意")
    with s.page.expect_navigation():
        s.page.locator("button[name=decision][value=approve]").click()


def test_draft_approve_seal_and_see_the_stamped_pdf(e2e_world, session_factory):
    make_template(e2e_world.centre_a)

    drafter = session_factory()
    drafter.login("drafter@a.test")
    drafter.goto("/admin/snippets/notices/letter/add/")
    drafter.page.fill("input[name=title]", TITLE)
    drafter.page.locator(".public-DraftEditor-content").click()
    drafter.page.keyboard.type("定于本周五下午三点进行消防演练，请各一级商户安排人员参加。")
    drafter.page.wait_for_timeout(300)  # Draftail writes its hidden input on the next tick
    drafter.page.select_option("select[name=recipient_mode]", "tier")
    drafter.page.check("input[name=recipient_tiers][value='1']")
    drafter.page.locator("footer .w-dropdown__toggle").first.click()
    drafter.page.locator("button[name=action-submit]").click()
    drafter.page.wait_for_load_state("networkidle")
    letter = Letter.objects.get(title=TITLE)
    assert letter.status == LetterStatus.IN_APPROVAL
    assert letter.recipient_tiers == ["1"] and letter.drafter == e2e_world.drafter_a
    assert "消防演练" in letter.body, letter.body

    leader = session_factory()
    leader.login("leader@a.test")
    _approve(leader, letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.IN_APPROVAL
    assert letter.current_workflow_state.current_task_state.task.name.startswith("用章审批")

    keeper = session_factory()
    keeper.login("seal@a.test")
    _approve(keeper, letter.pk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED, letter.stamping_error

    keeper.goto(f"/admin/letters/{letter.pk}/")
    assert keeper.page.get_by_test_id("doc-number").inner_text() == letter.doc_number
    assert "✅" in keeper.page.get_by_test_id("signature").inner_text()
    assert keeper.page.get_by_test_id("pdf-hash").get_attribute("data-full") == letter.pdf_sha256
    response = keeper.page.request.get(keeper.base_url + f"/admin/letters/{letter.pk}/pdf/")
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    assert "蜀香火锅" in keeper.page.content()  # the tier-1 recipient is listed
    assert not (drafter.csp_violations or leader.csp_violations or keeper.csp_violations)
