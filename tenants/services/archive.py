"""Writes of the tenant archive's documents and confidential access. Same
shape as the service desk: a transaction, a state guard, a permission check,
an audit event."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role, User
from portal.uploads import DOCUMENT_KINDS, safe_name, upload_sha256, validate_upload
from tenants.models import (
    AccessGrantStatus,
    ArchiveAccessGrant,
    ArchiveDocument,
    Confidentiality,
    DocumentKind,
    ExpiryReminder,
    Tenant,
)
from tenants.selectors.archive import has_confidential_permission, may_see_confidential
from tenants.selectors.directory import ARCHIVE_EDIT_ROLES, tenants_visible_to
from tenants.services import whole_number_between

REMINDER_DAYS = (90, 30, 7)


class ArchiveError(Exception):
    """The change is not possible now; the message says why."""




def document_upload(
    *,
    actor,
    tenant: Tenant,
    kind: str,
    title: str,
    upload,
    issued_on: date | None = None,
    expires_on: date | None = None,
    confidentiality: str = Confidentiality.NORMAL,
    tenant_renews: bool = False,
    replaces: ArchiveDocument | None = None,
    request: HttpRequest | None = None,
) -> ArchiveDocument:
    """File a document in a tenant's archive, or a new version of one. The
    file is judged by its bytes; the predecessor is kept, marked superseded."""
    if tenant is None or not has_role(actor, tenant.centre, *ARCHIVE_EDIT_ROLES):
        raise PermissionDenied
    if kind not in DocumentKind.values or confidentiality not in Confidentiality.values:
        raise ArchiveError(_("Choose a valid kind and confidentiality."))
    if issued_on and expires_on and expires_on < issued_on:
        raise ArchiveError(_("A document cannot expire before it was issued."))
    if confidentiality == Confidentiality.CONFIDENTIAL and not may_see_confidential(actor, tenant):
        raise PermissionDenied
    ext = validate_upload(upload, kinds=DOCUMENT_KINDS)
    digest = upload_sha256(upload)
    with transaction.atomic():
        previous = None
        if replaces is not None:
            previous = ArchiveDocument.objects.select_for_update().get(pk=replaces.pk)
            if previous.tenant_id != tenant.pk:
                raise ArchiveError(_("The document replaced belongs to another tenant."))
            if previous.superseded_at is not None:
                raise ArchiveError(_("This document was already replaced by a newer version."))
            if previous.is_confidential and not may_see_confidential(actor, tenant):
                raise PermissionDenied
            previous.superseded_at = timezone.now()
            # The field history names the actor even outside a request (a task, a command).
            previous._history_user = actor
            previous.save(update_fields=["superseded_at"])
        doc = ArchiveDocument(
            tenant=tenant, kind=kind, title=(title or "").strip()[:200] or DocumentKind(kind).label,
            original_name=(getattr(upload, "name", "") or "")[:255], size=upload.size, sha256=digest,
            issued_on=issued_on, expires_on=expires_on, confidentiality=confidentiality, tenant_renews=tenant_renews,
            replaces=previous, uploaded_by=actor,
        )
        doc.file.save(safe_name(doc.original_name, ext), File(upload), save=False)
        doc._history_user = actor
        doc.save()
        audit_record(
            actor=actor, action="archive.document_replaced" if previous else "archive.document_uploaded", obj=doc,
            request=request, details={"sha256": digest, "size": doc.size, "replaces": getattr(previous, "pk", None),
                                      "confidential": doc.is_confidential},
        )
    return doc


def document_open(*, actor, document: ArchiveDocument, request: HttpRequest | None = None):
    """Open a document's file for `actor`, recording the download."""
    if not tenants_visible_to(actor).filter(pk=document.tenant_id).exists():
        raise PermissionDenied
    if document.is_confidential and not may_see_confidential(actor, document.tenant):
        raise PermissionDenied
    handle = document.file.open("rb")
    audit_record(actor=actor, action="archive.document_downloaded", obj=document, request=request,
                 details={"confidential": document.is_confidential})
    return handle


# --- time-limited access to confidential records ---------------------------------------


def access_request(
    *, actor, tenant: Tenant, reason: str, hours: int = 24, request: HttpRequest | None = None
) -> ArchiveAccessGrant:
    if tenant is None or not tenants_visible_to(actor).filter(pk=tenant.pk).exists():
        raise PermissionDenied
    if has_confidential_permission(actor):
        raise ArchiveError(_("You already have access to confidential records."))
    if not (reason or "").strip():
        raise ArchiveError(_("Say why you need access."))
    hours = whole_number_between(hours, 1, 168)
    if hours is None:
        raise ArchiveError(_("Access can be asked for 1 to 168 hours."))
    with transaction.atomic():
        if ArchiveAccessGrant.objects.filter(tenant=tenant, requested_by=actor, status=AccessGrantStatus.PENDING).exists():
            raise ArchiveError(_("You have already asked for access to this tenant's records."))
        grant = ArchiveAccessGrant.objects.create(tenant=tenant, requested_by=actor, reason=reason.strip(), hours=hours)
        audit_record(actor=actor, action="archive.access_requested", obj=grant, request=request,
                     details={"tenant": tenant.pk, "hours": hours})
    return grant


def access_decide(
    *, actor, grant: ArchiveAccessGrant, approve: bool, request: HttpRequest | None = None
) -> ArchiveAccessGrant:
    """A manager of the tenant's centre grants or refuses; never their own."""
    with transaction.atomic():
        grant = ArchiveAccessGrant.objects.select_for_update().select_related("tenant__centre").get(pk=grant.pk)
        if not has_role(actor, grant.tenant.centre, Role.MANAGER) or grant.requested_by_id == actor.pk:
            raise PermissionDenied
        if grant.status != AccessGrantStatus.PENDING:
            raise ArchiveError(_("This request has already been decided."))
        now = timezone.now()
        grant.status = AccessGrantStatus.GRANTED if approve else AccessGrantStatus.REFUSED
        grant.decided_by, grant.decided_at = actor, now
        grant.expires_at = now + timedelta(hours=grant.hours) if approve else None
        grant.save()
        audit_record(actor=actor, action="archive.access_granted" if approve else "archive.access_refused", obj=grant,
                     request=request, details={"requested_by": grant.requested_by_id, "expires_at": grant.expires_at})
    return grant


# --- expiry reminders --------------------------------------------------------------


def document_expiry_reminders(*, today: date | None = None) -> int:
    """Remind staff (and the tenant's signatories for what they renew) 90,
    30 and 7 days before a current document expires. Each threshold is
    reminded once per document; a document filed late gets only the
    nearest threshold, not three reminders at once."""
    today = today or timezone.localdate()
    sent = 0
    docs = ArchiveDocument.objects.expiring_within(max(REMINDER_DAYS), today=today).filter(
        expires_on__gte=today
    ).select_related("tenant__centre")
    for doc in docs.iterator(chunk_size=500):
        days_left = doc.days_left(today)
        threshold = min(d for d in REMINDER_DAYS if d >= days_left)
        if doc.reminders.filter(days__lte=threshold).exists():
            continue
        # The operations staff of the centre keep the archive; an operator-wide
        # manager would drown in every centre's certificates.
        staff = User.objects.filter(
            is_active=True, memberships__centre=doc.tenant.centre, memberships__role=Role.OPERATIONS,
            memberships__active=True,
        ).distinct()
        emails = {u.email for u in staff if u.email}
        if doc.tenant_renews:
            emails |= set(doc.tenant.contacts.signatories().exclude(email="").values_list("email", flat=True))
        recipients = sorted(emails)
        with transaction.atomic():
            reminder, created = ExpiryReminder.objects.get_or_create(
                document=doc, days=threshold, defaults={"recipients": recipients}
            )
            if not created:
                continue
            audit_record(actor=None, action="archive.expiry_reminded", obj=doc,
                         details={"days": threshold, "expires_on": doc.expires_on, "recipients": recipients})
            transaction.on_commit(functools.partial(_mail_expiry, doc, recipients, threshold))
        sent += 1
    return sent


def _mail_expiry(doc: ArchiveDocument, emails: list[str], days: int) -> None:
    if not emails:
        return
    with translation.override("zh-hans"):
        # Confidential titles stay out of the mail: it may reach a tenant's
        # shared inbox; the kind and the date are enough to act on.
        subject = _("%(kind)s of %(tenant)s expires on %(date)s") % {
            "kind": doc.get_kind_display(), "tenant": doc.tenant.trading_name, "date": doc.expires_on,
        }
        body = _("%(kind)s of %(tenant)s expires in %(days)s days (%(date)s). Please arrange its renewal.") % {
            "kind": doc.get_kind_display(), "tenant": doc.tenant.trading_name, "days": days, "date": doc.expires_on,
        }
    send_mail(subject, body, None, emails)
