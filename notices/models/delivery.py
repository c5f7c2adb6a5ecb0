"""What happens after the seal: one delivery per recipient tenant, the
receipt (签收) that closes it, the one-time codes that confirm a signature,
and the reminders sent while it stays unsigned."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.outbox import NotifyClaim


class DeliveryState(models.TextChoices):
    """Where a stamped letter is on its way to the tenants."""

    PENDING = "pending", _("Not delivered yet")
    SENDING = "sending", _("Being delivered")
    DELIVERED = "delivered", pgettext_lazy("status", "Delivered")


class DeliveryQuerySet(models.QuerySet):
    def unsigned(self):
        return self.filter(receipt__isnull=True)

    def signed(self):
        return self.filter(receipt__isnull=False)

    def viewed(self):
        return self.filter(first_viewed_at__isnull=False)

    def overdue_unsigned(self):
        """Past the sign-by date without a receipt: operations staff take the
        letter to the shop by hand (4.8.5)."""
        return self.filter(overdue_at__isnull=False, receipt__isnull=True)


class Delivery(NotifyClaim):
    """One letter to one tenant. The list is fixed when the letter is stamped:
    a tenant who moves in later does not get an old letter, one who leaves
    keeps the record of having received it. Its notification is claimed
    before it is sent (NotifyClaim, portal.outbox)."""

    letter = models.ForeignKey("notices.Letter", on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("letter"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="letter_deliveries", verbose_name=_("tenant"))
    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    # The exact document this tenant receives (the letter's sealed PDF today;
    # a per-tenant rendering would carry its own hash here).
    pdf_sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    created_at = models.DateTimeField(_("delivered at"))
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("first viewed at"), null=True, blank=True)
    first_viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("first viewed by")
    )
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True, db_index=True)
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    # The letter asks for a receipt and none is recorded yet. Kept on the row
    # (set at delivery, cleared by Receipt.save) so that "letters to sign" is
    # read from a partial index of a tenant's few unsigned deliveries instead
    # of joining every delivery the tenant ever had to its receipt.
    awaiting_receipt = models.BooleanField(_("awaiting a receipt"), default=False, editable=False)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["letter", "tenant__code"]
        constraints = [models.UniqueConstraint(fields=["letter", "tenant"], name="delivery_one_per_letter_tenant")]
        indexes = [
            models.Index(fields=["letter", "notified_at"]),
            models.Index(fields=["tenant", "-created_at"]),
            # The tenant inbox reads its two parts from these, newest first
            # (keyset pages, notices.selectors.inbox_page): both stay small
            # and ordered whatever the tenant's history.
            models.Index(fields=["tenant", "-created_at", "-id"], condition=Q(awaiting_receipt=True),
                         name="delivery_to_sign_by_tenant"),
            models.Index(fields=["tenant", "-created_at", "-id"], condition=Q(awaiting_receipt=False),
                         name="delivery_done_by_tenant"),
        ]

    def __str__(self):
        return f"{self.letter} → {self.tenant}"

    @property
    def is_signed(self) -> bool:
        return hasattr(self, "receipt")


class SignMethod(models.TextChoices):
    EMAIL_CODE = "email_code", _("One-time code by email")
    SMS_CODE = "sms_code", _("One-time code by SMS")
    PASSWORD = "password", _("Account password")
    PAPER = "paper", _("Signed on paper (recorded by staff)")


class CertificateState(models.TextChoices):
    PENDING = "pending", _("Being produced")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("file being produced", "Failed")


class Receipt(models.Model):
    """The signed-for record (签收回执). At most one per delivery, held by the
    database, so a double click or a second device cannot make two."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("delivery"))
    letter = models.ForeignKey("notices.Letter", on_delete=models.PROTECT, related_name="receipts", verbose_name=_("letter"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"))
    method = models.CharField(_("confirmed by"), max_length=20, choices=SignMethod.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed by (account)")
    )
    signer_name = models.CharField(_("signed by"), max_length=100)
    signed_at = models.DateTimeField(_("signed at"))
    recorded_at = models.DateTimeField(pgettext_lazy("paper receipt", "recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the document signed for"), max_length=64)
    scan = models.FileField(_("scanned receipt"), upload_to="receipts/scans/%Y/", blank=True)
    scan_sha256 = models.CharField(_("SHA-256 of the scan"), max_length=64, blank=True)
    evidence_hash = models.CharField(_("evidence chain hash"), max_length=64, blank=True)
    certificate = models.FileField(_("receipt certificate"), upload_to="receipts/%Y/", blank=True)
    certificate_sha256 = models.CharField(_("SHA-256 of the certificate"), max_length=64, blank=True)
    certificate_state = models.CharField(max_length=10, choices=CertificateState.choices, default=CertificateState.PENDING)
    certificate_error = models.TextField(blank=True)
    # A failed certificate (no seal yet, the timestamp server down) is tried
    # again later and later (notices.services.receipts.certificate_retry_at),
    # not every sweep: the same error a thousand times helps nobody.
    certificate_attempts = models.PositiveSmallIntegerField(default=0)
    certificate_retry_at = models.DateTimeField(null=True, blank=True)

    # The language the signer read the letter in when signing online (their
    # own choice on the tenant side): the certificate is made in it. Empty
    # (paper receipts, older receipts): the site's default, Chinese.
    certificate_language = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="paper", recorded_by__isnull=False) & ~Q(scan_sha256="")
                | ~Q(method="paper") & Q(signer__isnull=False),
                name="receipt_paper_has_scan_online_has_signer",
            ),
        ]

    def __str__(self):
        return f"{self.letter} · {self.tenant} · {self.signer_name}"

    def save(self, *args, **kwargs):
        # Every path that records a receipt (online, paper, fixtures) goes
        # through here, so the delivery's "awaiting a receipt" flag follows.
        creating = self._state.adding
        super().save(*args, **kwargs)
        if creating:
            Delivery.objects.filter(pk=self.delivery_id, awaiting_receipt=True).update(awaiting_receipt=False)

    @property
    def is_paper(self) -> bool:
        return self.method == SignMethod.PAPER


class SignCode(models.Model):
    """A one-time code sent to a signatory. Only its hash is kept; it expires
    and allows a few attempts."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        SMS = "sms", _("SMS")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign code")
        verbose_name_plural = _("sign codes")
        indexes = [models.Index(fields=["delivery", "user", "-created_at"])]

    def __str__(self):
        return f"{self.delivery_id} · {self.channel} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class Reminder(NotifyClaim):
    """Every reminder sent, by the schedule or by a person pressing "remind now".
    The row is written (and claimed) before the reminder goes out; `notified_at`
    once it has."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        MANUAL = "manual", _("Remind now")
        OVERDUE = "overdue", _("Overdue: handed to operations")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("delivery"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    channels = models.CharField(_("sent by"), max_length=50, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.delivery} · {self.get_kind_display()} · {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"


class LetterQuestion(models.Model):
    """A tenant answered a letter with a question instead of signing: the
    request in the service desk, linked back to the letter."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="questions")
    service_request = models.OneToOneField("tenants.ServiceRequest", on_delete=models.CASCADE, related_name="letter_question")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter question")
        verbose_name_plural = _("letter questions")

    def __str__(self):
        return f"{self.delivery} · {self.service_request_id}"
