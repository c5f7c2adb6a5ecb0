"""Reminders: each staff member's visits due this week and overdue (weekly),
and the managers' monthly summary of the targets. Emails are in Chinese."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.access import centres_for
from portal.models.accounts import Role, StaffMembership, User

from ..models import PlannedVisit, PlannedVisitStatus, ReminderSent
from ..selectors.targets import all_figures, period_for


def _once(kind: str, key: str, user: User) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, user=user)
    except IntegrityError:
        return False
    return True


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
        if not user.email or not _once("weekly", key, user):
            continue
        overdue = [p for p in items if p.window_end < today]
        due = [p for p in items if p.window_end >= today]
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": user, "overdue": overdue, "due": due, "today": today, "link": _link("/visits/")}
            subject = render_to_string("visits/email/weekly_subject.txt", context).strip()
            body = render_to_string("visits/email/weekly.txt", context)
        send_mail(subject, body, None, [user.email])
        sent += 1
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
        if not centre_ids or not manager.email or not _once("monthly", key, manager):
            continue
        figures = all_figures(centre_ids, period_for(last.year, last))
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": manager, "figures": figures.values(), "month": last, "link": _link("/admin/visits/dashboard/")}
            subject = render_to_string("visits/email/monthly_subject.txt", context).strip()
            body = render_to_string("visits/email/monthly.txt", context)
        send_mail(subject, body, None, [manager.email])
        sent += 1
    return sent
