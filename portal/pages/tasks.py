"""Background work of the published site: scheduled publishing, handbook PDFs
and acknowledgement requests/reminders. Every task takes ids and is safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def publish_scheduled_pages() -> None:
    """Wagtail's publish_scheduled, every minute from beat: approved pages whose
    go-live time has come go live, expired ones are unpublished. It only acts
    on rows whose time has passed, so a second run finds nothing to do."""
    call_command("publish_scheduled", verbosity=0)


@shared_task(acks_late=True, time_limit=240, soft_time_limit=200)
def handbook_render_pdf(edition_id: int) -> None:
    from .handbook import handbook_edition_render

    handbook_edition_render(edition_id)


def _signatory_emails(edition) -> list[tuple[str, str]]:
    from tenants.models import Contact

    pending = _pending(edition)
    contacts = Contact.objects.active().signatories().filter(tenant__in=pending).exclude(email="")
    return sorted({(c.email, c.tenant.trading_name) for c in contacts.select_related("tenant")})


def _pending(edition):
    from .handbook import edition_pending_tenants

    return edition_pending_tenants(edition)


def _mail_ack(edition, *, reminder: bool) -> int:
    handbook = edition.handbook
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + handbook.url
    sent = 0
    with translation.override("zh-hans"):
        subject = (_("Reminder: please acknowledge the tenant service handbook") if reminder
                   else _("New edition of the tenant service handbook: please acknowledge"))
        for email, shop in _signatory_emails(edition):
            body = _(
                "Dear %(shop)s,\n\n%(centre)s has issued %(edition)s of the tenant service handbook.\n"
                "What changed: %(changes)s\n\nPlease read it and acknowledge it here:\n%(link)s\n"
            ) % {"shop": shop, "centre": handbook.centre.name, "edition": edition.label, "changes": edition.changes, "link": link}
            send_mail(f"[{handbook.centre.name}] {subject}", body, None, [email])
            sent += 1
    return sent


@shared_task(acks_late=True)
def handbook_send_ack_requests(edition_id: int) -> int:
    from portal.models.handbook import HandbookEdition

    edition = HandbookEdition.objects.select_related("handbook").filter(pk=edition_id, requires_ack=True).first()
    if edition is None or edition.last_reminded_on == timezone.localdate():
        return 0
    # Stamped first: a redelivered task the same day sends nothing twice.
    updated = HandbookEdition.objects.filter(pk=edition_id).exclude(last_reminded_on=timezone.localdate()).update(
        last_reminded_on=timezone.localdate()
    )
    return _mail_ack(edition, reminder=False) if updated else 0


@shared_task(acks_late=True)
def handbook_ack_reminders() -> int:
    """Daily: remind signatories of tenants that have not acknowledged the
    latest edition that needs it (once a day at most, until it is done)."""
    from portal.models.handbook import HandbookEdition

    today = timezone.localdate()
    sent = 0
    for edition in HandbookEdition.objects.filter(requires_ack=True).select_related("handbook").order_by("handbook", "-number"):
        if edition.handbook.editions.filter(number__gt=edition.number, requires_ack=True).exists():
            continue  # superseded by a newer edition that must be acknowledged
        if HandbookEdition.objects.filter(pk=edition.pk).exclude(last_reminded_on=today).update(last_reminded_on=today):
            sent += _mail_ack(edition, reminder=True)
    return sent


@shared_task(acks_late=True)
def handbook_pdf_sweep() -> int:
    """Re-queue editions whose PDF is still missing ATRIUM_HANDBOOK_PDF_STUCK_MINUTES
    after issue (a worker died, or a render failed): the render is safe to run twice."""
    from datetime import timedelta

    from portal.models.handbook import HandbookEdition, PdfStatus

    stuck = HandbookEdition.objects.exclude(pdf_status=PdfStatus.READY).filter(
        issued_at__lt=timezone.now() - timedelta(minutes=settings.ATRIUM_HANDBOOK_PDF_STUCK_MINUTES)
    ).values_list("pk", flat=True)
    ids = list(stuck)
    for edition_id in ids:
        handbook_render_pdf.delay(edition_id)
    return len(ids)
