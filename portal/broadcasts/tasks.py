"""Fan-out of alerts and greetings. Tasks take ids and are safe to run twice:
a recipient is marked notified in the same step that sends to it."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.sms import send_text

logger = logging.getLogger(__name__)
CHUNK = 200


@shared_task(acks_late=True)
def alert_fan_out(alert_id: int) -> int:
    """Split the recipients still to notify into chunks of tasks."""
    from portal.models.broadcasts import AlertRecipient

    ids = list(
        AlertRecipient.objects.filter(alert_id=alert_id, notified_at__isnull=True, confirmed_at__isnull=True)
        .order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        alert_notify_chunk.delay(alert_id, ids[start:start + CHUNK])
    return len(ids)


def _alert_text(alert) -> tuple[str, str]:
    with translation.override("zh-hans"):
        level = f"【{alert.get_level_display()}{_('warning')}】" if alert.level else ""
        subject = f"{level}{alert.get_kind_display()}：{alert.title}"
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/my/"
        body = f"{alert.message}\n\n" + _("Please confirm receipt in the tenant portal: %(link)s") % {"link": link}
    return subject, body


@shared_task(acks_late=True)
def alert_notify_chunk(alert_id: int, recipient_ids: list[int]) -> int:
    from portal.models.broadcasts import AlertRecipient, AlertStatus, BroadcastAlert
    from tenants.models import Contact

    alert = BroadcastAlert.objects.filter(pk=alert_id, status=AlertStatus.SENT).first()
    if alert is None:
        return 0
    subject, body = _alert_text(alert)
    sent = 0
    for recipient_id in recipient_ids:
        with transaction.atomic():
            claimed = AlertRecipient.objects.filter(
                pk=recipient_id, notified_at__isnull=True, confirmed_at__isnull=True
            ).select_for_update().first()
            if claimed is None:
                continue  # already notified by an earlier run, or confirmed meanwhile
            contacts = list(Contact.objects.active().filter(tenant_id=claimed.tenant_id))
            AlertRecipient.objects.filter(pk=recipient_id).update(notified_at=timezone.now(), notify_count=claimed.notify_count + 1)
        emails = sorted({c.email for c in contacts if c.email})
        if emails:
            send_mail(subject, body, None, emails)
        if alert.send_sms:
            send_text([c.phone for c in contacts if c.phone], f"{subject} {alert.message}"[:300])
        sent += 1
    return sent


# --- holiday greetings -------------------------------------------------------

@shared_task(acks_late=True)
def greetings_prepare() -> int:
    from .greetings import greetings_prepare_upcoming

    return len(greetings_prepare_upcoming())


@shared_task(acks_late=True)
def greetings_send_due() -> int:
    from portal.models.broadcasts import GreetingStatus, HolidayGreeting

    due = HolidayGreeting.objects.filter(status=GreetingStatus.APPROVED, send_on__lte=timezone.localdate())
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        greeting_send.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def greeting_send(greeting_id: int) -> int:
    from .greetings import greeting_deliver

    return greeting_deliver(greeting_id)
