"""A tenant raises a request from a phone with a photo; staff reply and close
it in the admin; the tenant rates it."""

import pytest

from tenants.models import RequestStatus, ServiceRequest
from tests.base import PNG_BYTES, make_request

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


def test_staff_correct_an_enquiry_to_a_major_complaint(e2e_world, session_factory):
    """A tenant files a complaint as an enquiry; staff correct it on the
    request's page, the 48-hour initial answer becomes due, the reply form
    offers it, and the tenant sees the correction on the phone."""
    sr = make_request(e2e_world, category="enquiry", channel="portal", subject="隔壁店油烟倒灌",
                      description="隔壁餐饮店油烟倒灌进店内，已影响营业。")
    staff = session_factory()
    staff.login("ops@a.test")
    staff.goto(f"/admin/snippets/tenants/servicerequest/inspect/{sr.pk}/")
    reply = staff.page.get_by_test_id("reply-form")
    assert reply.locator("input[name=initial_answer]").count() == 0
    form = staff.page.get_by_test_id("reclassify-form")
    form.locator("select[name=category]").select_option("complaint")
    form.locator("select[name=severity]").select_option("major")
    form.locator("textarea[name=reason]").fill("影响营业，按重大投诉处理。")
    form.locator("button[type=submit]").click()
    staff.page.wait_for_load_state("networkidle")
    sr.refresh_from_db()
    assert (sr.category, sr.severity) == ("complaint", "major") and sr.answer_due is not None
    assert staff.page.get_by_test_id("milestone-answer").is_visible()
    assert staff.page.get_by_test_id("reply-form").locator("input[name=initial_answer]").count() == 1

    tenant = session_factory(phone=True)
    tenant.login("signer@a-shop.test")
    tenant.goto(f"/my/requests/{sr.pk}/")
    timeline = tenant.page.get_by_test_id("timeline").inner_text()
    assert "重大投诉" in timeline and "按重大投诉处理" in timeline
    assert tenant.page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not tenant.csp_violations and not staff.csp_violations
