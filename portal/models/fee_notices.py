"""The printable fee-schedule notice (4.14: charges are displayed at the
customer service centre and each service window): one A4 PDF per published
revision of the schedule in force and language, made by Celery tasks when a schedule
takes effect or is republished, downloaded by staff from the admin."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.pdf.kept import KeptInEachLanguage

from .handbook import PdfStatus


class FeeNotice(KeptInEachLanguage, models.Model):
    schedule = models.ForeignKey("portal.FeeSchedulePage", on_delete=models.CASCADE, related_name="notices",
                                 verbose_name=_("fee schedule"))
    # Denormalised from the page so that a listing scopes without walking the page tree.
    centre = models.ForeignKey("portal.Centre", on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    # The schedule's live revision the notice was made from: a republished
    # schedule (a price corrected) gets a new notice, a rerun finds this one.
    revision_id = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    made_at = models.DateTimeField(_("made at"), null=True, blank=True)
    # In Chinese and in English (portal.pdf.kept); READY once both are made.
    pdf = models.FileField(_("PDF"), upload_to="fee_notices/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_en = models.FileField(_("PDF (English)"), upload_to="fee_notices/", blank=True)
    pdf_en_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("fee-schedule notice")
        verbose_name_plural = _("fee-schedule notices")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "revision_id"], name="fee_notice_once_per_revision")]

    def __str__(self):
        return f"{self.schedule.title} · {self.schedule.effective_from:%Y-%m-%d}"
