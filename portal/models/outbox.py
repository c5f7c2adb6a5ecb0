"""The state that makes a notification go out at most once (issue 13).

`NotifyClaim` is mixed into every row that stands for one notification (a
letter's delivery, an alert's recipient, a reminder): who is sending it (a
claim token and when it was taken) and, per channel, when it was handed to
the backend and when the backend accepted it. `OutboxEntry` is the same for
one-off messages that have no row of their own (a greeting to one address,
a handbook request): one row per key. portal.outbox holds the steps."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CHANNELS = ("email", "sms")
CHANNEL_LABELS = {"email": pgettext_lazy("channel", "email"), "sms": pgettext_lazy("channel", "SMS")}


class NotifyClaim(models.Model):
    notify_claimed_at = models.DateTimeField(_("notification claimed at"), null=True, blank=True, editable=False)
    notify_claim = models.CharField(max_length=32, blank=True, editable=False)
    email_handed_at = models.DateTimeField(_("email handed to the mail server at"), null=True, blank=True, editable=False)
    email_sent_at = models.DateTimeField(_("email accepted at"), null=True, blank=True, editable=False)
    sms_handed_at = models.DateTimeField(_("SMS handed to the gateway at"), null=True, blank=True, editable=False)
    sms_sent_at = models.DateTimeField(_("SMS accepted at"), null=True, blank=True, editable=False)
    # The server refused the channel for good (a 5xx for the address, a number
    # the gateway rejects): never tried again, shown to staff with the reason.
    email_refused_at = models.DateTimeField(_("email refused at"), null=True, blank=True, editable=False)
    sms_refused_at = models.DateTimeField(_("SMS refused at"), null=True, blank=True, editable=False)
    notify_refusal = models.CharField(_("notification refusal"), max_length=300, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def notify_unknown_channels(self) -> list[str]:
        """Channels handed to a backend that never confirmed, by a worker no
        longer at it or finished: the message may or may not have reached the person,
        and is not sent again (the same rule as portal.outbox.outcome_unknown_q)."""
        cutoff = timezone.now() - timedelta(minutes=settings.ATRIUM_NOTIFY_CLAIM_MINUTES)
        finished = getattr(self, "notified_at", None) or getattr(self, "done_at", None)
        if not finished and (self.notify_claimed_at is None or self.notify_claimed_at >= cutoff):
            return []
        return [str(CHANNEL_LABELS[c]) for c in CHANNELS
                if getattr(self, f"{c}_handed_at") and not getattr(self, f"{c}_sent_at")
                and not getattr(self, f"{c}_refused_at")]

    @property
    def notify_refused_channels(self) -> list[str]:
        """Channels the server refused for good (the reason is in `notify_refusal`)."""
        return [str(CHANNEL_LABELS[c]) for c in CHANNELS if getattr(self, f"{c}_refused_at")]


class OutboxEntry(NotifyClaim):
    """One message that must go out once, ever, under `key` (for example
    "greeting:12:shop@example.com")."""

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self):
        return self.key
