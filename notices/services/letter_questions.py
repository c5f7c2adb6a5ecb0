"""A question instead of a signature: the tenant asks about the letter in the
service desk."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from notices.models import (
    Delivery,
    LetterQuestion,
)
from notices.services.receipts import SignError, signatory_contact
from portal.audit import audit_record
from tenants.models import RequestCategory


def letter_question_raise(
    *, delivery: Delivery, user, subject: str, description: str, request: HttpRequest | None = None
) -> LetterQuestion:
    """The tenant asks about the letter instead of signing: a request in the
    service desk, linked to the letter."""
    from tenants.services.requests import RequestError, request_create

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
