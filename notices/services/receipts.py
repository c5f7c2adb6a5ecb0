"""Signing for a letter (签收): viewing, the receipt with its evidence, and the
paper sign-off recorded by staff. The one-time codes are in notices.services.sign_codes,
the receipt certificate in notices.services.receipt_certificates, and the question a
tenant may raise instead of signing in notices.services.letter_questions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from notices.models import (
    CertificateState,
    Delivery,
    Receipt,
    SignMethod,
)
from portal.access import has_role
from portal.audit import audit_record, client_ip
from portal.models.accounts import Role
from portal.uploads import DOCUMENT_KINDS, safe_name, upload_sha256, validate_upload
from tenants.models import Contact
from tenants.selectors.contacts import tenant_contacts_of

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
    # Only the delivery's row: a plain FOR UPDATE would lock the joined letter
    # and tenant rows too, and every signature of one letter would queue there.
    return Delivery.objects.select_for_update(of=("self",)).select_related("letter", "tenant").get(pk=delivery.pk)


def existing_receipt(delivery: Delivery) -> Receipt | None:
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


# --- confirming with a password -------------------------------------------------


def _check_password(delivery: Delivery, user, password: str) -> tuple[bool, str, str]:
    # Wrong passwords are limited like wrong codes, per person — not per
    # letter, or a tenant with N letters to sign would give a guesser N times
    # the attempts — so the signing form cannot be used to guess a password.
    key = f"atrium:sign-password:{user.pk}"
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
    locked while the receipt is written, and the database refuses a second
    receipt anyway. Credentials are checked before that lock (a password hash
    takes a good part of a second), so devices signing the same letter never
    wait on each other's hashing."""
    contact = signatory_contact(user, delivery)
    if contact is None:
        raise PermissionDenied
    if not delivery.letter.requires_receipt:
        raise SignError(_("This letter does not need to be signed for."))
    if (pdf_sha256 or "").strip().lower() != delivery.pdf_sha256:
        raise SignError(_("The document you were shown is not the one delivered. Reload the page and read it again."))
    if not code and not password:
        raise SignError(_("Enter the code we sent you, or your password."))
    existing = existing_receipt(delivery)
    if existing is not None:  # signed on another device: say so, hash nothing
        raise AlreadySigned(existing)
    try:
        if code:
            ok, message, receipt = _sign_with_code(delivery, user, contact, code, request)
        else:
            ok, method, message = _check_password(delivery, user, password)
            receipt = _record_online_receipt(delivery, user, contact, method, request) if ok else None
    except IntegrityError:
        # Another device won the race between our check and our insert.
        existing = existing_receipt(delivery)
        if existing is None:
            raise
        raise AlreadySigned(existing) from None
    if not ok:
        # A device that lost the race finds its code spent by the winner:
        # it is told the letter is signed, not that its code is wrong.
        existing = existing_receipt(delivery)
        if existing is not None:
            raise AlreadySigned(existing)
        audit_record(actor=user, action="letter.sign_refused", obj=delivery.letter, request=request,
                     details={"tenant": delivery.tenant.code, "reason": str(message)})
        raise SignError(message)
    return receipt


def _sign_with_code(delivery: Delivery, user, contact: Contact, code: str, request) -> tuple[bool, str, Receipt | None]:
    """The code is spent in the transaction that writes the receipt: a device
    that loses the race (AlreadySigned) rolls back and leaves the code unspent.
    A wrong code's attempt is counted and committed."""
    # sign_codes builds on this module, so it is imported here.
    from notices.services.sign_codes import sign_code_check

    with transaction.atomic():
        ok, method, message = sign_code_check(delivery, user, code)  # locks this person's code row only
        receipt = _record_online_receipt(delivery, user, contact, method, request) if ok else None
    return ok, message, receipt


def _record_online_receipt(delivery: Delivery, user, contact: Contact, method: str, request) -> Receipt:
    """The only part under the delivery's row lock: re-check, insert, evidence."""
    with transaction.atomic():
        locked = _lock(delivery)
        existing = existing_receipt(locked)
        if existing is not None:
            raise AlreadySigned(existing)
        return _create_online_receipt(locked, user, contact, method, request)


def _create_online_receipt(delivery: Delivery, user, contact: Contact, method: str, request) -> Receipt:
    now = timezone.now()
    ua = request.META.get("HTTP_USER_AGENT", "")[:500] if request is not None else ""
    with transaction.atomic():  # a savepoint: IntegrityError leaves the outer transaction usable
        receipt = Receipt.objects.create(
            delivery=delivery, letter=delivery.letter, tenant=delivery.tenant, method=method, signer=user,
            signer_name=contact.name or user.get_full_name() or user.email, signed_at=now,
            ip_address=client_ip(request), user_agent=ua, pdf_sha256=delivery.pdf_sha256,
            certificate_language=(get_language() or "") if request is not None else "",
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
    """Receipts whose certificate is not made and is due another try: still
    pending ATRIUM_CERTIFICATE_STUCK_MINUTES after the receipt (its task lost
    or killed), or failed and past the retry time its last failure set."""
    older_than = older_than if older_than is not None else timedelta(minutes=settings.ATRIUM_CERTIFICATE_STUCK_MINUTES)
    now = timezone.now()
    lost = Q(certificate_state=CertificateState.PENDING, recorded_at__lte=now - older_than)
    due = Q(certificate_state=CertificateState.FAILED) & (Q(certificate_retry_at__isnull=True) | Q(certificate_retry_at__lte=now))
    return Receipt.objects.filter(lost | due)


CERTIFICATE_RETRY_CAP = timedelta(hours=6)


def certificate_retry_at(attempts: int, now: datetime) -> datetime:
    """When a certificate that failed ``attempts`` times is tried again: the
    stuck threshold, doubled after each failure, at most six hours apart —
    a fixed seal or a timestamp server back up is picked up the same day,
    and a lasting fault costs a few renders a day instead of one a minute."""
    first = timedelta(minutes=settings.ATRIUM_CERTIFICATE_STUCK_MINUTES)
    return now + min(first * 2 ** max(attempts - 1, 0), CERTIFICATE_RETRY_CAP)


def queue_certificate(receipt_id: int) -> None:
    from notices.tasks import receipt_certificate_task

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
            existing = existing_receipt(locked)
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
        existing = existing_receipt(delivery)
        if existing is None:
            raise
        raise AlreadySigned(existing) from None
    return receipt


