"""Archive documents (R1, R2): per-tenant files with expiry dates, versions
and confidentiality, and the time-limited access staff may ask for."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.models.base import StoredFile
from tenants.models.archive import Tenant


class DocumentKind(models.TextChoices):
    LEASE = "lease", pgettext_lazy("document kind", "Lease")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    FIRE_PERMIT = "fire_permit", _("Fire permit")
    FOOD_LICENCE = "food_licence", _("Food licence")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential")


class ArchiveDocumentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(superseded_at__isnull=True)

    def expiring_within(self, days: int, today=None):
        today = today or timezone.localdate()
        return self.current().filter(expires_on__isnull=False, expires_on__lte=today + timedelta(days=days))


def _document_path(instance, filename):
    return f"archive/{instance.tenant.centre_id}/{instance.tenant_id}/{filename}"


class ArchiveDocument(StoredFile):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="documents", verbose_name=_("tenant"))
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    tenant_renews = models.BooleanField(
        _("the tenant renews it"), default=False,
        help_text=_("Remind the tenant's signatories too when it is about to expire."),
    )
    # A replaced document keeps its predecessor: the chain of `replaces` is
    # the version history, and only the newest has no `superseded_at`.
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    objects = ArchiveDocumentQuerySet.as_manager()
    # The file's identity (size, digest, uploader) never changes after upload;
    # the history follows what staff edit and when a version is superseded.
    history = HistoricalRecords(
        excluded_fields=["size", "sha256", "uploaded_by", "uploaded_at"],
        verbose_name=_("historical archive document"), verbose_name_plural=_("historical archive documents"),
    )

    class Meta:
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        ordering = ["tenant", "kind", "-uploaded_at"]
        permissions = [("view_confidential", _("Can see confidential archive documents and fields"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(issued_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="document_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.tenant.trading_name} · {self.get_kind_display()} · {self.title}"

    @property
    def centre(self):
        return self.tenant.centre

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality == Confidentiality.CONFIDENTIAL

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def days_left(self, today=None) -> int | None:
        if self.expires_on is None:
            return None
        return (self.expires_on - (today or timezone.localdate())).days


class ExpiryReminder(models.Model):
    """One reminder per document and threshold (90, 30, 7 days): the unique
    constraint keeps the daily task from reminding twice."""

    document = models.ForeignKey(ArchiveDocument, on_delete=models.CASCADE, related_name="reminders")
    days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [models.UniqueConstraint(fields=["document", "days"], name="expiry_reminder_once")]

    def __str__(self):
        return f"{self.document} −{self.days}d"


class AccessGrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a manager")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ArchiveAccessGrantQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(status=AccessGrantStatus.GRANTED, expires_at__gt=now or timezone.now())


class ArchiveAccessGrant(models.Model):
    """Time-limited access to one tenant's confidential archive, asked for
    by a staff member without the permission and decided by a manager. It
    lapses by itself at `expires_at`: nothing needs to revoke it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="access_grants", verbose_name=_("tenant"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archive_access_requests", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"))
    hours = models.PositiveSmallIntegerField(_("for how many hours"), default=24)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=20, choices=AccessGrantStatus.choices, default=AccessGrantStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = ArchiveAccessGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("confidential access request")
        verbose_name_plural = _("confidential access requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=1) & Q(hours__lte=168), name="access_grant_hours_1_to_168"),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(expires_at__isnull=False), name="access_grant_granted_expires"
            ),
        ]

    def __str__(self):
        return f"{self.requested_by} → {self.tenant} ({self.get_status_display()})"

    @property
    def centre(self):
        return self.tenant.centre

    @property
    def is_active(self) -> bool:
        return self.status == AccessGrantStatus.GRANTED and self.expires_at is not None and self.expires_at > timezone.now()
