"""Signing for a letter (签收): the tenant inbox, first viewed, one-time codes,
the receipt with its evidence, one receipt per delivery, the certificate,
and a question instead of a signature."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from notices.models import (
    CertificateState,
    Delivery,
    LetterQuestion,
    Receipt,
    SignCode,
    SignMethod,
)
from notices.pdf.sign import validate_pdf
from notices.services.receipts import AlreadySigned, SignError, receipt_sign
from notices.services.sign_codes import sign_code_send
from portal.audit_verify import audit_verify_chain
from portal.models import AuditEvent
from tenants.models import Contact, RequestCategory
from tests.base import logged_in

from .delivery import (  # noqa: F401 - fixture
    delivery_of,
    last_code,
    letter_to_sign_within,
    sms_outbox,
    stamped_letter,
)

pytestmark = pytest.mark.django_db


letter = letter_to_sign_within(days=5)


def _client(user) -> Client:
    return logged_in(user, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) test")


def _ask_code(delivery, user, channel="email"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return sign_code_send(delivery=delivery, user=user, channel=channel)


def _code_emailed(world, letter):
    """The tenant A delivery of `letter`, and the code its signatory was emailed for it."""
    delivery = delivery_of(letter, world.tenant_a)
    _ask_code(delivery, world.signer_a)
    return delivery, last_code(world.signer_a.email)


def _sign_as_signer(world, delivery, code):
    return receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, code=code)


def _post_code(client, delivery):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("notices_inbox:code", args=[delivery.pk]), {"channel": "email"})


def _sign_with_code(client, delivery, code, sha=None):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("notices_inbox:sign", args=[delivery.pk]),
                           {"pdf_sha256": sha or delivery.pdf_sha256, "code": code})


def test_the_inbox_lists_letters_to_sign_first_with_their_due_dates(world, letter):
    other = stamped_letter(world, title="关于物业费调整的通知", requires_receipt=False)
    response = _client(world.signer_a).get(reverse("notices_inbox:inbox"))
    assert response.status_code == 200
    items = list(response.context["items"])
    assert [d.letter for d in items] == [letter, other]
    assert items[0].awaiting_receipt and not items[1].awaiting_receipt
    assert timezone.localdate().strftime("%Y") in response.content.decode()
    home = _client(world.signer_a).get(reverse("portal:tenant_home")).content.decode()
    assert letter.title in home and other.title not in home


def test_opening_the_letter_records_when_it_was_first_viewed(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    assert delivery.first_viewed_at is None
    client = _client(world.signer_a)
    response = client.get(reverse("notices_inbox:letter", args=[delivery.pk]))
    assert response.status_code == 200 and delivery.pdf_sha256 in response.content.decode()
    delivery.refresh_from_db()
    first = delivery.first_viewed_at
    assert first and delivery.first_viewed_by == world.signer_a
    client.get(reverse("notices_inbox:letter", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.first_viewed_at == first
    assert AuditEvent.objects.for_object(letter).filter(action="letter.viewed").count() == 1


def test_the_pdf_is_shown_inline_in_the_browser(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    response = _client(world.signer_a).get(reverse("notices_inbox:pdf", args=[delivery.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_signatory_signs_with_a_code_sent_by_email_and_the_receipt_holds_the_evidence(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    client = _client(world.signer_a)
    client.get(reverse("notices_inbox:letter", args=[delivery.pk]))
    response = _post_code(client, delivery)
    assert response.status_code == 302
    code = last_code(world.signer_a.email)
    stored = SignCode.objects.get(delivery=delivery)
    assert code not in stored.code_hash
    response = _sign_with_code(client, delivery, code)
    assert response.status_code == 302
    receipt = Receipt.objects.get(delivery=delivery)
    assert (receipt.signer, receipt.tenant, receipt.method) == (world.signer_a, world.tenant_a, SignMethod.EMAIL_CODE)
    assert receipt.pdf_sha256 == letter.pdf_sha256
    assert receipt.ip_address == "127.0.0.1" and "iPhone" in receipt.user_agent
    assert receipt.signed_at.tzinfo is not None
    event = AuditEvent.objects.get(action="letter.signed")
    assert event.evidence and event.hash == receipt.evidence_hash
    assert event.details["pdf_sha256"] == letter.pdf_sha256 and event.details["method"] == "email_code"
    assert audit_verify_chain().ok
    # The certificate is sealed by the centre (the task ran on commit).
    receipt.refresh_from_db()
    assert receipt.certificate_state == CertificateState.READY
    response = client.get(reverse("notices_inbox:receipt", args=[delivery.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    from notices.models import SealUse

    result = validate_pdf(data, trust_cert_pem=SealUse.objects.get(letter=letter).certificate_pem.encode())
    assert result.intact and result.trusted


def test_a_code_by_sms_goes_to_the_signatorys_mobile(world, letter, sms_outbox):
    Contact.objects.filter(user=world.signer_a).update(phone="13900000002")
    delivery = delivery_of(letter, world.tenant_a)
    sms_outbox.clear()
    _ask_code(delivery, world.signer_a, "sms")
    assert sms_outbox[-1].to == "13900000002"
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].text).group(1)
    receipt = _sign_as_signer(world, delivery, code)
    assert receipt.method == SignMethod.SMS_CODE


def test_a_signatory_may_confirm_with_their_password(world, letter):
    from tests.base import PASSWORD

    delivery = delivery_of(letter, world.tenant_a)
    with pytest.raises(SignError):
        receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password="wrong")
    receipt = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    assert receipt.method == SignMethod.PASSWORD


def test_a_wrong_code_signs_nothing_and_counts_an_attempt(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    client = _client(world.signer_a)
    _post_code(client, delivery)
    code = last_code(world.signer_a.email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _sign_with_code(client, delivery, wrong)
    assert response.status_code == 400 and response.content.decode().count("不正确") == 1  # said once
    assert not Receipt.objects.exists()
    assert SignCode.objects.get(delivery=delivery).attempts == 1


def test_too_many_wrong_codes_lock_the_code(world, letter, settings):
    settings.ATRIUM_SIGN_CODE_ATTEMPTS = 2
    delivery, code = _code_emailed(world, letter)
    for _ in range(2):
        with pytest.raises(SignError):
            _sign_as_signer(world, delivery, "000000" if code != "000000" else "111111")
    with pytest.raises(SignError):
        _sign_as_signer(world, delivery, code)
    assert not Receipt.objects.exists()


def test_an_expired_code_signs_nothing(world, letter):
    delivery, code = _code_emailed(world, letter)
    SignCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(SignError, match="过期|expired"):
        _sign_as_signer(world, delivery, code)
    assert not Receipt.objects.exists()


def test_a_new_code_replaces_the_old_one(world, letter):
    delivery, old = _code_emailed(world, letter)
    SignCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    _ask_code(delivery, world.signer_a)
    new = last_code(world.signer_a.email)
    if old != new:
        with pytest.raises(SignError):
            _sign_as_signer(world, delivery, old)
    assert _sign_as_signer(world, delivery, new)


def test_the_hash_of_the_pdf_shown_must_match_the_document_delivered(world, letter):
    delivery, code = _code_emailed(world, letter)
    response = _sign_with_code(_client(world.signer_a), delivery, code, sha="0" * 64)
    assert response.status_code == 400
    assert not Receipt.objects.exists()
    # The code was not spent on the refused attempt.
    assert _sign_as_signer(world, delivery, code)


def test_a_second_click_or_device_gets_a_clear_message_and_no_second_receipt(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    client = _client(world.signer_a)
    _post_code(client, delivery)
    code = last_code(world.signer_a.email)
    assert _sign_with_code(client, delivery, code).status_code == 302
    response = _sign_with_code(_client(world.signer_a), delivery, code)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已" in page and Receipt.objects.filter(delivery=delivery).count() == 1
    with pytest.raises(AlreadySigned):
        _sign_as_signer(world, delivery, code)


def test_the_database_refuses_a_second_receipt_for_a_delivery(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    receipt = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256,
                           password="correct horse battery staple")
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(delivery=delivery, letter=letter, tenant=world.tenant_a, method="password",
                               signer=world.signer_a, signer_name="x", signed_at=timezone.now(), pdf_sha256=receipt.pdf_sha256)


@pytest.mark.parametrize("who", ["nonsigner_a", "signer_a2", "signer_b", "ops_a"])
def test_only_a_signatory_of_that_tenant_may_sign(world, letter, who):
    delivery = delivery_of(letter, world.tenant_a)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        sign_code_send(delivery=delivery, user=getattr(world, who), channel="email")
    with pytest.raises(PermissionDenied):
        receipt_sign(delivery=delivery, user=getattr(world, who), pdf_sha256=delivery.pdf_sha256,
                     password="correct horse battery staple")
    assert not Receipt.objects.exists()


def test_a_tenant_may_raise_a_question_instead_of_signing(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    response = _client(world.signer_a).post(reverse("notices_inbox:question", args=[delivery.pk]),
                                            {"subject": "", "description": "检查时间能否改到下午？"})
    assert response.status_code == 302
    question = LetterQuestion.objects.get(delivery=delivery)
    sr = question.service_request
    assert sr.tenant == world.tenant_a and sr.category == RequestCategory.ENQUIRY
    assert letter.doc_number in sr.subject + sr.description
    assert response["Location"] == reverse("tenants:my_request", args=[sr.pk])
    assert not Receipt.objects.exists()


def test_a_letter_that_needs_no_receipt_cannot_be_signed(world):
    letter = stamped_letter(world, requires_receipt=False)
    delivery = delivery_of(letter, world.tenant_a)
    with pytest.raises(SignError):
        receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256,
                     password="correct horse battery staple")
    assert Delivery.objects.filter(letter=letter).count() == 2 and mail.outbox


def test_wrong_passwords_are_limited_like_wrong_codes(world, letter, settings):
    from tests.base import PASSWORD

    settings.ATRIUM_SIGN_CODE_ATTEMPTS = 2
    delivery = delivery_of(letter, world.tenant_a)
    for _ in range(2):
        with pytest.raises(SignError):
            receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password="guess")
    with pytest.raises(SignError):
        receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    assert not Receipt.objects.exists()


def test_wrong_passwords_are_counted_per_person_across_letters(world, letter, settings):
    """A guesser does not get a fresh allowance with each letter the tenant has to sign."""
    from tests.base import PASSWORD

    settings.ATRIUM_SIGN_CODE_ATTEMPTS = 2
    other = stamped_letter(world, sign_by=timezone.localdate() + timedelta(days=5))
    for one in (letter, other):
        delivery = delivery_of(one, world.tenant_a)
        with pytest.raises(SignError, match="密码不正确"):
            receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password="guess")
    delivery = delivery_of(other, world.tenant_a)
    with pytest.raises(SignError, match="密码错误次数过多"):
        receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256, password=PASSWORD)
    assert not Receipt.objects.exists()


def test_the_sweep_seals_a_certificate_whose_task_was_lost(world, letter):
    from notices.tasks import sweep_stuck_deliveries

    delivery = delivery_of(letter, world.tenant_a)
    receipt = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256,
                           password="correct horse battery staple")  # on_commit not run: the task is "lost"
    assert Receipt.objects.get(pk=receipt.pk).certificate_state == CertificateState.PENDING
    Receipt.objects.filter(pk=receipt.pk).update(recorded_at=timezone.now() - timedelta(hours=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        sweep_stuck_deliveries()
    assert Receipt.objects.get(pk=receipt.pk).certificate_state == CertificateState.READY


def test_staff_see_the_question_on_the_letter_page(world, letter):
    delivery = delivery_of(letter, world.tenant_a)
    _client(world.signer_a).post(reverse("notices_inbox:question", args=[delivery.pk]), {"description": "能否延期？"})
    sr = LetterQuestion.objects.get().service_request
    page = _client(world.ops_a).get(reverse("notices_letters:detail", args=[letter.pk])).content.decode()
    assert sr.number in page


def test_other_apps_hear_of_a_receipt_once_it_is_committed(world, letter):
    from notices.services.receipts import receipt_recorded

    heard = []

    def listener(sender, receipt, **kwargs):
        heard.append(receipt.pk)

    receipt_recorded.connect(listener)
    try:
        delivery = delivery_of(letter, world.tenant_a)
        with TestCase.captureOnCommitCallbacks(execute=True):
            receipt = receipt_sign(delivery=delivery, user=world.signer_a, pdf_sha256=delivery.pdf_sha256,
                                   password="correct horse battery staple")
            assert heard == []
        assert heard == [receipt.pk]
    finally:
        receipt_recorded.disconnect(listener)


def test_the_code_is_made_and_sent_once_by_a_task_never_in_the_request(world, letter):
    from notices.services.sign_codes import sign_code_deliver

    delivery = delivery_of(letter, world.tenant_a)
    mail.outbox.clear()
    sign_code = sign_code_send(delivery=delivery, user=world.signer_a, channel="email")  # task not run yet
    assert mail.outbox == [] and SignCode.objects.get(pk=sign_code.pk).code_hash == ""
    assert sign_code_deliver(sign_code_id=sign_code.pk) is True
    assert len(mail.outbox) == 1 and SignCode.objects.get(pk=sign_code.pk).code_hash
    assert sign_code_deliver(sign_code_id=sign_code.pk) is False
    assert len(mail.outbox) == 1
