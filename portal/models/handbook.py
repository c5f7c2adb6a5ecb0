"""Handbook editions (the revision history tenants see) and the tenants'
acknowledgements of an edition they must acknowledge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.pdf.kept import KeptInEachLanguage


class PdfStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("file being produced", "Failed")


class HandbookEdition(KeptInEachLanguage, models.Model):
    handbook = models.ForeignKey("portal.HandbookPage", on_delete=models.CASCADE, related_name="editions", verbose_name=_("handbook"))
    number = models.PositiveIntegerField(_("edition"))
    changes = models.TextField(_("what changed"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    requires_ack = models.BooleanField(_("tenants must acknowledge"), default=False)
    ack_due = models.DateField(_("acknowledge by"), null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The edition's PDF in Chinese (the one tenants acknowledge) and in
    # English (portal.pdf.kept); READY once both are made.
    pdf = models.FileField(_("PDF"), upload_to="handbook/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_en = models.FileField(_("PDF (English)"), upload_to="handbook/", blank=True)
    pdf_en_sha256 = models.CharField(max_length=64, blank=True)
    pdf_status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    pdf_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("handbook edition")
        verbose_name_plural = _("handbook editions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["handbook", "number"], name="handbook_edition_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="handbook_edition_number_positive"),
        ]

    def __str__(self):
        return f"{self.handbook.title} · {self.label}"

    @property
    def label(self) -> str:
        return _("Edition %(number)s") % {"number": self.number}


class HandbookAcknowledgement(models.Model):
    """One per tenant and edition: the database refuses a second one, so two
    devices or a double tap cannot record it twice."""

    edition = models.ForeignKey(HandbookEdition, on_delete=models.CASCADE, related_name="acknowledgements")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="handbook_acknowledgements")
    contact = models.ForeignKey("tenants.Contact", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("handbook acknowledgement")
        constraints = [models.UniqueConstraint(fields=["edition", "tenant"], name="handbook_ack_once_per_tenant")]

    def __str__(self):
        return f"{self.edition} · {self.tenant}"
