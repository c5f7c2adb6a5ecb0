"""Worker and beat tasks of the letters app. Each takes ids and calls a
service; services are imported inside each task (and tasks inside each
service that queues one), so neither module needs the other to load."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def stamp_letter_task(letter_id: int) -> str:
    from notices.models import LetterStatus
    from notices.services.letter_pages import letter_pages_render_quietly
    from notices.services.letters import letter_stamp

    status = letter_stamp(letter_id=letter_id).status
    if status == LetterStatus.STAMPED:
        letter_pages_render_quietly(letter_id)  # the pages a phone shows inline
    return status


@shared_task
def sweep_stuck_letters() -> int:
    """Re-queue letters whose stamping worker died half-way (acks_late covers a
    killed worker; this covers a lost message)."""
    from notices.services.letters import letters_stuck_in_stamping

    count = 0
    for letter_id in letters_stuck_in_stamping().values_list("pk", flat=True):
        stamp_letter_task.delay(letter_id)
        count += 1
    return count


@shared_task(acks_late=True)
def notify_approvers(task_state_id: int) -> int:
    """Email the people who can decide the step a letter has just reached."""
    from notices.services.notifications import send_approval_request

    return send_approval_request(task_state_id)


@shared_task(acks_late=True)
def notify_drafter_rejected(workflow_state_id: int) -> int:
    from notices.services.notifications import send_returned_to_drafter

    return send_returned_to_drafter(workflow_state_id)


# --- delivery, receipts, follow-up (issue 5) ------------------------------------


# Creates the deliveries in one transaction and queues the notification
# chunks: seconds for 3,000 tenants. Its limit stays below ATRIUM_DELIVERY_STUCK_MINUTES.
@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def deliver_letter_task(letter_id: int) -> int:
    from notices.services.delivery import letter_deliver

    return len(letter_deliver(letter_id=letter_id))


@shared_task(acks_late=True, time_limit=240, soft_time_limit=200)
def notify_deliveries_task(letter_id: int, delivery_ids: list[int]) -> int:
    from notices.services.delivery import deliveries_notify

    return deliveries_notify(letter_id=letter_id, delivery_ids=delivery_ids)


@shared_task
def sweep_stuck_deliveries() -> int:
    """Finish letters stamped but not delivered whose delivery made no
    progress for ATRIUM_DELIVERY_STUCK_MINUTES (a lost message, a killed
    worker). Re-queuing a fan-out that is still going is harmless: every
    notification is claimed before it is sent."""
    from notices.services.delivery import letters_stuck_in_delivery
    from notices.services.receipts import receipts_without_certificate

    ids = list(letters_stuck_in_delivery().values_list("pk", flat=True))
    for letter_id in ids:
        deliver_letter_task.delay(letter_id)
    # Receipt certificates whose task was lost or failed (a missing seal, a
    # timestamp server down) are tried again.
    for receipt_id in receipts_without_certificate().values_list("pk", flat=True)[:200]:
        receipt_certificate_task.delay(receipt_id)
    # Receipts ZIPs whose message was lost or whose worker went silent: a
    # run that finds a live worker packing the job leaves it to that one.
    from notices.services.receipts_zip import receipts_zips_stalled

    for archive_id in receipts_zips_stalled().values_list("pk", flat=True)[:50]:
        build_receipts_zip_task.delay(archive_id)
    return len(ids)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def receipt_certificate_task(receipt_id: int) -> str:
    from notices.services.receipt_certificates import receipt_certificate_make

    return receipt_certificate_make(receipt_id=receipt_id).certificate_state


@shared_task(acks_late=True)
def send_reminders_task(delivery_ids: list[int], kind: str, actor_id: int | None = None) -> int:
    from notices.services.followup import reminders_send
    from portal.models.accounts import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return reminders_send(delivery_ids=delivery_ids, kind=kind, actor=actor)


@shared_task(acks_late=True)
def deliver_reminders_task(reminder_ids: list[int]) -> int:
    from notices.services.followup import reminders_deliver

    return reminders_deliver(reminder_ids=reminder_ids)


@shared_task
def follow_up_letters() -> dict:
    """Hourly: scheduled reminders (chunked), reminders recorded whose worker
    died before sending them, then overdue flags."""
    from django.conf import settings

    from notices.models import Reminder
    from notices.services.followup import (
        deliveries_flag_overdue,
        reminders_due,
        reminders_unsent,
    )

    ids = reminders_due()
    chunk = settings.ATRIUM_DELIVERY_CHUNK
    for i in range(0, len(ids), chunk):
        send_reminders_task.delay(ids[i:i + chunk], Reminder.Kind.SCHEDULED)
    unsent = reminders_unsent()
    for i in range(0, len(unsent), chunk):
        deliver_reminders_task.delay(unsent[i:i + chunk])
    return {"reminders": len(ids), "unsent": len(unsent), "overdue": deliveries_flag_overdue()}


@shared_task(acks_late=True)
def send_sign_code_task(sign_code_id: int) -> bool:
    from notices.services.sign_codes import sign_code_deliver

    return sign_code_deliver(sign_code_id=sign_code_id)


# --- the receipts ZIP of a letter page ---------------------------------------------


# Thousands of receipts read from S3 take minutes. The sweep above judges the
# job by its progress reports, not by this limit (portal/settings/recovery.py).
@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def build_receipts_zip_task(archive_id: int) -> str:
    from notices.services.receipts_zip import receipts_zip_build

    job = receipts_zip_build(archive_id=archive_id)
    return job.status if job else "skipped"


@shared_task(acks_late=True)
def purge_receipts_zips() -> int:
    """Nightly: receipts ZIPs asked for more than ATRIUM_RECEIPTS_ZIP_KEEP_DAYS ago."""
    from notices.services.receipts_zip import receipts_zips_purge

    return receipts_zips_purge()
