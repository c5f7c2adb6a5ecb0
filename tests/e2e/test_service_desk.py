"""A tenant raises a request from a phone with a photo; staff reply and close
it in the admin; the tenant rates it."""

import pytest

from tenants.models import RequestStatus, ServiceRequest
from tests.base import PNG_BYTES

pytestmark = pytest.mark.browser


def test_a_request_from_a_phone_to_a_rating(e2e_world, session_factory):
    tenant = session_factory(phone=True)
    tenant.login("signer@a-shop.test")
    tenant.page.get_by_test_id("my-requests").click()
    tenant.page.get_by_test_id("new-request").click()
    tenant.page.select_option("select[name=category]", "repair")
    tenant.page.fill("input[name=subject]", "卫生间漏水")
    tenant.page.fill("textarea[name=description]", "员工卫生间水管漏水，地面积水。")
    tenant.page.set_input_files(
        "input[name=photos]", files=[{"name": "leak.png", "mimeType": "image/png", "buffer": PNG_BYTES}]
    )
    assert tenant.page.evaluate("document.documentElement.scrollWidth") <= 390
    tenant.page.get_by_test_id("request-form").locator("button[type=submit]").click()
    tenant.page.wait_for_load_state("networkidle")
    sr = ServiceRequest.objects.get()
    assert tenant.page.url.endswith(f"/my/requests/{sr.pk}/")
    assert sr.photos.count() == 1 and sr.channel == "portal"
    # The photo is shown to its tenant through the access-checked view.
    assert tenant.page.locator(".photos img").evaluate("img => img.naturalWidth") == 1
    assert tenant.page.evaluate("document.documentElement.scrollWidth") <= 390

    staff = session_factory()
    staff.login("ops@a.test")
    staff.goto("/admin/snippets/tenants/servicerequest/")
    staff.page.get_by_role("link", name=sr.number).click()
    staff.page.wait_for_load_state("networkidle")
    staff.page.get_by_test_id("reply-form").locator("textarea[name=body]").fill("工程部师傅十分钟后到店。")
    staff.page.get_by_test_id("reply-form").locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    staff.page.get_by_test_id("close-form").locator("textarea[name=resolution]").fill("已更换水管接头，漏水已止。")
    staff.page.get_by_test_id("close-form").locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    sr.refresh_from_db()
    assert sr.status == RequestStatus.CLOSED and sr.responded_at is not None

    tenant.page.reload()
    timeline = tenant.page.get_by_test_id("timeline").inner_text()
    assert "工程部师傅十分钟后到店" in timeline and "已更换水管接头" in timeline
    tenant.page.get_by_test_id("rate-form").locator("input[name=rating][value='5']").check()
    tenant.page.get_by_test_id("rate-form").locator("textarea[name=comment]").fill("处理很及时")
    tenant.page.get_by_test_id("rate-form").locator("button[type=submit]").click()
    tenant.page.wait_for_load_state("networkidle")
    assert "5/5" in tenant.page.get_by_test_id("rating").inner_text()
    sr.refresh_from_db()
    assert (sr.rating, sr.rating_comment) == (5, "处理很及时")
    assert not tenant.csp_violations and not staff.csp_violations
