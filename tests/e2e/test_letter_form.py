"""The letter form in a browser: only the chosen recipient mode's fields
show, the count and its preview follow the choice, named tenants and
affected units are chosen in searchable chooser modals that list the
letter's centre only, and saving the draft makes one letter (no autosave on
the add page). On a desktop (1366×900) and on a phone (390×844)."""

import pytest
from playwright.sync_api import expect

from notices.models import Letter
from tests.notices.letters import make_template

pytestmark = pytest.mark.browser


def choose(page, button: str, search: str, label: str, *, absent=()):
    """Open a chooser with its button, search, tick `label`, confirm.
    `absent`: names the search must have taken out (or that never show)
    before ticking: the unfiltered list shows first, then the results."""
    page.get_by_role("button", name=button, exact=True).click()
    modal = page.locator(".modal-content")
    expect(modal.locator("input[name=q]")).to_be_visible()
    modal.locator("input[name=q]").fill(search)
    row = modal.get_by_label(label, exact=False)
    expect(row).to_be_visible()
    for name in absent:
        expect(modal.get_by_text(name)).to_have_count(0)
    row.check()
    modal.locator("[data-multiple-choice-submit]").click()
    expect(modal).to_have_count(0)


def _drafts_with_choosers(e2e_world, session):
    make_template(e2e_world.centre_a)
    errors = []
    session.page.on("pageerror", lambda exc: errors.append(str(exc)))
    session.goto("/admin/snippets/notices/letter/add/")
    page = session.page
    count = page.locator("[data-recipient-count]")

    assert not page.locator("input[name=recipient_tiers]").first.is_visible()
    assert not page.get_by_role("button", name="选择铺位", exact=True).is_visible()
    expect(count).to_have_text("2 家商户：蜀香火锅、云裳女装")

    page.select_option("select[name=recipient_mode]", "floor")
    assert page.locator("input[name=recipient_floors]").first.is_visible()
    assert not page.locator("input[name=recipient_tiers]").first.is_visible()
    page.get_by_label("2F", exact=True).check()
    expect(count).to_have_text("1 家商户：云裳女装")

    page.select_option("select[name=recipient_mode]", "units")
    assert not page.locator("input[name=recipient_floors]").first.is_visible()
    choose(page, "选择铺位", "1F", "1F-TA001（1F）蜀香火锅", absent=("2F-TA002", "星芽童装", "1F-TB001"))
    expect(page.locator("[data-field-name=recipient_units] [data-chosen-id]")).to_have_text("1F-TA001（1F）蜀香火锅 移除")
    expect(count).to_have_text("1 家商户：蜀香火锅")

    page.select_option("select[name=recipient_mode]", "named")
    assert page.get_by_role("button", name="选择商户", exact=True).is_visible()
    assert page.locator("input[type=checkbox][name=recipient_tenants]").count() == 0
    # Part of a Chinese name finds the shop; centre B's tenant never shows.
    choose(page, "选择商户", "火锅", "蜀香火锅", absent=("云裳女装", "星芽童装"))
    expect(count).to_have_text("1 家商户：蜀香火锅")
    choose(page, "选择商户", "ta002", "云裳女装", absent=("蜀香火锅",))
    expect(count).to_have_text("2 家商户：蜀香火锅、云裳女装")
    page.get_by_role("button", name="移除 云裳女装").click()
    expect(count).to_have_text("1 家商户：蜀香火锅")

    page.fill("input[name=title]", "关于营业时间调整的通知")
    page.locator(".public-DraftEditor-content").click()
    page.keyboard.type("自下周一起营业时间调整为十点至二十二点。")
    page.wait_for_timeout(1500)  # longer than Wagtail's autosave interval: nothing may be created meanwhile
    assert not Letter.objects.exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    letter = Letter.objects.get()
    assert letter.recipient_mode == "named" and [t.pk for t in letter.recipient_tenants.all()] == [e2e_world.tenant_a.pk]
    assert letter.recipient_units == ["1F-TA001"]
    assert not errors and not session.csp_violations


def test_the_drafter_chooses_recipients_on_a_desktop(e2e_world, session_factory):
    drafter = session_factory(login="drafter@a.test")
    drafter.page.set_viewport_size({"width": 1366, "height": 900})
    _drafts_with_choosers(e2e_world, drafter)


def test_the_drafter_chooses_recipients_on_a_phone(e2e_world, session_factory):
    _drafts_with_choosers(e2e_world, session_factory(login="drafter@a.test", phone=True))
