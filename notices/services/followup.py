"""Follow-up of unsigned letters (4.8.5, 4.8.6): scheduled reminders, "remind
now", and overdue deliveries handed to operations staff for hand delivery.
Every reminder sent is a row in the reminder log."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import Delivery, DeliveryState, Letter, Reminder
from notices.services.messaging import letter_notifications, send_overdue_to_operations
from portal.access import has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.outbox import Outgoing, claim, claimable, send_claimed

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
    Scheduled reminders go only when due (a rerun sends nothing twice). The
    reminder rows are written and claimed, and the schedule moved on, in one
    short transaction committed before anything is sent."""
    now = now or timezone.now()
    token, claimed_at = uuid.uuid4().hex, timezone.now()  # the claim's clock is the real one, whatever `now` says
    with transaction.atomic():
        qs = _unsigned(Delivery.objects.filter(pk__in=delivery_ids)).select_for_update(of=("self",), skip_locked=True)
        if kind == Reminder.Kind.SCHEDULED:
            qs = qs.filter(next_reminder_at__lte=now)
        deliveries = list(qs.select_related("letter").order_by("pk"))
        if not deliveries:
            return 0
        rows = Reminder.objects.bulk_create([
            Reminder(delivery=d, kind=kind, sent_at=now, sent_by=actor, channels="email,sms", recipients=1,
                     notify_claimed_at=claimed_at, notify_claim=token)
            for d in deliveries
        ])
        if kind == Reminder.Kind.SCHEDULED:
            for d in deliveries:
                d.reminders_sent += 1
                d.next_reminder_at = next_reminder_after(d.letter, now, d.reminders_sent)
            Delivery.objects.bulk_update(deliveries, ["reminders_sent", "next_reminder_at"])
    return reminders_deliver(reminder_ids=[r.pk for r in rows], token=token)


def reminders_deliver(*, reminder_ids: list[int], token: str = "") -> int:
    """Send recorded reminders: those claimed with `token` by the caller, or
    else those nobody holds. Each goes once (portal.outbox)."""
    if not token:
        token, reminder_ids = claim(Reminder.objects.filter(pk__in=reminder_ids, notified_at__isnull=True))
    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids, notify_claim=token, notified_at__isnull=True)
        .select_related("delivery__letter__centre", "delivery__tenant").order_by("pk")
    )
    by_letter = defaultdict(list)
    for r in reminders:
        by_letter[r.delivery.letter_id].append(r)
    items = []
    for group in by_letter.values():
        messages = letter_notifications(group[0].delivery.letter, [r.delivery for r in group], kind="reminder")
        items += [Outgoing(r, *messages[r.delivery_id]) for r in group]
    return send_claimed(Reminder, token, items, done=lambda: {"notified_at": timezone.now()})


def reminders_unsent() -> list[int]:
    """Reminders recorded but not sent, whose worker is gone: sent by the
    hourly follow-up (what the worker had handed over is not sent again)."""
    return list(claimable(Reminder.objects.filter(notified_at__isnull=True).exclude(kind=Reminder.Kind.OVERDUE))
                .order_by("pk").values_list("pk", flat=True)[:5000])


def reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        _unsigned(Delivery.objects.filter(next_reminder_at__lte=now, letter__delivery_state=DeliveryState.DELIVERED))
        .order_by("pk").values_list("pk", flat=True)
    )


def letter_remind_now(*, letter: Letter, actor, request=None) -> int:
    """Staff press "remind now": every unsigned tenant of the letter is
    reminded. The reminders are recorded here and sent by workers; a second
    press while they are still going out (a double click) adds none."""
    if not has_role(actor, letter.centre, *REMIND_ROLES):
        raise PermissionDenied
    if not letter.requires_receipt:
        raise FollowUpError(_("This letter does not need to be signed for."))
    from notices.tasks import deliver_reminders_task

    with transaction.atomic():
        Letter.objects.select_for_update().filter(pk=letter.pk).first()  # two presses queue one after the other
        unsigned = _unsigned(Delivery.objects.filter(letter=letter))
        if not unsigned.exists():
            raise FollowUpError(_("Every tenant has signed already: nobody to remind."))
        going_out = Reminder.objects.filter(delivery__letter=letter, kind=Reminder.Kind.MANUAL, notified_at__isnull=True)
        ids = list(unsigned.exclude(pk__in=going_out.values("delivery_id")).order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        rows = Reminder.objects.bulk_create([
            Reminder(delivery_id=pk, kind=Reminder.Kind.MANUAL, sent_at=now, sent_by=actor, channels="email,sms", recipients=1)
            for pk in ids
        ])
        audit_record(actor=actor, action="letter.remind_now", obj=letter, request=request, details={"deliveries": len(ids)})
        reminder_ids = [r.pk for r in rows]
        chunk = settings.ATRIUM_DELIVERY_CHUNK
        chunks = [reminder_ids[i:i + chunk] for i in range(0, len(reminder_ids), chunk)]
        transaction.on_commit(lambda: [deliver_reminders_task.delay(c) for c in chunks])
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
                [Reminder(delivery=d, kind=Reminder.Kind.OVERDUE, sent_at=now, channels="email:operations", notified_at=now)
                 for d in deliveries]
            )
            audit_record(actor=None, action="letter.overdue", obj=letter,
                         details={"tenants": [d.tenant.code for d in deliveries][:200], "count": len(deliveries)})
            send_overdue_to_operations(letter, deliveries)
        flagged += len(deliveries)
    return flagged
