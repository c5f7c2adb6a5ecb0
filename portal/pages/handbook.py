"""Handbook editions: issuing one, its PDF, and tenants' acknowledgements."""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import centres_for, has_role
from portal.audit import audit_record, client_ip
from portal.models.accounts import Role
from portal.models.handbook import HandbookAcknowledgement, HandbookEdition, PdfStatus
from portal.models.pages import CentreHomePage, HandbookPage
from tenants.selectors.contacts import tenant_contacts_of

logger = logging.getLogger(__name__)

# Issuing an edition publishes a version of the handbook: the centre's web
# reviewers (and managers) do it, never an editor alone.
EDITION_ROLES = (Role.WEB_REVIEWER, Role.MANAGER)


class HandbookError(Exception):
    """The action cannot be done; the message says why."""


def handbooks_for_staff(user):
    """The handbooks whose editions `user` may issue and follow up."""
    homes = CentreHomePage.objects.filter(centre__in=centres_for(user, EDITION_ROLES))
    condition = Q(pk__in=[])
    for home in homes:
        condition |= Q(path__startswith=home.path)
    return HandbookPage.objects.filter(condition)


def handbook_edition_issue(*, actor, handbook: HandbookPage, changes: str, requires_ack: bool, ack_due: date | None = None) -> HandbookEdition:
    centre = handbook.centre
    if centre is None or not has_role(actor, centre, *EDITION_ROLES):
        raise PermissionDenied(_("Only the centre's web reviewers and managers issue handbook editions."))
    if not handbook.live or not handbook.chapters().exists():
        raise HandbookError(_("Publish the handbook and at least one chapter before issuing an edition."))
    if not changes.strip():
        raise HandbookError(_("Say what changed in this edition."))
    with transaction.atomic():
        HandbookPage.objects.select_for_update().filter(pk=handbook.pk).first()
        number = (handbook.editions.aggregate(n=Max("number"))["n"] or 0) + 1
        edition = HandbookEdition.objects.create(
            handbook=handbook, number=number, changes=changes.strip(), issued_at=timezone.now(), issued_by=actor,
            requires_ack=requires_ack, ack_due=ack_due if requires_ack else None,
        )
        audit_record(actor=actor, action="handbook.edition_issued", obj=edition, centre=centre,
                     details={"number": number, "requires_ack": requires_ack})
        from .tasks import handbook_render_pdf, handbook_send_ack_requests

        edition_id = edition.pk
        transaction.on_commit(lambda: handbook_render_pdf.delay(edition_id))
        if requires_ack:
            transaction.on_commit(lambda: handbook_send_ack_requests.delay(edition_id))
    return edition


def latest_edition(handbook: HandbookPage) -> HandbookEdition | None:
    return handbook.editions.order_by("-number").first()


def signatory_contacts_for(user, centre):
    """The user's signatory contact records at `centre` (one per tenant)."""
    return [c for c in tenant_contacts_of(user) if c.may_sign and c.tenant.centre_id == centre.pk]


def handbook_acknowledge(*, user, edition: HandbookEdition, request=None) -> list[HandbookAcknowledgement]:
    """Record the acknowledgement of every tenant the user signs for at the
    handbook's centre. Acknowledging twice is harmless: the database keeps
    one per tenant, and the second attempt changes nothing."""
    centre = edition.handbook.centre
    contacts = signatory_contacts_for(user, centre)
    if not contacts:
        raise PermissionDenied(_("Only a signatory of a tenant of this centre can acknowledge the handbook."))
    if not edition.requires_ack:
        raise HandbookError(_("This edition does not need to be acknowledged."))
    recorded = []
    for contact in contacts:
        try:
            with transaction.atomic():
                ack = HandbookAcknowledgement.objects.create(
                    edition=edition, tenant=contact.tenant, contact=contact, user=user,
                    at=timezone.now(), ip_address=client_ip(request),
                )
                audit_record(actor=user, action="handbook.acknowledged", obj=ack, centre=centre,
                             details={"edition": edition.number, "tenant": contact.tenant.code}, request=request)
        except IntegrityError:
            continue  # already acknowledged for this tenant (other device, double tap)
        recorded.append(ack)
    return recorded


def edition_pending_tenants(edition: HandbookEdition):
    """Current tenants of the centre that have not acknowledged the edition."""
    from tenants.models import Tenant

    return (
        Tenant.objects.current().filter(centre=edition.handbook.centre)
        .exclude(pk__in=edition.acknowledgements.values("tenant"))
        .order_by("code")
    )


def handbook_state_for(handbook: HandbookPage, user) -> dict:
    """What the handbook page shows this user: editions, the PDF, and whether
    the user still has to acknowledge the latest edition."""
    editions = list(handbook.editions.select_related("issued_by").order_by("-number"))
    latest = editions[0] if editions else None
    must_ack = False
    if latest is not None and latest.requires_ack and getattr(user, "is_authenticated", False):
        centre = handbook.centre
        tenant_ids = {c.tenant_id for c in signatory_contacts_for(user, centre)} if centre else set()
        done = set(latest.acknowledgements.filter(tenant_id__in=tenant_ids).values_list("tenant_id", flat=True))
        must_ack = bool(tenant_ids - done)
    return {"editions": editions, "latest_edition": latest, "must_acknowledge": must_ack}


# --- PDF ----------------------------------------------------------------------

def handbook_edition_render(edition_id: int) -> HandbookEdition | None:
    """Render the edition's PDF once and keep it; safe to run twice."""
    from .pdf import HandbookChapter, render_handbook_pdf

    edition = HandbookEdition.objects.select_related("handbook").filter(pk=edition_id).first()
    if edition is None or (edition.pdf_status == PdfStatus.READY and edition.pdf):
        return edition
    handbook = edition.handbook
    chapters = [HandbookChapter(title=c.title, body_html=c.body) for c in handbook.chapters()]
    centre = handbook.centre
    try:
        pdf = render_handbook_pdf(
            title=handbook.title, centre_name=centre.name, hotline=centre.hotline,
            edition_label=edition.label, issued_on=timezone.localtime(edition.issued_at).date(),
            intro_html=handbook.intro, chapters=chapters,
        )
    except Exception as exc:
        logger.exception("handbook edition %s: PDF render failed", edition_id)
        HandbookEdition.objects.filter(pk=edition_id).update(pdf_status=PdfStatus.FAILED, pdf_error=str(exc)[:300])
        raise
    with transaction.atomic():
        edition = HandbookEdition.objects.select_for_update().get(pk=edition_id)
        if edition.pdf_status == PdfStatus.READY and edition.pdf:
            return edition
        edition.pdf.save(f"handbook-{centre.code}-{edition.number}.pdf", ContentFile(pdf), save=False)
        edition.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        edition.pdf_status = PdfStatus.READY
        edition.pdf_error = ""
        edition.save(update_fields=["pdf", "pdf_sha256", "pdf_status", "pdf_error"])
    return edition
