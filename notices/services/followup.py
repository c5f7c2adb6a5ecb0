"""Follow-up of unsigned letters (4.8.5, 4.8.6): scheduled reminders, "remind
now", and overdue deliveries handed to operations staff for hand delivery.
Every reminder sent is a row in the reminder log."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import Delivery, DeliveryState, Letter, Reminder
from notices.services.messaging import (
    letter_notifications,
    send_all,
    send_overdue_to_operations,
)
from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role

REMIND_ROLES = (Role.OPERATIONS, Role.MANAGER, Role.DRAFTER)


class FollowUpError(Exception):
    pass


def next_reminder_after(letter: Letter, sent_at: datetime, sent_count: int) -> datetime | None:
    """Every `remind_every_days` until the letter is due, at most `remind_max`."""
    if sent_count >= letter.remind_max:
        return None
    at = sent_at + timedelta(days=max(1, letter.remind_every_days))
    if letter.sign_by and timezone.localdate(at) > letter.sign_by:
        return None
    return at


def _unsigned(qs):
    return qs.filter(receipt__isnull=True, letter__requires_receipt=True, notified_at__isnull=False)


def reminders_send(*, delivery_ids: list[int], kind: str, actor=None, now: datetime | None = None) -> int:
    """Remind the tenants of these deliveries who still have not signed.
    Scheduled reminders go only when due (a rerun sends nothing twice);
    manual ones go now. The delivery rows are locked while being reminded."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = _unsigned(Delivery.objects.filter(pk__in=delivery_ids)).select_for_update(of=("self",))
        if kind == Reminder.Kind.SCHEDULED:
            qs = qs.filter(next_reminder_at__lte=now)
        deliveries = list(qs.select_related("letter__centre", "tenant").order_by("pk"))
        if not deliveries:
            return 0
        by_letter = defaultdict(list)
        for d in deliveries:
            by_letter[d.letter_id].append(d)
        emails, texts, logs = [], [], []
        for group in by_letter.values():
            letter = group[0].letter
            e, t = letter_notifications(letter, group, kind="reminder")
            emails += e
            texts += t
            for d in group:
                logs.append(Reminder(delivery=d, kind=kind, sent_at=now, sent_by=actor if actor else None,
                                     channels="email,sms", recipients=1))
                if kind == Reminder.Kind.SCHEDULED:
                    d.reminders_sent += 1
                    d.next_reminder_at = next_reminder_after(letter, now, d.reminders_sent)
                    Delivery.objects.filter(pk=d.pk).update(reminders_sent=d.reminders_sent, next_reminder_at=d.next_reminder_at)
        Reminder.objects.bulk_create(logs)
        # Sent inside the lock so a concurrent run cannot send the same reminder.
        send_all(emails, texts)
    return len(deliveries)


def reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        _unsigned(Delivery.objects.filter(next_reminder_at__lte=now, letter__delivery_state=DeliveryState.DELIVERED))
        .order_by("pk").values_list("pk", flat=True)
    )


def letter_remind_now(*, letter: Letter, actor, request=None) -> int:
    """Staff press "remind now": every unsigned tenant of the letter is reminded."""
    if not has_role(actor, letter.centre, *REMIND_ROLES):
        raise PermissionDenied
    if not letter.requires_receipt:
        raise FollowUpError(_("This letter does not need to be signed for."))
    ids = list(_unsigned(Delivery.objects.filter(letter=letter)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise FollowUpError(_("Every tenant has signed already: nobody to remind."))
    from notices.tasks import send_reminders_task

    with transaction.atomic():
        audit_record(actor=actor, action="letter.remind_now", obj=letter, request=request, details={"deliveries": len(ids)})
        chunk = settings.ATRIUM_DELIVERY_CHUNK
        chunks = [ids[i:i + chunk] for i in range(0, len(ids), chunk)]
        actor_id = actor.pk
        transaction.on_commit(lambda: [send_reminders_task.delay(c, Reminder.Kind.MANUAL, actor_id) for c in chunks])
    return len(ids)


def deliveries_flag_overdue(*, today=None) -> int:
    """Flag deliveries unsigned after their letter's due date and hand them
    to the centre's operations staff for hand delivery (one email per letter)."""
    today = today or timezone.localdate()
    flagged = 0
    letters = Letter.objects.filter(
        sign_by__lt=today, requires_receipt=True, deliveries__receipt__isnull=True, deliveries__overdue_at__isnull=True
    ).distinct()
    for letter in letters.select_related("centre"):
        now = timezone.now()
        with transaction.atomic():
            deliveries = list(
                Delivery.objects.select_for_update(of=("self",)).filter(letter=letter, receipt__isnull=True, overdue_at__isnull=True)
                .select_related("tenant").prefetch_related("tenant__units").order_by("tenant__code")
            )
            if not deliveries:
                continue
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(overdue_at=now, next_reminder_at=None)
            Reminder.objects.bulk_create(
                [Reminder(delivery=d, kind=Reminder.Kind.OVERDUE, sent_at=now, channels="email:operations") for d in deliveries]
            )
            audit_record(actor=None, action="letter.overdue", obj=letter,
                         details={"tenants": [d.tenant.code for d in deliveries][:200], "count": len(deliveries)})
            send_overdue_to_operations(letter, deliveries)
        flagged += len(deliveries)
    return flagged
