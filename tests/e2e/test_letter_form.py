"""The letter form in a browser: only the chosen recipient mode's fields
show, the count follows the choice, named tenants can be searched, and
saving the draft makes one letter (no autosave on the add page)."""

import pytest
from playwright.sync_api import expect

from notices.models import Letter
from tests.notices.letters import make_template

pytestmark = pytest.mark.browser


def test_the_recipient_fields_follow_the_mode_with_a_live_count(e2e_world, session_factory):
    make_template(e2e_world.centre_a)
    drafter = session_factory(login="drafter@a.test")
    errors = []
    drafter.page.on("pageerror", lambda exc: errors.append(str(exc)))
    drafter.goto("/admin/snippets/notices/letter/add/")
    page = drafter.page
    count = page.locator("[data-recipient-count]")

    assert not page.locator("input[name=recipient_tiers]").first.is_visible()
    assert not page.locator("input[name=recipient_units]").is_visible()
    expect(count).to_have_text("2 家商户：蜀香火锅、云裳女装")

    page.select_option("select[name=recipient_mode]", "floor")
    assert page.locator("input[name=recipient_floors]").first.is_visible()
    assert not page.locator("input[name=recipient_tiers]").first.is_visible()
    page.get_by_label("2F", exact=True).check()
    expect(count).to_have_text("1 家商户：云裳女装")

    page.select_option("select[name=recipient_mode]", "named")
    search = page.locator("[data-tenant-search]")
    assert search.is_visible()
    search.fill("火锅")
    assert page.get_by_label("蜀香火锅", exact=False).is_visible()
    assert not page.get_by_label("云裳女装", exact=False).is_visible()
    page.get_by_label("蜀香火锅", exact=False).check()
    expect(count).to_have_text("1 家商户：蜀香火锅")

    page.fill("input[name=title]", "关于营业时间调整的通知")
    page.locator(".public-DraftEditor-content").click()
    page.keyboard.type("自下周一起营业时间调整为十点至二十二点。")
    page.wait_for_timeout(1500)  # longer than Wagtail's autosave interval: nothing may be created meanwhile
    assert not Letter.objects.exists()
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    letter = Letter.objects.get()
    assert letter.recipient_mode == "named" and [t.pk for t in letter.recipient_tenants.all()] == [e2e_world.tenant_a.pk]
    assert not errors and not drafter.csp_violations
