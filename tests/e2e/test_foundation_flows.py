"""What a person clicks through: signing in as a tenant on a phone, staff
reaching the admin, and URL guessing across centres."""

import pytest

pytestmark = pytest.mark.browser


def test_a_tenant_signatory_signs_in_on_a_phone_and_sees_the_tenant_home(e2e_world, session_factory):
    s = session_factory(phone=True, login="signer@a-shop.test")
    assert s.page.url.endswith("/my/")
    block = s.page.get_by_test_id("tenant-block")
    assert "蜀香火锅" in block.inner_text()
    assert "24小时服务热线" in block.inner_text()
    # Nothing wider than the phone's screen.
    assert s.page.evaluate("document.documentElement.scrollWidth") <= 390
    s.page.get_by_role("button", name="English").click()
    s.page.wait_for_load_state("networkidle")
    assert "24-hour service hotline" in s.page.get_by_test_id("tenant-block").inner_text()
    assert not s.csp_violations, s.csp_violations


def test_staff_reach_the_wagtail_admin_and_their_tenants(e2e_world, session_factory):
    s = session_factory(login="ops@a.test")
    assert s.page.url.rstrip("/").endswith("/admin")
    s.goto("/admin/snippets/tenants/tenant/")
    listing = s.page.locator("main").inner_text()
    assert "蜀香火锅" in listing and "星芽童装" not in listing
    s.page.fill("input[name=q]", "火锅")
    s.page.keyboard.press("Enter")
    s.page.wait_for_load_state("networkidle")
    assert "蜀香火锅" in s.page.locator("main").inner_text()
    assert not s.csp_violations, s.csp_violations


def test_staff_of_centre_b_cannot_open_a_tenant_of_centre_a_by_url(e2e_world, session_factory):
    s = session_factory(login="ops@b.test")
    for view in ("edit", "inspect", "history"):
        response = s.goto(f"/admin/snippets/tenants/tenant/{view}/{e2e_world.tenant_a.pk}/")
        assert response.status == 404, view
        assert "蜀香火锅" not in s.page.content()
