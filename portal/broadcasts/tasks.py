"""Fan-out of alerts and greetings. Tasks take ids, call a service (imported
inside the task) and are safe to run twice: every message is claimed before
it is sent (portal.outbox)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)
CHUNK = 200


@shared_task(acks_late=True)
def alert_fan_out(alert_id: int) -> int:
    """Split the recipients still to notify into chunks of tasks."""
    from .services import alert_recipients_to_notify

    ids = alert_recipients_to_notify(alert_id)
    for start in range(0, len(ids), CHUNK):
        alert_notify_chunk.delay(alert_id, ids[start:start + CHUNK])
    return len(ids)


@shared_task(acks_late=True)
def alert_notify_chunk(alert_id: int, recipient_ids: list[int]) -> int:
    from .services import alert_notify

    return alert_notify(alert_id=alert_id, recipient_ids=recipient_ids)


# --- holiday greetings -------------------------------------------------------

@shared_task(acks_late=True)
def greetings_prepare() -> int:
    from .calendar import unknown_holiday_years
    from .greetings import greetings_prepare_upcoming

    for year in unknown_holiday_years():
        # Once a day, for the log and Sentry; staff see it in the admin.
        logger.warning("The holiday calendar (chinese-calendar) does not know %s: greetings of its moving holidays "
                       "are not prepared; update the package or add them by hand.", year)
    return len(greetings_prepare_upcoming())


@shared_task(acks_late=True)
def greetings_send_due() -> int:
    from .greetings import greetings_due

    ids = greetings_due()
    for pk in ids:
        greeting_send.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def greeting_send(greeting_id: int) -> int:
    from .greetings import greeting_deliver

    return greeting_deliver(greeting_id)
