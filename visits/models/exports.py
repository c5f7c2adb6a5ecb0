"""Audit reports and auditor packs are built by a worker; this row is the
job and, when done, the file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportKind(models.TextChoices):
    REPORT_PDF = "pdf", _("Audit report (PDF)")
    AUDITOR_PACK = "zip", _("Auditor pack (ZIP)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("file being produced", "Failed")


class AuditExport(models.Model):
    kind = models.CharField(max_length=5, choices=ExportKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre_ids = models.JSONField(default=list)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file = models.FileField(upload_to="audit-exports/%Y/", blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit export")
        verbose_name_plural = _("audit exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}–{self.end}"
