"""Tenant meetings (租户大会, 4.7, 4.10): invitation, attendance at the door,
minutes published to tenants, suggestions answered through the request log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models.base import CreatedByStaff
from tenants.models import Centre, Contact, ServiceRequest, Tenant

from .records import new_nonce


class MeetingKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly meeting")
    EVENT = "event", _("Meeting for a major event")


class Meeting(CreatedByStaff):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="tenant_meetings", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.QUARTERLY)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200)
    agenda = models.TextField(_("agenda"))
    # The invitation is an official notice of the notices app; linked by id so
    # that visits never writes into a letter after it was drafted.
    notice_letter_id = models.PositiveIntegerField(_("invitation letter"), null=True, blank=True, editable=False)
    door_nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(_("minutes (file)"), upload_to="meetings/%Y/", blank=True, max_length=300)
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tenant meeting")
        verbose_name_plural = _("tenant meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self):
        return _("%(name)s (%(detail)s)") % {"name": self.title, "detail": f"{self.starts_at:%Y-%m-%d}"}

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("Scanned the door code")
    STAFF = "staff", _("Registered by staff")


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="meeting_attendance", verbose_name=_("tenant"))
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("contact"))
    attendee_name = models.CharField(_("attendee"), max_length=100)
    method = models.CharField(_("registered by"), max_length=10, choices=AttendanceMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("arrived at"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "tenant"], name="meeting_attendance_once_per_tenant")]
        indexes = [models.Index(fields=["tenant", "at"])]

    def __str__(self):
        return f"{self.meeting_id} {self.tenant}"


class MeetingSuggestion(models.Model):
    """A suggestion raised at a meeting: it lives in the request log, where
    its reply is tracked (4.10: reply rate 100%)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("meeting"))
    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="meeting_suggestion",
                                   verbose_name=_("request"))

    class Meta:
        verbose_name = _("meeting suggestion")
        verbose_name_plural = _("meeting suggestions")

    def __str__(self):
        return f"{self.meeting_id} {self.request.number}"


class MeetingGap(models.Model):
    """A centre that held no tenant meeting in a quarter (4.7 asks for one
    each quarter): written by the check at the start of the next quarter,
    once per centre and quarter, and shown on the managers' dashboard."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarter without a tenant meeting")
        verbose_name_plural = _("quarters without a tenant meeting")
        ordering = ["-year", "-quarter", "centre"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "year", "quarter"], name="meeting_gap_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="meeting_gap_quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.centre_id} {self.label}"

    @property
    def label(self) -> str:
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}
