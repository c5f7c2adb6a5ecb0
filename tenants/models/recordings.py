"""Call recordings (R7, clause 4.5): attached to a request, kept for the
centre's retention period (at least 30 days), then purged by a daily task.
A recording of an unfinished special case can be put on hold; each hold is
an entry of the recording archive log (《录音存档记录表》).

The rule (README, "Call recordings"): a recording is evidence of what a
tenant said, so it is never purged while its request is open — a reopened
request is open again — and its retention runs from the later of the call
and the request's closing: a case closed today keeps its calls at least the
retention period longer, in case the tenant reopens it (二次投诉). A hold
whose date passes while its request is still open is not released: it stays
in force and the log shows it to staff for review."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.base import StoredFile
from tenants.models.service_desk import DeadlinePolicy, RequestStatus, ServiceRequest

MIN_RETENTION_DAYS = 30  # the procedure's floor (4.5); a centre's table may say more

# Who stands in the log for the nightly task that released a hold.
RELEASED_BY_SYSTEM = _("System (released automatically at the keep-until date)")


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

    def purge_due(self, now: datetime):
        """Kept, not on hold, its request closed, and both the call and the
        closing older than the centre's retention. Asked of the database in
        one query: one clause per retention period in use (a handful), since
        date arithmetic with a per-row number of days is not portable."""
        periods = set(DeadlinePolicy.objects.values_list("recording_retention_days", flat=True))
        due = Q()
        for days in sorted(periods | {MIN_RETENTION_DAYS}):
            cutoff = now - timedelta(days=max(days, MIN_RETENTION_DAYS))
            due |= Q(retention_days=days, recorded_at__lte=cutoff, request__closed_at__lte=cutoff)
        return self.kept().not_on_hold().filter(request__status=RequestStatus.CLOSED).annotate(
            retention_days=Coalesce("request__centre__deadline_policy__recording_retention_days",
                                    Value(MIN_RETENTION_DAYS)),
        ).filter(due)


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


class RecordingHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(released_at__isnull=True)

    def lapsed(self, today: date):
        """In force the day after its keep-until date (the day itself is kept)."""
        return self.active().filter(keep_until__lt=today)

    def expirable(self, today: date):
        """Lapsed, on a closed request: the nightly task releases these."""
        return self.lapsed(today).filter(recording__request__status=RequestStatus.CLOSED)

    def to_review(self, today: date):
        """Lapsed while the request is still open: kept in force, for staff to
        extend or release (the log's "review: date passed")."""
        return self.lapsed(today).exclude(recording__request__status=RequestStatus.CLOSED)


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

    objects = RecordingHoldQuerySet.as_manager()

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

    @property
    def released_by_label(self) -> str:
        """Who released it, as the log prints it: a released hold without a
        person was released by the nightly task (recording_hold_expire)."""
        return release_label(self.released_at, str(self.released_by) if self.released_by_id else None)


def release_label(released_at, released_by_name: str | None) -> str:
    """Who released a hold, as the log and its export print it: a released
    hold without a person was released by the nightly task."""
    if released_at is None:
        return ""
    return released_by_name or str(RELEASED_BY_SYSTEM)
