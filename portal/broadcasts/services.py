"""State changes of broadcast alerts: send, confirm, chase, close, and the
fan-out the workers run (each tenant told once per round: portal.outbox)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.access import centres_for, has_role
from portal.audit import audit_record
from portal.models.accounts import Role
from portal.models.broadcasts import AlertRecipient, AlertStatus, BroadcastAlert
from portal.outbox import Outgoing, claim, reset_claim_fields, send_claimed
from portal.sms import SmsMessage
from tenants.selectors.contacts import tenant_contacts_of

# Operations staff send alerts for their centres (4.11); managers too.
ALERT_ROLES = (Role.OPERATIONS, Role.MANAGER)


class AlertError(Exception):
    """The alert cannot make this change; the message says why."""


def alert_centres_for(user):
    return centres_for(user, ALERT_ROLES)


def alerts_visible_to_staff(user):
    """Alerts that reach one of the user's centres (and none outside them)."""
    from tenants.models import Centre

    centres = alert_centres_for(user)
    return (
        BroadcastAlert.objects.filter(centres__in=centres)
        .exclude(centres__in=Centre.objects.exclude(pk__in=centres.values("pk")))
        .distinct()
    )


def _check_may_send(user, alert: BroadcastAlert) -> None:
    centres = list(alert.centres.all())
    if not centres:
        raise AlertError(_("Choose at least one centre."))
    if not all(has_role(user, c, *ALERT_ROLES) for c in centres):
        raise PermissionDenied(_("You may only send alerts to the centres you work for."))


def _locked(actor, alert: BroadcastAlert, status: str, refusal: str) -> BroadcastAlert:
    """The alert locked for a change (inside the caller's transaction), once
    the actor may send it and it is in `status`; else `refusal`."""
    alert = BroadcastAlert.objects.select_for_update().get(pk=alert.pk)
    _check_may_send(actor, alert)
    if alert.status != status:
        raise AlertError(refusal)
    return alert


def _fan_out_on_commit(alert: BroadcastAlert) -> None:
    from .tasks import alert_fan_out

    alert_id = alert.pk
    transaction.on_commit(lambda: alert_fan_out.delay(alert_id))


def alert_create(*, actor, kind: str, level: str, title: str, message: str, centres, send_sms: bool = True) -> BroadcastAlert:
    allowed = set(alert_centres_for(actor))
    if not centres or any(c not in allowed for c in centres):
        raise PermissionDenied(_("You may only send alerts to the centres you work for."))
    with transaction.atomic():
        alert = BroadcastAlert(kind=kind, level=level, title=title, message=message, created_by=actor, send_sms=send_sms)
        alert.full_clean(exclude=["centres"])
        alert.save()
        alert.centres.set(centres)
        audit_record(actor=actor, action="alert.created", obj=alert, centre=centres[0], details={"kind": kind, "level": level})
    return alert


def alert_send(*, actor, alert: BroadcastAlert) -> int:
    """Send at once: one recipient row per current tenant of the chosen centres,
    then the fan-out (email, SMS) in Celery. Sending twice sends nothing twice."""
    from tenants.models import Tenant

    with transaction.atomic():
        alert = _locked(actor, alert, AlertStatus.DRAFT, _("This alert has already been sent."))
        tenants = Tenant.objects.current().filter(centre__in=alert.centres.all()).values_list("pk", flat=True)
        AlertRecipient.objects.bulk_create(
            [AlertRecipient(alert=alert, tenant_id=pk) for pk in tenants], ignore_conflicts=True, batch_size=500
        )
        alert.status = AlertStatus.SENT
        alert.sent_at = timezone.now()
        alert.sent_by = actor
        alert.save(update_fields=["status", "sent_at", "sent_by"])
        count = alert.recipients.count()
        for centre in alert.centres.all():
            audit_record(actor=actor, action="alert.sent", obj=alert, centre=centre, details={"recipients": count})
        _fan_out_on_commit(alert)
    return count


def alert_chase(*, actor, alert: BroadcastAlert) -> int:
    """Notify again every tenant that has not confirmed."""
    with transaction.atomic():
        alert = _locked(actor, alert, AlertStatus.SENT, _("Only a sent, open alert can be chased."))
        now = timezone.now()
        # A new round: each unconfirmed tenant may be told once more.
        count = alert.recipients.filter(confirmed_at__isnull=True).update(
            chase_requested_at=now, notified_at=None, **reset_claim_fields())
        audit_record(actor=actor, action="alert.chased", obj=alert, centre=alert.centres.first(), details={"tenants": count})
        _fan_out_on_commit(alert)
    return count


def alert_close(*, actor, alert: BroadcastAlert) -> None:
    with transaction.atomic():
        alert = _locked(actor, alert, AlertStatus.SENT, _("Only a sent alert can be closed."))
        alert.status = AlertStatus.CLOSED
        alert.closed_at = timezone.now()
        alert.save(update_fields=["status", "closed_at"])
        audit_record(actor=actor, action="alert.closed", obj=alert, centre=alert.centres.first())


def alert_confirm(*, user, recipient_id: int, request=None) -> bool:
    """The tenant's one tap. True if this tap recorded it; False if the tenant
    had already confirmed (another contact, another device, a double tap)."""
    tenant_ids = {c.tenant_id for c in tenant_contacts_of(user)}
    recipient = AlertRecipient.objects.filter(pk=recipient_id, tenant_id__in=tenant_ids).select_related("alert").first()
    if recipient is None or recipient.alert.status == AlertStatus.DRAFT:
        raise PermissionDenied
    with transaction.atomic():
        # The conditional UPDATE is the guard: of two taps at once, one changes the row.
        done = AlertRecipient.objects.filter(pk=recipient.pk, confirmed_at__isnull=True).update(
            confirmed_at=timezone.now(), confirmed_by=user
        )
        if done:
            audit_record(actor=user, action="alert.confirmed", obj=recipient.alert,
                         centre=recipient.tenant.centre, details={"tenant": recipient.tenant.code}, request=request)
    return bool(done)


def open_alerts_for_tenant_user(user):
    """The tenant's current alerts (sent, not closed, last 7 days) with its row."""
    tenant_ids = {c.tenant_id for c in tenant_contacts_of(user)}
    since = timezone.now() - timedelta(days=7)
    return (
        AlertRecipient.objects.filter(tenant_id__in=tenant_ids, alert__status=AlertStatus.SENT, alert__sent_at__gte=since)
        .select_related("alert", "tenant")
        .order_by("-alert__sent_at")
    )


def alert_figures(alert: BroadcastAlert) -> dict:
    total = alert.recipients.count()
    confirmed = alert.recipients.filter(~Q(confirmed_at=None)).count()
    return {"total": total, "confirmed": confirmed, "pending": total - confirmed}


# --- the fan-out (workers) -----------------------------------------------------


def alert_recipients_to_notify(alert_id: int) -> list[int]:
    return list(
        AlertRecipient.objects.filter(alert_id=alert_id, notified_at__isnull=True, confirmed_at__isnull=True)
        .order_by("pk").values_list("pk", flat=True)
    )


def alert_text(alert: BroadcastAlert, language: str = "zh-hans") -> tuple[str, str, str]:
    """Subject, email body and SMS text (tenants are told in Chinese). Each
    is one sentence with placeholders, so a language may order it its own way."""
    with translation.override(language):
        words = {"level": alert.get_level_display(), "kind": alert.get_kind_display(), "title": alert.title}
        if alert.level:
            subject = pgettext("alert subject", "[%(level)s warning] %(kind)s: %(title)s") % words
        else:
            subject = pgettext("alert subject", "%(kind)s: %(title)s") % words
        link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/my/"
        body = f"{alert.message}\n\n" + _("Please confirm receipt in the tenant portal: %(link)s") % {"link": link}
    return subject, body, f"{subject} {alert.message}"[:300]


def alert_notify(*, alert_id: int, recipient_ids: list[int]) -> int:
    """Email (and text) the tenants of these recipient rows that are neither
    notified in this round nor confirmed. Each row is claimed before anything
    is sent, so a re-queued chunk or a second worker repeats nothing."""
    from tenants.models import Contact

    alert = BroadcastAlert.objects.filter(pk=alert_id, status=AlertStatus.SENT).first()
    if alert is None:
        return 0
    token, pks = claim(AlertRecipient.objects.filter(
        alert_id=alert_id, pk__in=recipient_ids, notified_at__isnull=True, confirmed_at__isnull=True))
    recipients = list(AlertRecipient.objects.filter(pk__in=pks).order_by("pk"))
    contacts = defaultdict(list)
    for c in Contact.objects.active().filter(tenant_id__in=[r.tenant_id for r in recipients]):
        contacts[c.tenant_id].append(c)
    subject, body, text = alert_text(alert)
    items = []
    for r in recipients:
        emails = sorted({c.email for c in contacts[r.tenant_id] if c.email})
        phones = dict.fromkeys(c.phone for c in contacts[r.tenant_id] if c.phone) if alert.send_sms else {}
        items.append(Outgoing(r, [EmailMessage(subject, body, None, emails)] if emails else [],
                              [SmsMessage(to=p, text=text) for p in phones]))
    return send_claimed(AlertRecipient, token, items,
                        done=lambda: {"notified_at": timezone.now(), "notify_count": F("notify_count") + 1})
