"""Handbook editions: issuing one, its PDF, and tenants' acknowledgements."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.db.models.lookups import StartsWith
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import centres_for, has_role
from portal.audit import audit_record, client_ip
from portal.models.accounts import Role
from portal.models.handbook import HandbookAcknowledgement, HandbookEdition, PdfStatus
from portal.models.pages import CentreHomePage, HandbookPage
from portal.outbox import send_once
from portal.pages.site import public_url
from portal.pdf.kept import (
    PDF_FIELDS,
    keep_pdf,
    kept_name,
    missing_a_language,
    pdf_language,
    queue_each_language,
)
from portal.pdf.render import failure_kept
from tenants.models import Contact
from tenants.selectors.contacts import tenant_contacts_of

# Issuing an edition publishes a version of the handbook: the centre's web
# reviewers (and managers) do it, never an editor alone.
EDITION_ROLES = (Role.WEB_REVIEWER, Role.MANAGER)


class HandbookError(Exception):
    """The action cannot be done; the message says why."""


def handbooks_for_staff(user):
    """The handbooks whose editions `user` may issue and follow up: those
    below the home page of a centre where `user` holds an edition role. One
    query wherever it is used (the admin menu asks on every page)."""
    homes = CentreHomePage.objects.filter(
        StartsWith(OuterRef("path"), F("path")), centre__in=centres_for(user, EDITION_ROLES)
    )
    return HandbookPage.objects.filter(Exists(homes))


def attach_centre_homes(pages) -> None:
    """Set each page's `centre_home` (hence `.centre`) from one query, for a
    listing of pages of several centres that would otherwise ask per page."""
    steplen = CentreHomePage.steplen

    def ancestors(page):  # shallowest first, as `centre_home` looks them up
        return [page.path[:end] for end in range(steplen, len(page.path) + 1, steplen)]

    wanted = {path for page in pages for path in ancestors(page)}
    homes = {home.path: home for home in CentreHomePage.objects.filter(path__in=wanted).select_related("centre")}
    for page in pages:
        page.__dict__["centre_home"] = next((homes[path] for path in ancestors(page) if path in homes), None)


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
        transaction.on_commit(lambda: queue_each_language(handbook_render_pdf, edition_id, list(PDF_FIELDS)))
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


# --- acknowledgement requests and reminders -------------------------------------

def _signatory_emails(edition) -> list[tuple[str, str]]:
    pending = edition_pending_tenants(edition)
    contacts = Contact.objects.active().signatories().filter(tenant__in=pending).exclude(email="")
    return sorted({(c.email, c.tenant.trading_name) for c in contacts.select_related("tenant")})


def _mail_ack(edition, *, reminder: bool) -> int:
    """Each address once per edition, kind and day (portal.outbox): a rerun
    the same day sends only what a killed worker had not handed over."""
    handbook = edition.handbook
    day = timezone.localdate().isoformat()
    link = public_url(handbook)
    sent = 0
    with translation.override("zh-hans"):
        subject = (_("Reminder: please acknowledge the tenant service handbook") if reminder
                   else _("New edition of the tenant service handbook: please acknowledge"))
        for email, shop in _signatory_emails(edition):
            body = _(
                "Dear %(shop)s,\n\n%(centre)s has issued %(edition)s of the tenant service handbook.\n"
                "What changed: %(changes)s\n\nPlease read it and acknowledge it here:\n%(link)s\n"
            ) % {"shop": shop, "centre": handbook.centre.name, "edition": edition.label, "changes": edition.changes, "link": link}
            message = EmailMessage(f"[{handbook.centre.name}] {subject}", body, None, [email])
            key = f"handbook:{edition.pk}:{'reminder' if reminder else 'request'}:{day}:{email.lower()}"
            sent += send_once(key, emails=[message])
    return sent


def handbook_ack_requests_send(edition_id: int) -> int:
    """Ask the signatories of every tenant yet to acknowledge a new edition;
    once a day at most."""
    edition = HandbookEdition.objects.select_related("handbook").filter(pk=edition_id, requires_ack=True).first()
    if edition is None:
        return 0
    # Stamped first, so the daily reminder leaves today alone; a redelivered
    # task the same day resumes, and _mail_ack sends each address once.
    HandbookEdition.objects.filter(pk=edition_id).exclude(last_reminded_on=timezone.localdate()).update(
        last_reminded_on=timezone.localdate()
    )
    return _mail_ack(edition, reminder=False)


def handbook_ack_reminders_send() -> int:
    """Remind signatories of tenants that have not acknowledged the latest
    edition that needs it (once a day at most, until it is done)."""
    today = timezone.localdate()
    sent = 0
    for edition in HandbookEdition.objects.filter(requires_ack=True).select_related("handbook").order_by("handbook", "-number"):
        if edition.handbook.editions.filter(number__gt=edition.number, requires_ack=True).exists():
            continue  # superseded by a newer edition that must be acknowledged
        if HandbookEdition.objects.filter(pk=edition.pk).exclude(last_reminded_on=today).update(last_reminded_on=today):
            sent += _mail_ack(edition, reminder=True)
    return sent


# --- PDF ----------------------------------------------------------------------
#
# One file per language, each made by its own task (portal.pdf.kept says why).

def handbook_edition_render(edition_id: int, language: str | None = None) -> HandbookEdition | None:
    """Render the edition's PDF in `language` (Chinese by default) once and
    keep it; safe to run twice. The edition is ready once every language is."""
    from .pdf import HandbookChapter, render_handbook_pdf

    language = pdf_language(language)
    edition = HandbookEdition.objects.select_related("handbook").filter(pk=edition_id).first()
    if edition is None or edition.pdf_in(language):
        return edition
    handbook = edition.handbook
    chapters = [HandbookChapter(title=c.title, body_html=c.body) for c in handbook.chapters()]
    centre = handbook.centre
    with failure_kept(HandbookEdition.objects.filter(pk=edition_id), f"handbook edition {edition_id} ({language})",
                      error_field="pdf_error", pdf_status=PdfStatus.FAILED):
        pdf = render_handbook_pdf(
            language=language, title=handbook.title, centre_name=centre.name, hotline=centre.hotline,
            edition_number=edition.number, issued_on=timezone.localtime(edition.issued_at).date(),
            intro_html=handbook.intro, chapters=chapters,
        )
    return keep_pdf(HandbookEdition, edition_id, language=language, pdf=pdf,
                    name=kept_name(f"handbook-{centre.code}-{edition.number}", language),
                    done={"pdf_status": PdfStatus.READY, "pdf_error": ""})


def handbook_pdf_requeue_missing() -> int:
    """Re-queue editions still without the PDF of a language
    ATRIUM_HANDBOOK_PDF_STUCK_MINUTES after issue (a worker died, a render
    failed, or the edition predates its English file); each render is safe to
    run twice. Returns how many editions."""
    from .tasks import handbook_render_pdf

    stuck = list(HandbookEdition.objects.filter(
        missing_a_language(),
        issued_at__lt=timezone.now() - timedelta(minutes=settings.ATRIUM_HANDBOOK_PDF_STUCK_MINUTES),
    ).only("pk", *(field for field, _sha in PDF_FIELDS.values())))
    for edition in stuck:
        queue_each_language(handbook_render_pdf, edition.pk, edition.languages_missing())
    return len(stuck)
