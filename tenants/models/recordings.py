"""Call recordings (R7, clause 4.5): attached to a request, kept for the
centre's retention period (at least 30 days), then purged by a daily task.
A recording of an unfinished special case can be put on hold; each hold is
an entry of the recording archive log (《录音存档记录表》)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.base import StoredFile
from tenants.models.service_desk import ServiceRequest


class RecordingStatus(models.TextChoices):
    KEPT = "kept", _("Kept")
    PURGED = "purged", _("Purged")


def _recording_path(instance, filename):
    return f"recordings/{instance.request.centre_id}/{instance.request_id}/{filename}"


class CallRecordingQuerySet(models.QuerySet):
    def kept(self):
        return self.filter(status=RecordingStatus.KEPT)

    def on_hold(self):
        return self.filter(holds__released_at__isnull=True).distinct()

    def not_on_hold(self):
        return self.exclude(pk__in=RecordingHold.objects.filter(released_at__isnull=True).values("recording"))


class CallRecording(StoredFile):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="recordings", verbose_name=_("request")
    )
    file = models.FileField(_("recording"), upload_to=_recording_path, max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RecordingStatus.choices, default=RecordingStatus.KEPT)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    objects = CallRecordingQuerySet.as_manager()

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # A purged row keeps its evidence (who, when, hash) but no file.
            models.CheckConstraint(
                condition=Q(status="kept") | (Q(status="purged") & Q(purged_at__isnull=False) & Q(file="")),
                name="recording_purged_has_no_file",
            ),
        ]

    def __str__(self):
        return f"{self.request.number} · {self.recorded_at:%Y-%m-%d %H:%M}"

    @property
    def centre(self):
        return self.request.centre

    @property
    def is_purged(self) -> bool:
        return self.status == RecordingStatus.PURGED


class RecordingHold(models.Model):
    """One line of the recording archive log: which recording, which request,
    who held it, when, why and until when; released_* once the case is over.
    While a hold is unreleased the recording is never purged."""

    recording = models.ForeignKey(CallRecording, on_delete=models.PROTECT, related_name="holds", verbose_name=_("recording"))
    reason = models.TextField(_("reason"))
    keep_until = models.DateField(_("keep until"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("held by")
    )
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("released by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recording archive log entry")
        verbose_name_plural = _("recording archive log")
        ordering = ["-held_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording"], condition=Q(released_at__isnull=True), name="recording_one_open_hold"
            ),
        ]

    def __str__(self):
        return f"{self.recording} · {self.held_at:%Y-%m-%d}"

    @property
    def centre(self):
        return self.recording.request.centre

    @property
    def request(self):
        return self.recording.request

    @property
    def is_active(self) -> bool:
        return self.released_at is None
