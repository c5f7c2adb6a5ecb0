"""Broadcast alerts (special weather, urgent notices) and holiday greetings (4.11)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.outbox import NotifyClaim


class AlertKind(models.TextChoices):
    TYPHOON = "typhoon", _("Typhoon warning")
    RAINSTORM = "rainstorm", _("Rainstorm warning")
    WEATHER = "weather", _("Other severe weather")
    URGENT = "urgent", _("Urgent notice")


class AlertLevel(models.TextChoices):
    NONE = "", _("No colour level")
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("status", "Sent")
    CLOSED = "closed", _("Closed")


class BroadcastAlert(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=AlertKind.choices)
    level = models.CharField(_("warning level"), max_length=8, choices=AlertLevel.choices, blank=True, default="")
    title = models.CharField(_("title"), max_length=120)
    message = models.TextField(_("message"), max_length=1000)
    centres = models.ManyToManyField("portal.Centre", related_name="alerts", verbose_name=_("centres"))
    status = models.CharField(_("status"), max_length=8, choices=AlertStatus.choices, default=AlertStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    send_sms = models.BooleanField(_("also by SMS"), default=True)

    class Meta:
        verbose_name = _("broadcast alert")
        verbose_name_plural = _("broadcast alerts")
        ordering = ["-created_at"]
        constraints = [
            # A weather warning carries its colour; an urgent notice has none.
            models.CheckConstraint(
                condition=Q(kind="urgent", level="") | (~Q(kind="urgent") & ~Q(level="")),
                name="alert_level_matches_kind",
            ),
            models.CheckConstraint(condition=Q(status="draft") | Q(sent_at__isnull=False), name="alert_sent_has_time"),
        ]

    def __str__(self):
        return self.title


class AlertRecipient(NotifyClaim):
    """One row per tenant reached; the tenant's "received" is stamped on it
    once. Each notification round is claimed before it is sent (portal.outbox)."""

    alert = models.ForeignKey(BroadcastAlert, on_delete=models.CASCADE, related_name="recipients")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="alert_receipts")
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_count = models.PositiveSmallIntegerField(default=0)
    chase_requested_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        verbose_name = _("alert recipient")
        constraints = [
            models.UniqueConstraint(fields=["alert", "tenant"], name="alert_one_row_per_tenant"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True, confirmed_by__isnull=True) | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="alert_confirmation_complete",
            ),
        ]

    def __str__(self):
        return f"{self.alert} · {self.tenant}"


class GreetingStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", pgettext_lazy("status", "Sent")
    CANCELLED = "cancelled", _("Cancelled")


class HolidayGreeting(models.Model):
    centre = models.ForeignKey("portal.Centre", on_delete=models.CASCADE, related_name="greetings", verbose_name=_("centre"))
    holiday = models.CharField(_("holiday"), max_length=40)
    send_on = models.DateField(_("send on"))
    title = models.CharField(_("title"), max_length=120)
    message = models.TextField(_("message"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=GreetingStatus.choices, default=GreetingStatus.DRAFT)
    prepared_at = models.DateTimeField(auto_now_add=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("holiday greeting")
        verbose_name_plural = _("holiday greetings")
        ordering = ["-send_on"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "send_on"], name="greeting_one_per_centre_and_day"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="greeting_sent_has_time"),
        ]

    def __str__(self):
        return f"{self.centre} · {self.holiday} {self.send_on}"
