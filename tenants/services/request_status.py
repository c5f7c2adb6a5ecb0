"""Closing, reopening and rating a service request. Like every write of the
service desk (tenants.services.requests), each is one transaction that locks the
request row, checks its state and the actor's right, and writes a timeline
entry and an audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit import audit_record
from tenants.models import (
    DeadlinePolicy,
    RequestCategory,
    RequestEntry,
    RequestStatus,
    ServiceRequest,
    Severity,
)
from tenants.selectors.requests import may_assign, may_work_on
from tenants.services import whole_number_between
from tenants.services.requests import (
    RequestError,
    contact_for,
    lock_open_request,
    lock_request,
)


def request_close(
    *, actor, service_request: ServiceRequest, resolution: str, request: HttpRequest | None = None
) -> ServiceRequest:
    """Close with the outcome told to the tenant. Closing answers the
    request, so it also meets any response not yet given."""
    if not (resolution or "").strip():
        raise RequestError(_("Say how the request was resolved."))
    with transaction.atomic():
        sr = lock_open_request(service_request, lambda sr: may_work_on(actor, sr), _("This request is already closed."))
        now = timezone.now()
        from_status = sr.status
        sr.status, sr.closed_at = RequestStatus.CLOSED, now
        sr.responded_at = sr.responded_at or now
        if sr.answer_due:
            sr.answered_at = sr.answered_at or now
        sr.save(update_fields=["status", "closed_at", "responded_at", "answered_at"])
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.STATUS, actor=actor, body=resolution.strip(),
            from_status=from_status, to_status=RequestStatus.CLOSED,
        )
        audit_record(actor=actor, action="request.closed", obj=sr, request=request)
    service_request.refresh_from_db()
    return sr


# A member of the public's complaint about a shop is not the shop's to judge:
# its rating would count in the centre's satisfaction (R26) as the asker's.
NOT_THE_SHOPS = gettext_lazy("A member of the public raised this request on the feedback board: the shop it concerns "
                             "does not rate or reopen it.")


def request_reopen(
    *, actor, service_request: ServiceRequest, reason: str, request: HttpRequest | None = None
) -> ServiceRequest:
    """Reopen a closed request. A complaint reopened is a repeat complaint
    (二次投诉): it is counted, and its deadlines start again."""
    if not (reason or "").strip():
        raise RequestError(_("Say why the request is reopened."))
    with transaction.atomic():
        sr = lock_request(service_request)
        by_tenant = contact_for(actor, sr.tenant) is not None and not may_work_on(actor, sr)
        if not by_tenant and not may_assign(actor, sr):
            raise PermissionDenied
        if by_tenant and sr.from_public_post:
            raise RequestError(NOT_THE_SHOPS)
        if sr.is_open:
            raise RequestError(_("This request is still open."))
        now = timezone.now()
        deadlines = DeadlinePolicy.for_centre(sr.centre)
        sr.status, sr.closed_at = RequestStatus.IN_PROGRESS, None
        sr.reopen_count += 1
        # The earlier rating judged an outcome that did not last.
        sr.rating, sr.rating_comment, sr.rated_at, sr.rated_by = None, "", None, None
        if sr.category == RequestCategory.COMPLAINT:
            # A repeat complaint (二次投诉) is the tenant's, counted against the
            # tenant's own complaint; a public post's (no tenant) is never one,
            # though its deadlines start again like any complaint's.
            sr.is_repeat_complaint = sr.tenant_id is not None
            if sr.severity == Severity.MAJOR:
                sr.answer_due, sr.answered_at = now + deadlines.answer, None
            else:
                sr.resolution_due = now + deadlines.resolution
        sr.save()
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.STATUS, actor=actor, by_tenant=by_tenant, body=reason.strip(),
            from_status=RequestStatus.CLOSED, to_status=RequestStatus.IN_PROGRESS,
            # The same instant as the deadlines above: request_reclassify
            # counts a corrected complaint's deadlines from it.
            at=now,
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
    """The tenant rates the outcome of a closed request, once. A public
    post's request is not a tenant's to rate: without a tenant nobody's
    contact_for matches; once its shop is named, NOT_THE_SHOPS."""
    rating = whole_number_between(rating, 1, 5)
    if rating is None:
        raise RequestError(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        sr = lock_request(service_request)
        if contact_for(actor, sr.tenant) is None:
            raise PermissionDenied
        if sr.from_public_post:
            raise RequestError(NOT_THE_SHOPS)
        if sr.is_open:
            raise RequestError(_("A request can be rated once it is closed."))
        if sr.rated_at is not None:
            raise RequestError(_("This request has already been rated."))
        sr.rating, sr.rating_comment, sr.rated_at, sr.rated_by = rating, (comment or "").strip(), timezone.now(), actor
        sr.save(update_fields=["rating", "rating_comment", "rated_at", "rated_by"])
        RequestEntry.objects.create(
            request=sr, kind=RequestEntry.Kind.RATED, actor=actor, by_tenant=True,
            body=f"{'★' * rating}{'☆' * (5 - rating)} {sr.rating_comment}".strip(),
        )
        audit_record(actor=actor, action="request.rated", obj=sr, request=request, details={"rating": rating})
    service_request.refresh_from_db()
    return sr
