"""The ZIP that keeps a letter with its receipts (4.8.6) is built by a
worker: for a letter with thousands of receipts on S3 that takes minutes.
This row is the job and, when done, the file. One job per letter is being
built at a time, whoever asked: a second press, or another staff member,
finds it and watches its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("file being produced", "Failed")


class ReceiptsArchive(models.Model):
    letter = models.ForeignKey("notices.Letter", on_delete=models.CASCADE, related_name="receipts_archives",
                               verbose_name=_("letter"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    status = models.CharField(max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED)
    # Receipts packed so far, of how many: the page shows the worker's progress.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="receipts-zips/%Y/", blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True)
    # What the ZIP holds of the receipts (notices.services.receipts_zip.receipts_digest):
    # while the letter's receipts still match it, the finished ZIP is handed
    # out again instead of being built anew.
    receipts_digest = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    # A worker claims the job and touches progress_at as it packs; a job
    # whose worker has been silent for ATRIUM_RECEIPTS_ZIP_STUCK_MINUTES is
    # taken over (by the sweep, or by a message the broker hands out again).
    attempts = models.PositiveSmallIntegerField(default=0)
    progress_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("receipts ZIP")
        verbose_name_plural = _("receipts ZIPs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double click or a second device finds the running job, held by
            # the database as well as by the letter's row lock.
            models.UniqueConstraint(fields=["letter"], condition=Q(status="queued"),
                                    name="receipts_archive_one_running_per_letter"),
        ]
        indexes = [models.Index(fields=["letter", "-created_at"])]

    def __str__(self):
        return f"{self.letter} · {self.get_status_display()}"
