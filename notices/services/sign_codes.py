"""One-time codes for signing a letter: asked for by the signatory, made and
sent by a task, checked when they sign (notices.services.receipts)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import (
    Delivery,
    SignCode,
    SignMethod,
)
from notices.services.receipts import (
    AlreadySigned,
    SignError,
    existing_receipt,
    signatory_contact,
)
from portal.audit import audit_record


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
    existing = existing_receipt(delivery)
    if existing:
        raise AlreadySigned(existing)
    now = timezone.now()
    if SignCode.objects.filter(delivery=delivery, user=user, created_at__gt=now - timedelta(seconds=60)).exists():
        raise SignError(_("A code was sent less than a minute ago. Please wait for it before asking for another."))
    from notices.tasks import send_sign_code_task

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
    from notices.services.messaging import send_sign_code

    send_sign_code(delivery=sign_code.delivery, user=sign_code.user, channel=sign_code.channel, code=code, contact=contact)
    return True


def sign_code_check(delivery: Delivery, user, code: str) -> tuple[bool, str, str]:
    """(ok, method, message). Locks only this person's latest code row, not
    the delivery: two devices with one code queue here, the second finds it
    spent. Counts a wrong attempt; the caller's transaction must commit for
    the count to stick, and spends a right code only if it commits."""
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
