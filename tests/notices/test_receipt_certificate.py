"""The receipt certificate (签收回执) is one page with unsplit rows, its
hashes in groups of eight, the verification address in full and a QR code
that opens /verify/ for that letter — which checks it at once."""

import pytest
import segno
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from notices.models import CertificateState, LetterTemplate, Receipt
from notices.services.receipt_certificates import (
    certificate_context,
    certificate_qr_png,
    receipt_certificate_make,
)
from notices.services.receipts import receipt_sign
from notices.services.verification import letter_verify_url
from tests.base import PASSWORD

from . import page_count, pdftotext, squash
from .delivery import delivery_of, letter_to_sign_within, stamped_letter  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

letter = letter_to_sign_within(days=5)
LONG_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; SM-S9180 Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/131.0.6778.200 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20241103 MMWEBID/7710 "
    "MicroMessenger/8.0.55.2780(0x28003737) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


@pytest.fixture
def receipt(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        made = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    # The longest browser line seen from a phone (WeChat's), certificate made again with it.
    Receipt.objects.filter(pk=made.pk).update(user_agent=LONG_BROWSER, certificate_state=CertificateState.PENDING)
    return receipt_certificate_make(receipt_id=made.pk)


def test_the_certificate_is_one_page_with_the_address_and_whole_hashes(world, letter, receipt):
    assert receipt.certificate_state == CertificateState.READY
    with receipt.certificate.open("rb") as fh:
        pdf = fh.read()
    assert page_count(pdf) == 1
    url = letter_verify_url(letter.pdf_sha256)
    assert url == f"http://testserver/verify/?sha256={letter.pdf_sha256}"
    text = squash(pdftotext(pdf))
    assert url in text, "the verification address printed in full"
    assert letter.pdf_sha256 in text and receipt.evidence_hash in text
    # Hashes are printed in groups of eight on one line of their cell (never
    # cut mid-group): poppler reads the eight groups as one line.
    raw = pdftotext(pdf).splitlines()
    for value in (letter.pdf_sha256, receipt.evidence_hash):
        grouped = " ".join(value[i : i + 8] for i in range(0, 64, 8))
        assert any(line.strip() == grouped for line in raw), grouped


def test_the_browser_row_is_not_split_and_the_long_browser_is_printed(world, letter, receipt):
    with receipt.certificate.open("rb") as fh:
        text = squash(pdftotext(fh.read()))
    assert squash(LONG_BROWSER) in text


def test_the_qr_code_holds_the_letters_verification_address(world, letter, receipt):
    url = letter_verify_url(letter.pdf_sha256)
    # segno has no decoder: compare with the code segno makes for the address.
    expected = segno.make(url, error="m", micro=False)
    assert certificate_qr_png(url) == _png(expected)
    template = LetterTemplate.objects.get(centre=letter.centre)
    assert certificate_context(receipt, template).body_html.count("data:image/png;base64,") == 1


def _png(qr) -> bytes:
    import io

    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def test_the_address_checks_the_letter_at_once(world, letter):
    response = Client().get(letter_verify_url(letter.pdf_sha256).removeprefix("http://testserver"))
    assert response.status_code == 200 and response.context["result"].genuine
    assert letter.doc_number in response.content.decode()


def test_a_wrong_hash_says_so_once():
    response = Client().post(reverse("notices:verify"), {"sha256": "not-a-hash"})
    assert response.status_code == 400
    page = response.content.decode()
    # The message itself, once (counting "64" alone also found it in the
    # signed URL of a stylesheet or image when media is on S3).
    with translation.override("zh-hans"):
        message = gettext("A SHA-256 is 64 hexadecimal characters.")
    assert page.count(message) == 1, message
    assert "Upload the PDF or paste" not in page and "上传 PDF 或粘贴" not in page
    response = Client().get(reverse("notices:verify") + "?sha256=zz")
    assert response.status_code == 400 and response.context["result"] is None


def test_the_certificate_is_in_the_language_the_tenant_signed_in_chinese_by_default(world, letter, receipt):
    # Signed without a reader's language on record: the certificate is Chinese.
    assert receipt.certificate_language in ("", "zh-hans")
    with receipt.certificate.open("rb") as fh:
        text = squash(pdftotext(fh.read()))
    assert "函件签收回执" in text and "签收方式" in text and "北京时间" in text and "Receiptcertificate" not in text


def test_a_tenant_who_signs_in_english_gets_an_english_certificate(world, letter):
    from django.utils import translation

    delivery = delivery_of(letter, world.tenant_a2)
    with translation.override("en"), TestCase.captureOnCommitCallbacks(execute=True):
        made = receipt_sign(delivery=delivery, user=world.signer_a2, pdf_sha256=delivery.pdf_sha256, password=PASSWORD,
                            request=_request())
    made.refresh_from_db()
    assert made.certificate_language == "en" and made.certificate_state == CertificateState.READY
    with made.certificate.open("rb") as fh:
        text = squash(pdftotext(fh.read()))
    assert "Receiptcertificate" in text and "Signedonline" in text and "Beijingtime" in text
    assert "签收方式" not in text and "函件签收回执" not in text
    # A paper receipt, or one made before the language was kept, is Chinese.
    template = LetterTemplate.objects.get(centre=letter.centre)
    Receipt.objects.filter(pk=made.pk).update(certificate_language="")
    made.refresh_from_db()
    assert "签收方式" in certificate_context(made, template).body_html


def _request():
    from django.test import RequestFactory

    return RequestFactory().post("/my/letters/sign/", HTTP_USER_AGENT="Mozilla/5.0")
