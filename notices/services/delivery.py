"""Delivery (4.8.5): the stamped letter goes to its recipient tenants.

`letter_deliver` fixes the recipient list once, in one transaction, with one
bulk insert (the database holds one row per letter and tenant), then queues
the notifications in chunks. Every step is safe to run twice: each
notification is claimed before it is sent (portal.outbox), so a rerun, a
re-queue or a second worker never tells a tenant twice, and the last chunk
to finish marks the letter delivered. The sweep picks up letters that made
no progress for a while (a lost message, a killed worker)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone

from notices.models import Delivery, DeliveryState, Letter, LetterStatus
from notices.selectors import letter_recipients
from notices.services.messaging import letter_notifications
from portal.audit import audit_record
from portal.bulk_insert import insert_per_row
from portal.outbox import (
    ROW_FIELDS,
    Outgoing,
    claim,
    outcome_unknown_q,
    refused_q,
    send_claimed,
)

log = logging.getLogger(__name__)

# Sent once a letter's deliveries are made and committed, with `letter_id`:
# other apps (the fire-safety cycle: a shop's time to rectify runs from its
# letter's delivery) follow up on it. Their own sweeps cover a lost signal.
deliveries_made = Signal()


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), max(1, size))]


def first_reminder_at(letter: Letter, delivered_at):
    if not letter.requires_receipt or not letter.remind_max:
        return None
    at = delivered_at + timedelta(days=letter.remind_after_days)
    if letter.sign_by and timezone.localdate(at) > letter.sign_by:
        return None
    return at


def letter_deliver(*, letter_id: int) -> list[list[int]]:
    """Create the deliveries of a stamped letter (once) and queue the
    notifications of those not yet notified. Returns the queued chunks."""
    from notices.tasks import notify_deliveries_task

    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.status != LetterStatus.STAMPED or letter.delivery_state == DeliveryState.DELIVERED:
            return []
        if letter.delivery_state == DeliveryState.PENDING:
            now = timezone.now()
            recipients = insert_per_row(Delivery, each="tenant", of=letter_recipients(letter), values={
                "letter": letter.pk, "centre": letter.centre_id, "pdf_sha256": letter.pdf_sha256, "created_at": now,
                "next_reminder_at": first_reminder_at(letter, now), "awaiting_receipt": letter.requires_receipt,
            })
            Letter.objects.filter(pk=letter.pk).update(delivery_state=DeliveryState.SENDING, delivery_started_at=now)
            audit_record(actor=None, action="letter.delivery_started", obj=letter, details={"recipients": recipients})
            transaction.on_commit(lambda: _announce_deliveries(letter_id))
        else:
            Letter.objects.filter(pk=letter.pk).update(delivery_started_at=timezone.now())
        pending = list(
            Delivery.objects.filter(letter_id=letter.pk, notified_at__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        chunks = _chunks(pending, settings.ATRIUM_DELIVERY_CHUNK)
        if chunks:
            transaction.on_commit(lambda: [notify_deliveries_task.delay(letter_id, chunk) for chunk in chunks])
    if not chunks:
        letter_finish_delivery(letter_id=letter_id)
    return chunks


def _announce_deliveries(letter_id: int) -> None:
    # A listener's failure must not fail the delivery, which is committed.
    for receiver, result in deliveries_made.send_robust(sender=Letter, letter_id=letter_id):
        if isinstance(result, Exception):
            log.error("deliveries_made listener %r failed for letter %s", receiver, letter_id, exc_info=result)


def deliveries_notify(*, letter_id: int, delivery_ids: list[int]) -> int:
    """Tell the tenants of these deliveries (email, SMS; the portal shows the
    letter anyway). Only deliveries this call claims are sent: those notified,
    or being notified by another worker, are left alone, so a re-queued chunk
    repeats nothing. Returns the deliveries this call finished."""
    letter = Letter.objects.select_related("centre").get(pk=letter_id)
    token, pks = claim(Delivery.objects.filter(letter_id=letter_id, pk__in=delivery_ids, notified_at__isnull=True))
    finished = 0
    if pks:
        # Only what the messages and the outbox read: a delivery and a tenant have many other columns.
        deliveries = list(
            Delivery.objects.filter(pk__in=pks).select_related("tenant").order_by("pk")
            .only("tenant", "tenant__legal_name", "tenant__trading_name", *ROW_FIELDS)
        )
        messages = letter_notifications(letter, deliveries, kind="new")
        items = [Outgoing(d, *messages[d.pk]) for d in deliveries]
        finished = send_claimed(Delivery, token, items, done=lambda: {"notified_at": timezone.now()})
    letter_finish_delivery(letter_id=letter_id)
    return finished


def letter_finish_delivery(*, letter_id: int) -> bool:
    """Mark the letter delivered once every delivery has been notified."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.delivery_state != DeliveryState.SENDING:
            return letter.delivery_state == DeliveryState.DELIVERED
        if Delivery.objects.filter(letter_id=letter_id, notified_at__isnull=True).exists():
            return False
        now = timezone.now()
        Letter.objects.filter(pk=letter_id).update(delivery_state=DeliveryState.DELIVERED, delivered_at=now)
        deliveries = Delivery.objects.filter(letter_id=letter_id)
        audit_record(actor=None, action="letter.delivered", obj=letter,
                     details={"deliveries": deliveries.count(), "refused": deliveries.filter(refused_q()).count(),
                              "outcome_unknown": deliveries.filter(outcome_unknown_q()).count()})
    return True


def letter_queue_delivery(letter_id: int) -> None:
    from notices.tasks import deliver_letter_task

    transaction.on_commit(lambda: deliver_letter_task.delay(letter_id))


def letters_stuck_in_delivery(*, older_than: timedelta | None = None):
    """Stamped letters not delivered whose delivery made no progress for
    `older_than`: no notification claimed or finished, and no (re)start of
    the delivery, in that time. A fan-out that is slow but moving (a slow
    mail server, a long queue) is left to finish; re-queuing it would be
    harmless anyway, as every notification is claimed before it is sent."""
    older_than = older_than if older_than is not None else timedelta(minutes=settings.ATRIUM_DELIVERY_STUCK_MINUTES)
    cutoff = timezone.now() - older_than
    moving = Delivery.objects.filter(letter_id=OuterRef("pk")).filter(
        Q(notified_at__gt=cutoff) | Q(notify_claimed_at__gt=cutoff)
    )
    return (
        Letter.objects.filter(status=LetterStatus.STAMPED)
        .exclude(delivery_state=DeliveryState.DELIVERED)
        .filter(stamped_at__lte=cutoff)
        .exclude(delivery_started_at__gt=cutoff)
        .exclude(Exists(moving))
    )
