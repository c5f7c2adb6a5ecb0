"""Writes of the service desk. Each state change is one function: it runs in a
transaction, locks the request row, checks the current state and the actor's
right to act, writes a timeline entry and an audit event. Views, admin
screens, tasks and the demo data all call these same functions."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.access import has_role
from portal.audit import audit_record
from portal.uploads import safe_name, validate_photos
from tenants.contacts import tenant_contacts_of

from .models import (
    Channel,
    Contact,
    DeadlineAlert,
    DeadlinePolicy,
    Milestone,
    RequestCategory,
    RequestEntry,
    RequestPhoto,
    RequestStatus,
    ServiceRequest,
    Severity,
    Tenant,
)
from .selectors import (
    REQUEST_HANDLE_ROLES,
    assignable_staff,
    centre_managers,
    requests_visible_to_staff,
)

log = logging.getLogger(__name__)


class RequestError(Exception):
    """A request cannot change this way now (wrong state, bad value). The
    message is meant for the person who tried."""


# --- who may do what ------------------------------------------------------------


def _is_handler(user, centre) -> bool:
    return has_role(user, centre, *REQUEST_HANDLE_ROLES)


def _contact_for(user, tenant: Tenant) -> Contact | None:
    return tenant_contacts_of(user).filter(tenant=tenant).first()


def _may_work_on(user, sr: ServiceRequest) -> bool:
    return _is_handler(user, sr.centre) or (sr.assignee_id is not None and sr.assignee_id == getattr(user, "pk", None)
                                            and requests_visible_to_staff(user).filter(pk=sr.pk).exists())


def _lock(sr: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("centre", "tenant").get(pk=sr.pk)




def _save_photos(sr: ServiceRequest, entry: RequestEntry, checked: list, actor) -> None:
    for upload, ext in checked:
        photo = RequestPhoto(request=sr, entry=entry, uploaded_by=actor)
        photo.file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
        photo.save()


# --- create ---------------------------------------------------------------------


def request_create(
    *,
    actor,
    tenant: Tenant,
    category: str,
    subject: str,
    description: str,
    channel: str = Channel.PORTAL,
    severity: str = Severity.ORDINARY,
    contact: Contact | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    department: str = "",
    assignee=None,
    photos: Iterable = (),
    received_at: datetime | None = None,
    request: HttpRequest | None = None,
) -> ServiceRequest:
    """Record a request. Staff of the centre record it from any channel; a
    tenant contact raises one for their own tenant through the portal."""
    if tenant is None:
        raise RequestError(_("Choose the tenant the request is from."))
    centre = tenant.centre
    by_tenant = False
    if not _is_handler(actor, centre):
        own = _contact_for(actor, tenant)
        if own is None:
            raise PermissionDenied
        by_tenant = True
        # A tenant speaks for themselves, through the portal, and cannot
        # assign staff or back-date what they say.
        channel, contact, department, assignee, received_at = Channel.PORTAL, own, "", None, None
    if category not in RequestCategory.values or channel not in Channel.values or severity not in Severity.values:
        raise RequestError(_("Choose a valid channel, category and severity."))
    if not (subject or "").strip() or not (description or "").strip():
        raise RequestError(_("Say what the request is about."))
    if contact is not None and contact.tenant_id != tenant.pk:
        raise RequestError(_("The contact belongs to another tenant."))
    if assignee is not None and not assignable_staff(centre).filter(pk=assignee.pk).exists():
        raise RequestError(_("The person assigned does not work for this centre."))
    checked = validate_photos(photos)

    now = timezone.now()
    received = received_at or now
    if received > now:
        raise RequestError(_("The time received cannot be in the future."))
    deadlines = DeadlinePolicy.for_centre(centre)
    is_complaint = category == RequestCategory.COMPLAINT
    with transaction.atomic():
        sr = ServiceRequest.objects.create(
            centre=centre, tenant=tenant, number=f"tmp-{uuid.uuid4().hex}",
            contact=contact, contact_name=contact_name or (contact.name if contact else ""),
            contact_phone=contact_phone or (contact.phone if contact else ""),
            channel=channel, category=category, severity=severity if is_complaint else Severity.ORDINARY,
            subject=subject.strip()[:200], description=description.strip(), department=department or "",
            assignee=assignee, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=received,
            response_due=received + deadlines.response,
            answer_due=received + deadlines.answer if is_complaint and severity == Severity.MAJOR else None,
            resolution_due=received + deadlines.resolution if is_complaint and severity != Severity.MAJOR else None,
        )
        # The number comes from the row id: unique without a counter to lock.
        sr.number = f"{centre.code}-{received.astimezone(timezone.get_current_timezone()):%Y%m}-{sr.pk:06d}"
        sr.save(update_fields=["number"])
        entry = RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.CREATED, author=sr.created_by, by_tenant=by_tenant,
            body=sr.description, to_status=RequestStatus.NEW, created_at=received,
        )
        _save_photos(sr, entry, checked, actor)
        audit_record(
            actor=actor, action="request.created", obj=sr, request=request,
            details={"channel": channel, "category": category, "severity": sr.severity, "by_tenant": by_tenant},
        )
    return sr


# --- replies, notes, assignment ---------------------------------------------------


def request_reply(
    *,
    actor,
    service_request: ServiceRequest,
    body: str,
    internal: bool = False,
    initial_answer: bool = False,
    photos: Iterable = (),
    request: HttpRequest | None = None,
) -> RequestEntry:
    """A reply on the timeline. A staff reply to the tenant is the first
    response; marked as the initial processing opinion it also meets a major
    complaint's 48-hour answer. Internal notes are staff-only."""
    if not (body or "").strip():
        raise RequestError(_("Write something first."))
    checked = validate_photos(photos)
    with transaction.atomic():
        sr = _lock(service_request)
        staff = _may_work_on(actor, sr)
        if not staff and _contact_for(actor, sr.tenant) is None:
            raise PermissionDenied
        if not sr.is_open:
            raise RequestError(_("This request is closed. Reopen it to continue."))
        if internal and not staff:
            raise PermissionDenied
        now = timezone.now()
        from_status = sr.status
        changed = []
        if staff and not internal:
            if sr.responded_at is None:
                sr.responded_at = now
                changed.append("responded_at")
            if initial_answer and sr.answer_due and sr.answered_at is None:
                sr.answered_at = now
                changed.append("answered_at")
            if sr.status == RequestStatus.NEW:
                sr.status = RequestStatus.IN_PROGRESS
                changed.append("status")
        if changed:
            sr.save(update_fields=changed)
        entry = RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.NOTE if internal else RequestEntry.Kind.REPLY, author=actor,
            by_tenant=not staff, body=body.strip(), public=not internal,
            from_status=from_status if "status" in changed else "", to_status=sr.status if "status" in changed else "",
        )
        _save_photos(sr, entry, checked, actor)
        audit_record(
            actor=actor, action="request.noted" if internal else "request.replied", obj=sr, request=request,
            details={"by_tenant": not staff, "initial_answer": "answered_at" in changed},
        )
    service_request.refresh_from_db()
    return entry


def request_assign(
    *, actor, service_request: ServiceRequest, assignee=None, department: str = "", request: HttpRequest | None = None
) -> ServiceRequest:
    with transaction.atomic():
        sr = _lock(service_request)
        if not _is_handler(actor, sr.centre):
            raise PermissionDenied
        if not sr.is_open:
            raise RequestError(_("This request is closed. Reopen it to continue."))
        if assignee is not None and not assignable_staff(sr.centre).filter(pk=assignee.pk).exists():
            raise RequestError(_("The person assigned does not work for this centre."))
        sr.assignee, sr.department = assignee, department or ""
        sr.save(update_fields=["assignee", "department"])
        label = ", ".join(x for x in [sr.get_department_display() if sr.department else "", str(assignee or "")] if x)
        RequestEntry.objects.create(request=sr, kind=RequestEntry.Kind.ASSIGNED, author=actor, body=label, public=True)
        audit_record(
            actor=actor, action="request.assigned", obj=sr, request=request,
            details={"assignee": getattr(assignee, "pk", None), "department": sr.department},
        )
    service_request.refresh_from_db()
    return sr


# --- close, reopen, rate ------------------------------------------------------------


def request_close(
    *, actor, service_request: ServiceRequest, resolution: str, request: HttpRequest | None = None
) -> ServiceRequest:
    """Close with the outcome told to the tenant. Closing answers the
    request, so it also meets any response not yet given."""
    if not (resolution or "").strip():
        raise RequestError(_("Say how the request was resolved."))
    with transaction.atomic():
        sr = _lock(service_request)
        if not _may_work_on(actor, sr):
            raise PermissionDenied
        if not sr.is_open:
            raise RequestError(_("This request is already closed."))
        now = timezone.now()
        from_status = sr.status
        sr.status, sr.closed_at = RequestStatus.CLOSED, now
        sr.responded_at = sr.responded_at or now
        if sr.answer_due:
            sr.answered_at = sr.answered_at or now
        sr.save(update_fields=["status", "closed_at", "responded_at", "answered_at"])
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.STATUS, author=actor, body=resolution.strip(),
            from_status=from_status, to_status=RequestStatus.CLOSED,
        )
        audit_record(actor=actor, action="request.closed", obj=sr, request=request)
    service_request.refresh_from_db()
    return sr


def request_reopen(
    *, actor, service_request: ServiceRequest, reason: str, request: HttpRequest | None = None
) -> ServiceRequest:
    """Reopen a closed request. A complaint reopened is a repeat complaint
    (二次投诉): it is counted, and its deadlines start again."""
    if not (reason or "").strip():
        raise RequestError(_("Say why the request is reopened."))
    with transaction.atomic():
        sr = _lock(service_request)
        by_tenant = _contact_for(actor, sr.tenant) is not None and not _may_work_on(actor, sr)
        if not by_tenant and not _is_handler(actor, sr.centre):
            raise PermissionDenied
        if sr.is_open:
            raise RequestError(_("This request is still open."))
        now = timezone.now()
        deadlines = DeadlinePolicy.for_centre(sr.centre)
        sr.status, sr.closed_at = RequestStatus.IN_PROGRESS, None
        sr.reopen_count += 1
        # The earlier rating judged an outcome that did not last.
        sr.rating, sr.rating_comment, sr.rated_at, sr.rated_by = None, "", None, None
        if sr.category == RequestCategory.COMPLAINT:
            sr.is_repeat_complaint = True
            if sr.severity == Severity.MAJOR:
                sr.answer_due, sr.answered_at = now + deadlines.answer, None
            else:
                sr.resolution_due = now + deadlines.resolution
        sr.save()
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.STATUS, author=actor, by_tenant=by_tenant, body=reason.strip(),
            from_status=RequestStatus.CLOSED, to_status=RequestStatus.IN_PROGRESS,
        )
        audit_record(
            actor=actor, action="request.reopened", obj=sr, request=request,
            details={"repeat_complaint": sr.is_repeat_complaint, "reopen_count": sr.reopen_count, "by_tenant": by_tenant},
        )
    service_request.refresh_from_db()
    return sr


def request_rate(
    *, actor, service_request: ServiceRequest, rating: int, comment: str = "", request: HttpRequest | None = None
) -> ServiceRequest:
    """The tenant rates the outcome of a closed request, once."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise RequestError(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        sr = _lock(service_request)
        if _contact_for(actor, sr.tenant) is None:
            raise PermissionDenied
        if sr.is_open:
            raise RequestError(_("A request can be rated once it is closed."))
        if sr.rated_at is not None:
            raise RequestError(_("This request has already been rated."))
        sr.rating, sr.rating_comment, sr.rated_at, sr.rated_by = rating, (comment or "").strip(), timezone.now(), actor
        sr.save(update_fields=["rating", "rating_comment", "rated_at", "rated_by"])
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.RATED, author=actor, by_tenant=True,
            body=f"{'★' * rating}{'☆' * (5 - rating)} {sr.rating_comment}".strip(),
        )
        audit_record(actor=actor, action="request.rated", obj=sr, request=request, details={"rating": rating})
    service_request.refresh_from_db()
    return sr


# --- deadlines: warn before, escalate after ------------------------------------------------


def _pending_milestones(sr: ServiceRequest):
    if sr.responded_at is None:
        yield Milestone.RESPONSE, sr.response_due
    if sr.answer_due and sr.answered_at is None:
        yield Milestone.ANSWER, sr.answer_due
    if sr.resolution_due:
        yield Milestone.RESOLUTION, sr.resolution_due


def request_deadlines_sweep(*, now: datetime | None = None) -> dict:
    """Warn the assignee before a deadline, escalate to the centre's managers
    after it. Each (request, milestone, kind, due) is alerted once, so the
    sweep is safe to run twice or on two workers at once."""
    now = now or timezone.now()
    counts = {"warnings": 0, "escalations": 0}
    policies = {p.centre_id: p.as_deadlines() for p in DeadlinePolicy.objects.all()}
    default = DeadlinePolicy().as_deadlines()
    horizon = now + max([d.warn_before for d in policies.values()] + [default.warn_before])
    candidates = (
        ServiceRequest.objects.open()
        .filter(
            Q(responded_at__isnull=True, response_due__lte=horizon)
            | Q(answered_at__isnull=True, answer_due__lte=horizon)
            | Q(resolution_due__lte=horizon)
        )
        .select_related("centre", "tenant", "assignee")
    )
    for sr in candidates.iterator(chunk_size=500):
        warn_before = policies.get(sr.centre_id, default).warn_before
        for milestone, due in _pending_milestones(sr):
            if due <= now:
                counts["escalations"] += _alert(sr, milestone, due, DeadlineAlert.Kind.ESCALATION, now)
            elif due - warn_before <= now:
                counts["warnings"] += _alert(sr, milestone, due, DeadlineAlert.Kind.WARNING, now)
    return counts


def _alert(sr: ServiceRequest, milestone: str, due: datetime, kind: str, now: datetime) -> int:
    if kind == DeadlineAlert.Kind.ESCALATION:
        people = list(centre_managers(sr.centre))
    else:
        people = [sr.assignee] if sr.assignee_id else list(
            assignable_staff(sr.centre).filter(memberships__role__in=REQUEST_HANDLE_ROLES, memberships__centre=sr.centre)
        )
    emails = sorted({p.email for p in people if p.email})
    with transaction.atomic():
        alert, created = DeadlineAlert.objects.get_or_create(
            request=sr, milestone=milestone, kind=kind, due=due, defaults={"sent_at": now, "recipients": emails}
        )
        if not created:
            return 0
        if kind == DeadlineAlert.Kind.ESCALATION:
            ServiceRequest.objects.filter(pk=sr.pk, escalated_at__isnull=True).update(escalated_at=now)
            RequestEntry.objects.create(
                request=sr, kind=RequestEntry.Kind.ESCALATED, public=False, created_at=now,
                body=_("%(milestone)s deadline %(due)s passed; escalated to the centre's managers.") % {
                    "milestone": Milestone(milestone).label, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                },
            )
        audit_record(
            actor=None, action=f"request.deadline_{kind}", obj=sr,
            details={"milestone": milestone, "due": due.isoformat(), "recipients": emails},
        )
        transaction.on_commit(lambda: _mail_alert(sr.pk, milestone, due, kind, emails))
    return 1


def _mail_alert(sr_pk: int, milestone: str, due: datetime, kind: str, emails: list[str]) -> None:
    if not emails:
        return
    sr = ServiceRequest.objects.select_related("tenant", "centre").get(pk=sr_pk)
    with translation.override("zh-hans"):
        what = _("Deadline passed") if kind == DeadlineAlert.Kind.ESCALATION else _("Deadline approaching")
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{what}: {sr.number}"
        body = _("%(what)s — %(milestone)s due %(due)s\nRequest %(number)s from %(tenant)s: %(subject)s\n%(link)s") % {
            "what": what, "milestone": Milestone(milestone).label,
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"), "number": sr.number,
            "tenant": sr.tenant, "subject": sr.subject,
            "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/admin/snippets/tenants/servicerequest/inspect/{sr.pk}/",
        }
    try:
        send_mail(subject, body, None, emails)
    except OSError:
        # The alert row is written: a mail server hiccup must not make the
        # sweep retry and re-alert everyone; the log says it was not sent.
        log.exception("deadline alert mail for request %s not sent", sr.number)
