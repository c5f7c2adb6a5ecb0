"""On a phone: the signatory opens the letter from the tenant home, asks for
a one-time code, signs with it and downloads the sealed receipt; the staff
letter page then shows the tenant as signed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notices.models import Receipt
from tests.notices.delivery import delivery_of, last_code, stamped_letter

pytestmark = pytest.mark.browser


def _off_the_event_loop(fn):
    # Playwright keeps an event loop running in this thread; pyHanko's
    # signing calls asyncio.run(), so the seal is applied in another thread
    # (as the live server does for the certificate).
    result, errors = [], []

    def run():
        try:
            result.append(fn())
        except Exception as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]
    return result[0]


def test_a_signatory_signs_on_a_phone_and_staff_see_it_signed(e2e_world, session_factory):
    w = e2e_world
    letter = _off_the_event_loop(lambda: stamped_letter(w, sign_by=timezone.localdate() + timedelta(days=5)))
    delivery = delivery_of(letter, w.tenant_a)

    phone = session_factory(phone=True)
    phone.login(w.signer_a.email)
    phone.goto("/my/")
    block = phone.page.get_by_test_id("letters-to-sign")
    assert letter.title in block.inner_text()
    with phone.page.expect_navigation():
        block.get_by_role("link", name=letter.title).click()
    assert phone.page.get_by_test_id("doc-number").inner_text() == letter.doc_number
    assert phone.page.get_by_test_id("pdf-hash").get_attribute("data-full") == letter.pdf_sha256
    pdf = phone.page.request.get(phone.base_url + phone.page.get_by_test_id("open-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    with phone.page.expect_navigation():
        phone.page.get_by_test_id("code-form").locator("button[type=submit]").click()
    assert "验证码" in phone.page.locator(".messages").inner_text()
    phone.page.fill("input[name=code]", last_code(w.signer_a.email))
    with phone.page.expect_navigation():
        phone.page.get_by_test_id("sign").click()
    receipt_card = phone.page.get_by_test_id("receipt")
    assert "已签收" in receipt_card.inner_text()
    with phone.page.expect_download() as download:
        phone.page.get_by_test_id("download-receipt").click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    receipt = Receipt.objects.get(delivery=delivery)
    assert receipt.method == "email_code" and receipt.pdf_sha256 == letter.pdf_sha256
    assert receipt.user_agent and receipt.ip_address
    assert phone.csp_violations == []

    staff = session_factory()
    staff.login(w.ops_a.email)
    staff.goto(f"/admin/letters/{letter.pk}/?show=signed")
    row = staff.page.locator("[data-testid=delivery-row][data-tenant=TA001]")
    assert "✅" in row.get_by_test_id("receipt-cell").inner_text()
    assert w.signer_a.email.split("@")[0] in row.inner_text()
    assert "1" in staff.page.get_by_test_id("filter-signed").inner_text()
