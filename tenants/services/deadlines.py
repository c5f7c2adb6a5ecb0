"""Deadlines of service requests: warn before a milestone is due, escalate
after it passed (run by beat)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from tenants.models import (
    DeadlineAlert,
    DeadlinePolicy,
    Milestone,
    RequestEntry,
    ServiceRequest,
)
from tenants.selectors.directory import assignable_staff, centre_managers
from tenants.selectors.requests import REQUEST_HANDLE_ROLES

log = logging.getLogger(__name__)


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
                request=sr, kind=RequestEntry.Kind.ESCALATED, public=False, at=now,
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
            "tenant": sr.tenant_label, "subject": sr.subject,
            "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + f"/admin/snippets/tenants/servicerequest/inspect/{sr.pk}/",
        }
    try:
        send_mail(subject, body, None, emails)
    except OSError:
        # The alert row is written: a mail server hiccup must not make the
        # sweep retry and re-alert everyone; the log says it was not sent.
        log.exception("deadline alert mail for request %s not sent", sr.number)
