"""Signing for a letter (签收): viewing, one-time codes, the receipt with its
evidence, the paper sign-off recorded by staff, the receipt certificate, and
the question a tenant may raise instead of signing."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record, client_ip
from portal.models.accounts import Role
from portal.uploads import DOCUMENT_KINDS, safe_name, upload_sha256, validate_upload
from tenants.contacts import tenant_contacts_of
from tenants.models import Contact, RequestCategory

from .models import (
    CertificateState,
    Delivery,
    LetterQuestion,
    LetterTemplate,
    Receipt,
    SignCode,
    SignMethod,
)
from .pdf.render import LetterContext
from .pdf.stamp import stamp_letter

log = logging.getLogger(__name__)

PAPER_ROLES = (Role.OPERATIONS, Role.MANAGER)

# Sent after the transaction that records a receipt commits (online or
# paper), with `receipt`: other apps (the fire-safety cycle) follow up on it.
receipt_recorded = Signal()


class SignError(Exception):
    """Signing cannot go ahead; the message is for the person who tried."""


class AlreadySigned(SignError):
    def __init__(self, receipt: Receipt):
        self.receipt = receipt
        super().__init__(
            _("This letter was already signed for by %(name)s at %(when)s. Nothing more to do.") % {
                "name": receipt.signer_name, "when": timezone.localtime(receipt.signed_at).strftime("%Y-%m-%d %H:%M")}
        )


# --- who ------------------------------------------------------------------------


def signatory_contact(user, delivery: Delivery) -> Contact | None:
    """The user's contact record that may sign for this delivery's tenant."""
    return tenant_contacts_of(user).filter(tenant_id=delivery.tenant_id, may_sign=True).first()


def _lock(delivery: Delivery) -> Delivery:
    return Delivery.objects.select_for_update().select_related("letter", "tenant").get(pk=delivery.pk)


def _existing_receipt(delivery: Delivery) -> Receipt | None:
    return Receipt.objects.filter(delivery_id=delivery.pk).first()


# --- viewing --------------------------------------------------------------------


def delivery_mark_viewed(*, delivery: Delivery, user, request: HttpRequest | None = None) -> bool:
    """Record the first time a signatory opened the letter. True the first time."""
    now = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk, first_viewed_at__isnull=True).update(
        first_viewed_at=now, first_viewed_by=user
    )
    if updated:
        delivery.first_viewed_at, delivery.first_viewed_by = now, user
        audit_record(actor=user, action="letter.viewed", obj=delivery.letter, request=request,
                     details={"tenant": delivery.tenant.code, "delivery": delivery.pk})
    return bool(updated)


# --- one-time codes -------------------------------------------------------------


def _code_hash(code_id_salt: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{code_id_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def sign_code_send(*, delivery: Delivery, user, channel: str, request: HttpRequest | None = None) -> SignCode:
    """Ask for a fresh one-time code; earlier unused codes stop working. The
    code itself is made and sent by a task, so it never travels through the
    broker and the mail server is never waited for in a request."""
    contact = signatory_contact(user, delivery)
    if contact is None:
        raise PermissionDenied
    if not delivery.letter.requires_receipt:
        raise SignError(_("This letter does not need to be signed for."))
    if channel not in SignCode.Channel.values:
        raise SignError(_("Choose email or SMS."))
    if channel == SignCode.Channel.SMS and not contact.phone:
        raise SignError(_("We have no mobile number for you. Choose email, or ask the centre to add your number."))
    existing = _existing_receipt(delivery)
    if existing:
        raise AlreadySigned(existing)
    now = timezone.now()
    if SignCode.objects.filter(delivery=delivery, user=user, created_at__gt=now - timedelta(seconds=60)).exists():
        raise SignError(_("A code was sent less than a minute ago. Please wait for it before asking for another."))
    from .tasks import send_sign_code_task

    with transaction.atomic():
        SignCode.objects.filter(delivery=delivery, user=user, used_at__isnull=True).update(used_at=now)
        sign_code = SignCode.objects.create(
            delivery=delivery, user=user, channel=channel, code_hash="", created_at=now,
            expires_at=now + timedelta(minutes=settings.ATRIUM_SIGN_CODE_MINUTES),
        )
        audit_record(actor=user, action="letter.sign_code_sent", obj=delivery.letter, request=request,
                     details={"tenant": delivery.tenant.code, "channel": channel})
        sign_code_id = sign_code.pk
        transaction.on_commit(lambda: send_sign_code_task.delay(sign_code_id))
    return sign_code


def sign_code_deliver(*, sign_code_id: int) -> bool:
    """Make the code, keep only its hash, send it. Once: a rerun finds the
    hash set and sends nothing (the signatory asks again if it was lost)."""
    now = timezone.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    with transaction.atomic():
        sign_code = (
            SignCode.objects.select_for_update().select_related("delivery__letter", "delivery__tenant", "user")
            .filter(pk=sign_code_id, used_at__isnull=True, code_hash="", expires_at__gt=now).first()
        )
        if sign_code is None:
            return False
        SignCode.objects.filter(pk=sign_code_id).update(code_hash=f"{salt}${_code_hash(salt, code)}")
    contact = signatory_contact(sign_code.user, sign_code.delivery)
    if contact is None:
        return False
    from .messaging import send_sign_code

    send_sign_code(delivery=sign_code.delivery, user=sign_code.user, channel=sign_code.channel, code=code, contact=contact)
    return True


def _check_code(delivery: Delivery, user, code: str) -> tuple[bool, str, str]:
    """(ok, method, message). Counts a wrong attempt; the caller's
    transaction must commit for the count to stick."""
    now = timezone.now()
    sign_code = (
        SignCode.objects.select_for_update().filter(delivery=delivery, user=user, used_at__isnull=True)
        .order_by("-created_at").first()
    )
    if sign_code is None or not sign_code.code_hash:
        return False, "", _("Ask for a code first, or ask for a new one.")
    if sign_code.expires_at <= now:
        return False, "", _("This code has expired. Ask for a new one.")
    if sign_code.attempts >= settings.ATRIUM_SIGN_CODE_ATTEMPTS:
        return False, "", _("Too many wrong codes. Ask for a new one.")
    salt, _sep, digest = sign_code.code_hash.partition("$")
    if not hmac.compare_digest(_code_hash(salt, (code or "").strip()), digest):
        SignCode.objects.filter(pk=sign_code.pk).update(attempts=sign_code.attempts + 1)
        left = settings.ATRIUM_SIGN_CODE_ATTEMPTS - sign_code.attempts - 1
        return False, "", _("The code is not correct. %(left)s attempts left.") % {"left": max(left, 0)}
    SignCode.objects.filter(pk=sign_code.pk).update(used_at=now)
    method = SignMethod.SMS_CODE if sign_code.channel == SignCode.Channel.SMS else SignMethod.EMAIL_CODE
    return True, method, ""


def _check_password(delivery: Delivery, user, password: str) -> tuple[bool, str, str]:
    # Wrong passwords are limited like wrong codes, per person and letter, so
    # the signing form cannot be used to guess a password.
    key = f"atrium:sign-password:{user.pk}:{delivery.pk}"
    failures = cache.get(key, 0)
    if failures >= settings.ATRIUM_SIGN_CODE_ATTEMPTS:
        return False, "", _("Too many wrong passwords. Use a one-time code instead, or try again later.")
    if user.check_password(password):
        cache.delete(key)
        return True, SignMethod.PASSWORD, ""
    cache.set(key, failures + 1, timeout=settings.ATRIUM_SIGN_CODE_MINUTES * 60)
    return False, "", _("The password is not correct.")


# --- signing --------------------------------------------------------------------


def receipt_sign(
    *,
    delivery: Delivery,
    user,
    pdf_sha256: str,
    code: str = "",
    password: str = "",
    request: HttpRequest | None = None,
) -> Receipt:
    """Sign for a delivered letter. The signer confirms with the one-time code
    (or their password); the hash of the PDF they were shown must be the hash
    of the document delivered. One receipt per delivery: the delivery row is
    locked, and the database refuses a second receipt anyway."""
    contact = signatory_contact(user, delivery)
    if contact is None:
        raise PermissionDenied
    if not delivery.letter.requires_receipt:
        raise SignError(_("This letter does not need to be signed for."))
    if (pdf_sha256 or "").strip().lower() != delivery.pdf_sha256:
        raise SignError(_("The document you were shown is not the one delivered. Reload the page and read it again."))
    if not code and not password:
        raise SignError(_("Enter the code we sent you, or your password."))
    message = ""
    try:
        with transaction.atomic():
            locked = _lock(delivery)
            existing = _existing_receipt(locked)
            if existing is not None:
                raise AlreadySigned(existing)
            if code:
                ok, method, message = _check_code(locked, user, code)
            else:
                ok, method, message = _check_password(locked, user, password)
            if ok:
                receipt = _create_online_receipt(locked, user, contact, method, request)
    except IntegrityError:
        # Another device won the race between our check and our insert.
        existing = _existing_receipt(delivery)
        if existing is None:
            raise
        raise AlreadySigned(existing) from None
    if not ok:
        audit_record(actor=user, action="letter.sign_refused", obj=delivery.letter, request=request,
                     details={"tenant": delivery.tenant.code, "reason": str(message)})
        raise SignError(message)
    return receipt


def _create_online_receipt(delivery: Delivery, user, contact: Contact, method: str, request) -> Receipt:
    now = timezone.now()
    ua = request.META.get("HTTP_USER_AGENT", "")[:500] if request is not None else ""
    with transaction.atomic():  # a savepoint: IntegrityError leaves the outer transaction usable
        receipt = Receipt.objects.create(
            delivery=delivery, letter=delivery.letter, tenant=delivery.tenant, method=method, signer=user,
            signer_name=contact.name or user.get_full_name() or user.email, signed_at=now,
            ip_address=client_ip(request), user_agent=ua, pdf_sha256=delivery.pdf_sha256,
        )
    _evidence(receipt, actor=user, request=request)
    queue_certificate(receipt.pk)
    return receipt


def _evidence(receipt: Receipt, *, actor, request) -> None:
    event = audit_record(
        actor=actor, action="letter.signed", obj=receipt.letter, request=request, evidence=True,
        details={
            "receipt": receipt.pk, "delivery": receipt.delivery_id, "tenant": receipt.tenant.code,
            "doc_number": receipt.letter.doc_number, "pdf_sha256": receipt.pdf_sha256, "method": receipt.method,
            "signer": receipt.signer.email if receipt.signer else "", "signer_name": receipt.signer_name,
            "signed_at": receipt.signed_at.isoformat(), "ip": receipt.ip_address or "", "user_agent": receipt.user_agent,
            "recorded_by": receipt.recorded_by.email if receipt.recorded_by else "", "scan_sha256": receipt.scan_sha256,
        },
    )
    Receipt.objects.filter(pk=receipt.pk).update(evidence_hash=event.hash)
    receipt.evidence_hash = event.hash


def receipts_without_certificate(*, older_than: timedelta | None = None):
    older_than = older_than if older_than is not None else timedelta(minutes=settings.ATRIUM_DELIVERY_STUCK_MINUTES)
    return Receipt.objects.exclude(certificate_state=CertificateState.READY).filter(
        recorded_at__lte=timezone.now() - older_than)


def queue_certificate(receipt_id: int) -> None:
    from .tasks import receipt_certificate_task

    transaction.on_commit(lambda: receipt_certificate_task.delay(receipt_id))
    transaction.on_commit(lambda: _announce(receipt_id))


def _announce(receipt_id: int) -> None:
    receipt = Receipt.objects.filter(pk=receipt_id).select_related("delivery", "letter", "tenant").first()
    if receipt is not None:
        receipt_recorded.send(sender=Receipt, receipt=receipt)


# --- paper ----------------------------------------------------------------------


def receipt_record_paper(
    *,
    delivery: Delivery,
    actor,
    signer_name: str,
    signed_at: datetime,
    scan,
    request: HttpRequest | None = None,
) -> Receipt:
    """Staff record that the tenant signed the paper letter, with the scan."""
    if not has_role(actor, delivery.centre, *PAPER_ROLES):
        raise PermissionDenied
    if not (signer_name or "").strip():
        raise SignError(_("Enter the name of the person who signed."))
    if signed_at > timezone.now():
        raise SignError(_("The signing time cannot be in the future."))
    if signed_at < delivery.created_at - timedelta(days=1):
        raise SignError(_("The signing time is before the letter was delivered."))
    if scan is None:
        raise SignError(_("Attach the scanned receipt."))
    ext = validate_upload(scan, kinds=DOCUMENT_KINDS - {"office"})
    digest = upload_sha256(scan)
    try:
        with transaction.atomic():
            locked = _lock(delivery)
            existing = _existing_receipt(locked)
            if existing is not None:
                raise AlreadySigned(existing)
            receipt = Receipt(
                delivery=locked, letter=locked.letter, tenant=locked.tenant, method=SignMethod.PAPER,
                signer_name=signer_name.strip()[:100], signed_at=signed_at, recorded_by=actor,
                ip_address=client_ip(request), user_agent="", pdf_sha256=locked.pdf_sha256,
                scan_sha256=digest,
            )
            receipt.scan.save(safe_name(getattr(scan, "name", ""), ext), File(scan), save=False)
            with transaction.atomic():
                receipt.save()
            _evidence(receipt, actor=actor, request=request)
            queue_certificate(receipt.pk)
    except IntegrityError:
        existing = _existing_receipt(delivery)
        if existing is None:
            raise
        raise AlreadySigned(existing) from None
    return receipt


# --- the receipt certificate ------------------------------------------------------

_METHOD_ZH = {
    SignMethod.EMAIL_CODE: "电子签收（邮件一次性验证码确认）",
    SignMethod.SMS_CODE: "电子签收（短信一次性验证码确认）",
    SignMethod.PASSWORD: "电子签收（账户密码确认）",
    SignMethod.PAPER: "纸质签收（工作人员登记并上传扫描件）",
}


def _when(value) -> str:
    if not value:
        return "—"
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M:%S}（北京时间）／{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def certificate_context(receipt: Receipt, template: LetterTemplate) -> LetterContext:
    letter, tenant, centre = receipt.letter, receipt.tenant, receipt.letter.centre
    rows = [
        ("函件文号", letter.doc_number),
        ("函件标题", letter.title),
        ("发文单位", template.signatory_name),
        ("函件 SHA-256", letter.pdf_sha256),
        ("签收文件 SHA-256", receipt.pdf_sha256),
        ("签收商户", f"{tenant.legal_name}（{tenant.trading_name}，{tenant.code}）"),
        ("签收人", receipt.signer_name + (f"（{receipt.signer.email}）" if receipt.signer else "")),
        ("送达时间", _when(receipt.delivery.created_at)),
        ("首次查阅时间", _when(receipt.delivery.first_viewed_at)),
        ("签收时间", _when(receipt.signed_at)),
        ("签收方式", _METHOD_ZH.get(receipt.method, receipt.method)),
        ("签收 IP 地址", receipt.ip_address or "—"),
        ("浏览器", receipt.user_agent or "—"),
    ]
    if receipt.is_paper:
        rows += [("登记人", str(receipt.recorded_by)), ("登记时间", _when(receipt.recorded_at)),
                 ("扫描件 SHA-256", receipt.scan_sha256)]
    rows.append(("证据链哈希", receipt.evidence_hash or "—"))
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    body = (
        f"<p>兹证明{escape(tenant.legal_name)}已签收下列函件。本回执由系统根据签收记录自动生成，并加盖电子公章。</p>"
        f"<table><tbody>{table}</tbody></table>"
        "<p>核验方式：在本中心公开核验页面上传函件 PDF 或输入其 SHA-256，可确认函件真实性及签收数量。</p>"
    )
    return LetterContext(
        centre_name=centre.name, letterhead_name=template.letterhead_title,
        letterhead_address=centre.letterhead_address or centre.address,
        letterhead_phone=centre.letterhead_phone or centre.hotline,
        doc_number=f"{letter.doc_number} 签收回执 No.{receipt.pk:06d}", date=timezone.localdate(receipt.signed_at),
        addressee=tenant.legal_name, title="函件签收回执", body_html=body, signatory_name=template.signatory_name,
        footer_text=template.footer_text, logo_png=bytes(template.logo_png) if template.logo_png else None,
        seal_png=bytes(template.seal_png),
    )


def receipt_certificate_make(*, receipt_id: int, timestamper=None) -> Receipt:
    """Render the receipt certificate and seal it with the centre's seal.
    Made once; a rerun finds it made."""
    receipt = Receipt.objects.select_related("letter__centre", "tenant", "signer", "recorded_by", "delivery").get(pk=receipt_id)
    if receipt.certificate_state == CertificateState.READY:
        return receipt
    template = LetterTemplate.objects.filter(centre=receipt.letter.centre).first()
    try:
        if template is None or not template.has_seal:
            raise ValueError("the centre has no letter template with a seal")
        stamped = stamp_letter(
            certificate_context(receipt, template), key_pem=template.seal_key_pem(),
            cert_pem=template.seal_certificate_pem.encode(), timestamp_url=template.timestamp_url or None,
            timestamper=timestamper,
        )
    except Exception as exc:
        log.exception("Receipt certificate %s failed", receipt_id)
        Receipt.objects.filter(pk=receipt_id).exclude(certificate_state=CertificateState.READY).update(
            certificate_state=CertificateState.FAILED, certificate_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
        if receipt.certificate_state == CertificateState.READY:
            return receipt
        receipt.certificate.save(f"receipt-{receipt.pk:06d}-{stamped.sha256[:12]}.pdf", ContentFile(stamped.pdf), save=False)
        Receipt.objects.filter(pk=receipt_id).update(
            certificate=receipt.certificate.name, certificate_sha256=stamped.sha256,
            certificate_state=CertificateState.READY, certificate_error="",
        )
        audit_record(actor=None, action="receipt.certificate_sealed", obj=receipt.letter,
                     details={"receipt": receipt.pk, "sha256": stamped.sha256})
    receipt.refresh_from_db()
    return receipt


# --- a question instead of a signature ----------------------------------------------


def letter_question_raise(
    *, delivery: Delivery, user, subject: str, description: str, request: HttpRequest | None = None
) -> LetterQuestion:
    """The tenant asks about the letter instead of signing: a request in the
    service desk, linked to the letter."""
    from tenants.services import RequestError, request_create

    if signatory_contact(user, delivery) is None:
        raise PermissionDenied
    letter = delivery.letter
    text = (description or "").strip()
    if not text:
        raise SignError(_("Say what your question is."))
    subject = (subject or "").strip() or _("Question about the letter %(number)s") % {"number": letter.doc_number}
    try:
        with transaction.atomic():
            sr = request_create(
                actor=user, tenant=delivery.tenant, category=RequestCategory.ENQUIRY, subject=subject[:200],
                description=f"{text}\n\n— {letter.doc_number}《{letter.title}》", request=request,
            )
            question = LetterQuestion.objects.create(delivery=delivery, service_request=sr)
            audit_record(actor=user, action="letter.question_raised", obj=letter, request=request,
                         details={"tenant": delivery.tenant.code, "request": sr.number})
    except (RequestError, ValidationError) as exc:
        raise SignError(str(exc)) from exc
    return question
