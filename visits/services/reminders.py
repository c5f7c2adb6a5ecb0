"""Reminders: each staff member's visits due this week and overdue (weekly),
and the managers' monthly summary of the targets. Emails are in Chinese."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.access import centres_for
from portal.models.accounts import Role, StaffMembership, User
from portal.outbox import Outgoing, claim, send_claimed

from ..models import PlannedVisit, PlannedVisitStatus, ReminderSent
from ..selectors.targets import all_figures, period_for


def _claim_once(kind: str, key: str, user: User) -> str:
    """The reminder's row, written and claimed before the email goes out; a
    rerun takes it over only if the worker holding it is gone (portal.outbox).
    Returns the claim token, or "" if the reminder is sent or being sent."""
    token = uuid.uuid4().hex
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, user=user, notify_claimed_at=timezone.now(), notify_claim=token)
        return token
    except IntegrityError:
        token, taken = claim(ReminderSent.objects.filter(kind=kind, key=key, user=user, notified_at__isnull=True))
        return token if taken else ""


def _send_once(kind: str, key: str, user: User, subject: str, body: str) -> bool:
    token = _claim_once(kind, key, user)
    if not token:
        return False
    row = ReminderSent.objects.get(kind=kind, key=key, user=user)
    item = Outgoing(row, [EmailMessage(subject, body, None, [user.email])])
    return send_claimed(ReminderSent, token, [item], done=lambda: {"notified_at": timezone.now()}) == 1


def _link(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def weekly_visit_reminders(*, today: date | None = None) -> int:
    """One email per staff member with visits due within 7 days or overdue."""
    today = today or timezone.localdate()
    iso = today.isocalendar()
    key = f"{iso.year}-W{iso.week:02d}"
    rows = (
        PlannedVisit.objects.filter(status=PlannedVisitStatus.DUE, window_start__lte=today + timedelta(days=7),
                                    plan__year__in=[today.year, today.year - 1], assignee__is_active=True)
        .exclude(assignee=None)
        .select_related("tenant", "assignee")
        .order_by("assignee_id", "window_end")
    )
    per_user: dict[int, list[PlannedVisit]] = defaultdict(list)
    users: dict[int, User] = {}
    for p in rows:
        per_user[p.assignee_id].append(p)
        users[p.assignee_id] = p.assignee
    sent = 0
    for user_id, items in per_user.items():
        user = users[user_id]
        if not user.email or ReminderSent.objects.filter(kind="weekly", key=key, user=user, notified_at__isnull=False).exists():
            continue
        overdue = [p for p in items if p.window_end < today]
        due = [p for p in items if p.window_end >= today]
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": user, "overdue": overdue, "due": due, "today": today, "link": _link("/visits/")}
            subject = render_to_string("visits/email/weekly_subject.txt", context).strip()
            body = render_to_string("visits/email/weekly.txt", context)
        sent += _send_once("weekly", key, user, subject, body)
    return sent


def monthly_manager_summary(*, today: date | None = None) -> int:
    """On the 1st: last month's standing of the year's targets, to every manager."""
    today = today or timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    key = f"{last:%Y-%m}"
    managers = User.objects.filter(
        is_active=True, pk__in=StaffMembership.objects.active().filter(role=Role.MANAGER).values("user")
    )
    sent = 0
    for manager in managers:
        centre_ids = list(centres_for(manager, (Role.MANAGER,)).values_list("pk", flat=True))
        if not centre_ids or not manager.email or ReminderSent.objects.filter(
                kind="monthly", key=key, user=manager, notified_at__isnull=False).exists():
            continue
        figures = all_figures(centre_ids, period_for(last.year, last))
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": manager, "figures": figures.values(), "month": last, "link": _link("/admin/visits/dashboard/")}
            subject = render_to_string("visits/email/monthly_subject.txt", context).strip()
            body = render_to_string("visits/email/monthly.txt", context)
        sent += _send_once("monthly", key, manager, subject, body)
    return sent
