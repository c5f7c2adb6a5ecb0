"""Visit records (4.9) and the on-site proof: a QR code posted in each unit."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.base import UploadedPhoto
from tenants.models import Centre, ServiceRequest, Tenant, Unit


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


class UnitCode(models.Model):
    """The secret behind a unit's printed QR code. Printing a new sheet
    replaces the nonce, so a photo of the old code no longer proves anything."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="visit_code", verbose_name=_("unit"))
    nonce = models.CharField(max_length=32, default=new_nonce)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("unit QR code")
        verbose_name_plural = _("unit QR codes")

    def __str__(self):
        return f"{self.unit} QR"


class UnitCheckIn(models.Model):
    """A staff member scanned a unit's code: proof of being in the shop at
    that moment. A check-in proves one visit, within a short time."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff"))
    nonce = models.CharField(max_length=32)
    scanned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("on-site check-in")
        verbose_name_plural = _("on-site check-ins")
        ordering = ["-scanned_at"]

    def __str__(self):
        return f"{self.unit} {timezone.localtime(self.scanned_at):%Y-%m-%d %H:%M}"


class VisitMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    PHONE = "phone", _("Phone")
    # Its own context: the project catalogue's "Message" (a broadcast's
    # content, 内容) would otherwise win over this one.
    MESSAGE = "message", pgettext_lazy("visit mode", "Message")
    MEETING = "meeting", _("Meeting")


IN_PERSON_MODES = (VisitMode.ON_SITE, VisitMode.MEETING)


class VisitRecord(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="visit_records", verbose_name=_("centre"))
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="visit_records", verbose_name=_("tenant"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_records", verbose_name=_("visited by")
    )
    visited_at = models.DateTimeField(_("date and time"), db_index=True)
    mode = models.CharField(_("how"), max_length=10, choices=VisitMode.choices)
    people_met = models.CharField(_("people met"), max_length=300)
    topics = models.TextField(_("what was discussed"))
    checkin = models.OneToOneField(
        UnitCheckIn, on_delete=models.PROTECT, null=True, blank=True, related_name="record",
        verbose_name=_("on-site check-in"),
    )
    requests = models.ManyToManyField(ServiceRequest, blank=True, related_name="visit_records", verbose_name=_("requests raised"))
    # One per form shown: a double tap or a second submit finds the first record.
    submission_key = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "visited_at"]),
            models.Index(fields=["tenant", "visited_at"]),
            models.Index(fields=["staff", "visited_at"]),
        ]
        constraints = [
            # On-site presence is claimed only with a check-in to prove it.
            models.CheckConstraint(condition=~Q(mode="on_site") | Q(checkin__isnull=False), name="visit_on_site_has_checkin"),
            models.UniqueConstraint(fields=["submission_key"], condition=~Q(submission_key=""), name="visit_submission_once"),
        ]

    def __str__(self):
        return f"{self.tenant} {self.visited_at:%Y-%m-%d} {self.get_mode_display()}"

    @property
    def in_person(self) -> bool:
        return self.mode in IN_PERSON_MODES


def _photo_path(instance, filename):
    return f"visits/{instance.record.centre_id}/{instance.record_id}/{filename}"


class VisitPhoto(UploadedPhoto):
    record = models.ForeignKey(VisitRecord, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=300)

    class Meta(UploadedPhoto.Meta):
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"visit {self.record_id} photo {self.pk}"
