"""The letter's journeys (tests/e2e/journey.py), each page at 1366 and 390 px
and photographed: the drafter drafts and submits, the leader and the seal
keeper approve; a tenant signs on a phone; operations record a paper
receipt."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notices.models import Letter, LetterStatus, Receipt
from tests.base import PDF_BYTES
from tests.notices.delivery import delivery_of, last_code, stamped_letter
from tests.notices.letters import make_template

from .test_letter_signing import _off_the_event_loop

pytestmark = pytest.mark.browser

TITLE = {"zh-hans": "关于一级商户消防演练的通知", "en": "Fire drill for tier-1 tenants"}


def _approve(person, letter, who):
    person.goto(f"/admin/letters/{letter.pk}/", f"{who}-letter")
    person.page.fill("textarea[name=comment]", "同意")
    with person.page.expect_navigation():
        person.page.locator("button[name=decision][value=approve]").click()
    person.look(f"{who}-approved")


def test_the_drafter_drafts_the_leader_and_the_seal_keeper_approve(e2e_world, journey):
    make_template(e2e_world.centre_a)
    j = journey("letter-chain-zh")
    drafter = j.person("drafter@a.test")
    drafter.goto("/admin/", "drafter-home")
    drafter.goto("/admin/snippets/notices/letter/", "letters")
    drafter.goto("/admin/snippets/notices/letter/add/", "new-letter")
    page = drafter.page
    page.fill("input[name=title]", TITLE["zh-hans"])
    page.locator(".public-DraftEditor-content").click()
    page.keyboard.type("定于本周五下午三点进行消防演练，请各一级商户安排人员参加。")
    page.select_option("select[name=recipient_mode]", "tier")
    page.check("input[name=recipient_tiers][value='1']")
    drafter.submit_for_review("letter-filled")
    letter = Letter.objects.get(title=TITLE["zh-hans"])
    assert letter.status == LetterStatus.IN_APPROVAL

    leader = j.person("leader@a.test")
    leader.goto("/admin/", "leader-home")
    _approve(leader, letter, "leader")
    keeper = j.person("seal@a.test")
    _approve(keeper, letter, "seal-keeper")
    letter.refresh_from_db()
    assert letter.status == LetterStatus.STAMPED, letter.stamping_error
    keeper.goto(f"/admin/letters/{letter.pk}/", "stamped")
    j.finish()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_tenant_signs_on_a_phone(e2e_world, journey, language):
    w = e2e_world
    letter = _off_the_event_loop(lambda: stamped_letter(w, title=TITLE[language],
                                                        sign_by=timezone.localdate() + timedelta(days=5)))
    j = journey(f"tenant-signs-{language[:2]}", language)
    j.person(None, acts_on="phone").goto("/accounts/login/", "sign-in")
    tenant = j.person(w.signer_a.email, acts_on="phone")
    tenant.goto("/my/", "home")
    with tenant.page.expect_navigation():
        tenant.page.get_by_test_id("letters-to-sign").get_by_role("link", name=letter.title).click()
    tenant.look("letter")
    with tenant.page.expect_navigation():
        tenant.page.get_by_test_id("code-form").locator("button[type=submit]").click()
    tenant.look("code-sent", only_here=True)
    tenant.page.fill("input[name=code]", last_code(w.signer_a.email))
    with tenant.page.expect_navigation():
        tenant.page.get_by_test_id("sign").click()
    tenant.look("signed")
    assert Receipt.objects.filter(delivery=delivery_of(letter, w.tenant_a)).exists()
    tenant.goto("/my/letters/", "letters")
    j.finish()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_operations_record_a_paper_receipt(e2e_world, journey, language):
    w = e2e_world
    letter = _off_the_event_loop(lambda: stamped_letter(w, title=TITLE[language]))
    delivery = delivery_of(letter, w.tenant_a2)
    j = journey(f"paper-receipt-{language[:2]}", language)
    ops = j.person(w.ops_a.email)
    ops.goto("/admin/", "home")
    ops.goto(f"/admin/letters/{letter.pk}/", "letter")
    with ops.page.expect_navigation():
        ops.page.locator(f"a[href='/admin/letters/{letter.pk}/paper/{delivery.pk}/']").click()
    ops.look("paper-form")
    form = ops.page.get_by_test_id("paper-form")
    form.locator("input[name=signer_name]").fill("王店长")
    form.locator("input[name=signed_at]").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=scan]").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with ops.page.expect_navigation():
        form.locator("button[type=submit]").click()
    ops.look("recorded")
    assert Receipt.objects.get(delivery=delivery).method == "paper"
    j.finish()
