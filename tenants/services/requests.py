"""Writes of the service desk. Each state change is one function: it runs in a
transaction, locks the request row, checks the current state and the actor's
right to act, writes a timeline entry and an audit event. Views, admin
screens, tasks and the demo data all call these same functions. Correcting
a request's category and severity (request_reclassify) is here, beside the
deadlines its class sets at creation (_due_dates). Closing,
reopening and rating are in tenants.services.request_status; the deadline sweep is in
tenants.services.deadlines."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.uploads import safe_name, validate_photos
from tenants.models import (
    Channel,
    Contact,
    DeadlinePolicy,
    RequestCategory,
    RequestEntry,
    RequestPhoto,
    RequestStatus,
    ServiceRequest,
    Severity,
    Tenant,
)
from tenants.selectors.contacts import tenant_contacts_of
from tenants.selectors.directory import assignable_staff, web_followup_officer
from tenants.selectors.requests import (
    handles_requests,
    may_assign,
    may_reclassify,
    may_work_on,
)


class RequestError(Exception):
    """A request cannot change this way now (wrong state, bad value). The
    message is meant for the person who tried."""


# --- shared steps (who may act is decided in tenants.selectors.requests) ------------


def contact_for(user, tenant: Tenant | None) -> Contact | None:
    """The user's contact record at `tenant`; none for a request without a
    tenant (a public post), which no tenant speaks in, reopens or rates."""
    if tenant is None:
        return None
    return tenant_contacts_of(user).filter(tenant=tenant).first()


def lock_request(sr: ServiceRequest) -> ServiceRequest:
    # Only the request's row: its tenant may be empty (a public post), and
    # PostgreSQL refuses FOR UPDATE on the nullable side of the outer join.
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("centre", "tenant").get(pk=sr.pk)


def lock_open_request(sr: ServiceRequest, allowed: Callable[[ServiceRequest], bool], closed: str) -> ServiceRequest:
    """The request locked for a change that `allowed(sr)` admits (else 403)
    and only an open request takes (else `closed`)."""
    sr = lock_request(sr)
    if not allowed(sr):
        raise PermissionDenied
    if not sr.is_open:
        raise RequestError(closed)
    return sr


def _save_photos(sr: ServiceRequest, entry: RequestEntry, checked: list, actor) -> None:
    for upload, ext in checked:
        photo = RequestPhoto(request=sr, entry=entry, uploaded_by=actor)
        photo.file.save(safe_name(getattr(upload, "name", ""), ext), File(upload), save=False)
        photo.save()


# --- create ---------------------------------------------------------------------


def request_create(
    *,
    actor,
    tenant: Tenant | None,
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
    from_board: bool = False,
    centre=None,
) -> ServiceRequest:
    """Record a request. Staff of the centre record it from any channel; a
    tenant contact raises one for their own tenant through the portal; the web
    follow-up officer a public board post (`from_board`: board_moderate,
    board_post_link), which alone may have no tenant (see _centre_of)."""
    centre = _centre_of(tenant, centre, from_board)
    by_tenant = not (from_board or handles_requests(actor, centre))
    if by_tenant:
        channel, contact, department, assignee, received_at = _as_tenant(actor, tenant, channel)
    if channel == Channel.WEB and assignee is None:
        # 4.16: what comes in through the website or the board is followed by
        # the centre's designated web follow-up officer.
        assignee = web_followup_officer(centre)
    _check_request(centre=centre, tenant=tenant, category=category, channel=channel, severity=severity,
                   subject=subject, description=description, contact=contact, assignee=assignee)
    checked = validate_photos(photos)
    received = _received(received_at)
    is_complaint = category == RequestCategory.COMPLAINT
    with transaction.atomic():
        sr = ServiceRequest.objects.create(
            centre=centre, tenant=tenant, number=f"tmp-{uuid.uuid4().hex}",
            contact=contact, contact_name=contact_name or (contact.name if contact else ""),
            contact_phone=contact_phone or (contact.phone if contact else ""),
            channel=channel, category=category, severity=severity if is_complaint else Severity.ORDINARY,
            subject=subject.strip()[:200], description=description.strip(), department=department or "",
            assignee=assignee, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            created_at=received, **_due_dates(centre=centre, category=category, severity=severity, received=received),
        )
        # The number comes from the row id: unique without a counter to lock.
        sr.number = f"{centre.code}-{received.astimezone(timezone.get_current_timezone()):%Y%m}-{sr.pk:06d}"
        sr.save(update_fields=["number"])
        entry = RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.CREATED, actor=sr.created_by, by_tenant=by_tenant,
            body=sr.description, to_status=RequestStatus.NEW, at=received,
        )
        _save_photos(sr, entry, checked, actor)
        audit_record(
            actor=actor, action="request.created", obj=sr, request=request,
            details={"channel": channel, "category": category, "severity": sr.severity, "by_tenant": by_tenant},
        )
    return sr


def _centre_of(tenant: Tenant | None, centre, from_board: bool):
    """The request's centre: its tenant's. Only a member of the public's
    board post has no tenant (it is about the `centre` given): every other
    request is a tenant's."""
    if tenant is None and not (from_board and centre is not None):
        raise RequestError(_("Choose the tenant the request is from."))
    return tenant.centre if tenant is not None else centre


def _as_tenant(actor, tenant: Tenant, channel: str) -> tuple:
    """A tenant speaks for themselves, through the portal or the feedback
    board, and cannot assign staff or back-date what they say: the channel,
    contact, department, assignee and time received of their request."""
    own = contact_for(actor, tenant)
    if own is None:
        raise PermissionDenied
    return (Channel.WEB if channel == Channel.WEB else Channel.PORTAL), own, "", None, None


def _check_request(*, centre, tenant: Tenant | None, category: str, channel: str, severity: str, subject: str,
                   description: str, contact: Contact | None, assignee) -> None:
    if category not in RequestCategory.values or channel not in Channel.values or severity not in Severity.values:
        raise RequestError(_("Choose a valid channel, category and severity."))
    if not (subject or "").strip() or not (description or "").strip():
        raise RequestError(_("Say what the request is about."))
    if contact is not None and (tenant is None or contact.tenant_id != tenant.pk):
        raise RequestError(_("The contact belongs to another tenant."))
    if assignee is not None and not assignable_staff(centre).filter(pk=assignee.pk).exists():
        raise RequestError(_("The person assigned does not work for this centre."))


def _received(received_at: datetime | None) -> datetime:
    now = timezone.now()
    received = received_at or now
    if received > now:
        raise RequestError(_("The time received cannot be in the future."))
    return received


def _due_dates(*, centre, category: str, severity: str, received: datetime) -> dict:
    """Every request is answered by its response deadline; a major complaint
    also gets an initial answer, any other complaint a resolution deadline."""
    deadlines = DeadlinePolicy.for_centre(centre)
    is_complaint = category == RequestCategory.COMPLAINT
    return {
        "response_due": received + deadlines.response,
        "answer_due": received + deadlines.answer if is_complaint and severity == Severity.MAJOR else None,
        "resolution_due": received + deadlines.resolution if is_complaint and severity != Severity.MAJOR else None,
    }


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
        sr = lock_request(service_request)
        staff = may_work_on(actor, sr)
        if not staff and contact_for(actor, sr.tenant) is None:  # nobody's own when it has no tenant
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
            request=sr, kind=RequestEntry.Kind.NOTE if internal else RequestEntry.Kind.REPLY, actor=actor,
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
        sr = lock_open_request(service_request, lambda sr: may_assign(actor, sr),
                               _("This request is closed. Reopen it to continue."))
        if assignee is not None and not assignable_staff(sr.centre).filter(pk=assignee.pk).exists():
            raise RequestError(_("The person assigned does not work for this centre."))
        sr.assignee, sr.department = assignee, department or ""
        sr.save(update_fields=["assignee", "department"])
        label = ", ".join(x for x in [sr.get_department_display() if sr.department else "", str(assignee or "")] if x)
        RequestEntry.objects.create(request=sr, kind=RequestEntry.Kind.ASSIGNED, actor=actor, body=label, public=True)
        audit_record(
            actor=actor, action="request.assigned", obj=sr, request=request,
            details={"assignee": getattr(assignee, "pk", None), "department": sr.department},
        )
    service_request.refresh_from_db()
    return sr


# --- correcting the category and severity ----------------------------------------


def request_reclassify(
    *, actor, service_request: ServiceRequest, category: str, severity: str, reason: str,
    request: HttpRequest | None = None,
) -> RequestEntry | None:
    """Correct what kind of request this is (an "enquiry" that is really a
    complaint, an ordinary complaint that is a major one) and the deadlines
    that follow from it. Returns the timeline entry, or None when the request
    already was so (a double submit, a second device): nothing is repeated.

    Only an open request: a closed one's deadlines were met or missed and
    counted in the managers' figures (R26); re-labelling it afterwards would
    rewrite that record (a missed resolution would vanish with "enquiry").
    If the matter is not over, reopen it, then correct it."""
    if category not in RequestCategory.values or severity not in Severity.values:
        raise RequestError(_("Choose a valid channel, category and severity."))
    if not (reason or "").strip():
        raise RequestError(_("Say why the category or severity is corrected."))
    # Severity is a complaint's alone (as request_create records it).
    severity = severity if category == RequestCategory.COMPLAINT else Severity.ORDINARY
    with transaction.atomic():
        sr = lock_open_request(service_request, lambda sr: may_reclassify(actor, sr),
                               _("This request is closed. Reopen it to continue."))
        if (sr.category, sr.severity) == (category, severity):
            return None
        before = {"category": sr.category, "severity": sr.severity, "answer_due": sr.answer_due,
                  "resolution_due": sr.resolution_due, "repeat_complaint": sr.is_repeat_complaint}
        _apply_class(sr, category, severity)
        with translation.override(settings.LANGUAGE_CODE):  # the record's language, like the sweep's entries
            body = _("%(old)s → %(new)s. Reason: %(reason)s") % {
                "old": _class_label(before["category"], before["severity"]),
                "new": _class_label(category, severity), "reason": reason.strip()}
        # Visible to the tenant: their deadlines change with it. Their own
        # words (subject, description) stay as they wrote them.
        entry = RequestEntry.objects.create(request=sr, kind=RequestEntry.Kind.RECLASSIFIED, actor=actor,
                                            body=body, public=True)
        after = {"category": category, "severity": severity, "answer_due": sr.answer_due,
                 "resolution_due": sr.resolution_due, "repeat_complaint": sr.is_repeat_complaint}
        audit_record(actor=actor, action="request.reclassified", obj=sr, request=request,
                     details={"reason": reason.strip(), "from": _plain(before), "to": _plain(after)})
    service_request.refresh_from_db()
    return entry


def _apply_class(sr: ServiceRequest, category: str, severity: str) -> None:
    """The new class and the deadlines it sets, computed by _due_dates as at
    creation and from the same start, so a request moved back and forth gets
    the same due times again: the sweep's alerts are keyed by due time, so
    it escalates a deadline once, not once per correction. What was already
    done stays done: the first response is untouched, and an initial answer
    already given (answered_at) still meets a major complaint's deadline."""
    due = _due_dates(centre=sr.centre, category=category, severity=severity, received=_clock_start(sr))
    sr.category, sr.severity = category, severity
    sr.answer_due, sr.resolution_due = due["answer_due"], due["resolution_due"]
    # A complaint that came back after closing is a repeat complaint (二次投诉),
    # counted as request_reopen counts one; anything else never is (and the
    # database holds only complaints to be repeats).
    sr.is_repeat_complaint = category == RequestCategory.COMPLAINT and sr.reopen_count > 0 and sr.tenant_id is not None
    sr.save(update_fields=["category", "severity", "answer_due", "resolution_due", "is_repeat_complaint"])


def _clock_start(sr: ServiceRequest) -> datetime:
    """Where a complaint's deadlines run from: when the request was received,
    or its last reopening, which starts them again (request_reopen)."""
    reopened = (sr.entries.filter(kind=RequestEntry.Kind.STATUS, from_status=RequestStatus.CLOSED)
                .order_by("-at").values_list("at", flat=True).first())
    return reopened or sr.created_at


def _class_label(category: str, severity: str) -> str:
    label = str(RequestCategory(category).label)
    if category != RequestCategory.COMPLAINT:
        return label
    return _("%(category)s (%(severity)s)") % {"category": label, "severity": Severity(severity).label}


def _plain(state: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in state.items()}
