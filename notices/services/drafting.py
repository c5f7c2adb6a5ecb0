"""Drafting a letter outside the admin form: the one way any app creates one.

The fire-safety cycle (monthly notice, rectification letters), tenant meetings
(invitations) and the demo all draft letters. They go through this function so
that every letter starts the same way — saved with its first revision, audited
as drafted, and (when asked) submitted to the centre's approval chain as its
drafter — instead of each caller repeating the steps and forgetting one.
Letters typed by a drafter in the Wagtail admin go through Wagtail's own create
view, which saves the first revision and logs the creation itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from notices.models import Letter, RecipientMode
from notices.pdf.sanitize import text_losses
from notices.services.letters import LetterError
from portal.audit import audit_record


def letter_draft(
    *,
    centre,
    kind: str,
    drafter,
    department: str,
    title: str,
    body: str,
    addressee: str = "各位商户",
    recipient_mode: str = RecipientMode.ALL,
    recipient_tenants: Iterable = (),
    requires_receipt: bool = True,
    sign_by: date | None = None,
    submit: bool = False,
    actor=None,
    origin: str = "",
    details: dict | None = None,
    **recipients,
) -> Letter:
    """Create a draft letter with its first revision and audit it.

    `actor` is who caused the drafting (None for a scheduled task) and may
    differ from `drafter`, in whose name the letter is written and submitted.
    `origin` says which feature drafted it (e.g. "fire.notice"); `recipients`
    takes the mode's own fields (recipient_tiers, recipient_floors, …).
    With `submit=True` the letter enters the approval chain at once, as the
    drafter; the caller's transaction covers both, so a failure leaves no
    half-submitted draft. A body whose words would not all reach the sealed
    PDF is refused, as the admin form refuses it."""
    loss = text_losses(body)
    if loss is not None:
        raise LetterError(_("Part of the text would be missing from the sealed letter: “%(text)s”. Remove the "
                            "markup around it.") % {"text": loss.text[:100]})
    with transaction.atomic():
        letter = Letter(
            centre=centre, kind=kind, department=department, drafter=drafter, title=title[:200],
            addressee=addressee, body=body, recipient_mode=recipient_mode, requires_receipt=requires_receipt,
            sign_by=sign_by, live=False, **recipients,
        )
        # A ParentalManyToManyField is held in memory until save().
        letter.recipient_tenants.set(list(recipient_tenants))
        letter.save()
        letter.save_revision(user=drafter)
        audit_record(
            actor=actor, action="letter.drafted", obj=letter,
            details={"origin": origin, "kind": kind, "drafter": drafter.email, **(details or {})},
        )
        if submit:
            letter.get_workflow().start(letter, drafter)
    return letter
